// SPDX-License-Identifier: Apache-2.0

// Package file is the built-in file system connector: files and folders
// under a connection's root folder on the machine Junction runs on.
//
// Every path is relative to the connection's root folder and cannot leave
// it: ".." and absolute paths are refused and all access goes through
// [os.Root], so a symbolic link that points outside the root fails too. The
// operations mirror the Logic Apps File System connector (CreateFile,
// GetFileContent, ListFolder, ...); the trigger OnUpdatedFile polls a folder
// for files added or modified since the last poll and can delete or move
// what it read.
//
// File content travels as the Logic Apps binary envelope
// {"$content-type": "...", "$content": "<base64>"}; inputs also accept a
// plain string (written as UTF-8 text), raw bytes or a [connector.Stream].
// GetFileContent can also stream ([connector.Streamer]).
//
// The operations, the trigger and the content handling are shared with the
// sftp and ftp connectors (connectors/internal/fsconn); this package opens
// the root folder.
package file

import (
	"path/filepath"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn"
)

// ID is the connector id.
const ID = "file"

// OnUpdatedFile is the id of the trigger "When a file is added or modified".
const OnUpdatedFile = fsconn.OnUpdatedFile

// Metadata is the Logic Apps BlobMetadata of a file or folder.
type Metadata = fsconn.Metadata

// Item is what the trigger returns for one file.
type Item = fsconn.Item

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct {
	// AllowedRoots, when not empty, are the only folders (and their
	// subfolders) a connection may use as its root folder. Servers should
	// set it: without it a connection can name any folder the process can
	// read.
	AllowedRoots []string
	// MaxContentBytes bounds a file read into memory (GetFileContent, the
	// trigger's content); 0 means 100 MiB.
	MaxContentBytes int64
	// MaxExtractBytes bounds what ExtractFolder may write; 0 means 1 GiB.
	MaxExtractBytes int64
}

// Connector serves the file operations. It holds no open resources between
// calls: every call opens the connection's root and closes it.
type Connector struct {
	*fsconn.Service
	cfg Config
}

// New returns a connector; it does no I/O.
func New(cfg Config) *Connector {
	c := &Connector{cfg: cfg}
	c.Service = fsconn.New(fsconn.Config{
		Name: ID, Spec: spec(), Open: c.open,
		MaxContentBytes: cfg.MaxContentBytes, MaxExtractBytes: cfg.MaxExtractBytes,
	})
	return c
}

// allowed reports whether dir is inside one of the allowed roots.
func (c *Connector) allowed(dir string) bool {
	if len(c.cfg.AllowedRoots) == 0 {
		return true
	}
	for _, a := range c.cfg.AllowedRoots {
		a = filepath.Clean(a)
		if dir == a || strings.HasPrefix(dir, a+string(filepath.Separator)) || a == string(filepath.Separator) {
			return true
		}
	}
	return false
}

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.Poller       = (*Connector)(nil)
	_ connector.Cleaner      = (*Connector)(nil)
	_ connector.Streamer     = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
