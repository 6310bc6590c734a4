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
// plain string (written as UTF-8 text) or raw bytes.
package file

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"github.com/junction-run/junction/connector"
)

// ID is the connector id.
const ID = "file"

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
	cfg    Config
	mu     sync.Mutex
	logger *slog.Logger
}

// New returns a connector; it does no I/O.
func New(cfg Config) *Connector {
	if cfg.MaxContentBytes <= 0 {
		cfg.MaxContentBytes = 100 << 20
	}
	if cfg.MaxExtractBytes <= 0 {
		cfg.MaxExtractBytes = 1 << 30
	}
	return &Connector{cfg: cfg, logger: connector.DiscardLogger()}
}

// SetLogger sets the logger; the connector logs only unexpected failures.
func (c *Connector) SetLogger(l *slog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logger = l
}

func (c *Connector) log() *slog.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logger
}

// Spec describes the connector.
func (c *Connector) Spec() connector.Spec { return spec() }

// Close releases nothing (every call closes what it opened); it is
// idempotent.
func (c *Connector) Close(context.Context) error { return nil }

// Test checks that the root folder exists, is a folder and may be used.
func (c *Connector) Test(ctx context.Context, conn connector.Connection) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := c.openRoot(conn)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := r.Stat("."); err != nil {
		return classify("reading root folder", err)
	}
	return nil
}

type handler func(ctx context.Context, c *Connector, fs *root, in connector.Input) (connector.Output, error)

var actions = map[string]handler{
	"CreateFile":      createFile,
	"GetFileContent":  getFileContent,
	"GetFileMetadata": getFileMetadata,
	"ListFolder":      listFolder,
	"UpdateFile":      updateFile,
	"AppendFile":      appendFile,
	"CopyFile":        copyFile,
	"MoveFile":        moveFile,
	"RenameFile":      renameFile,
	"DeleteFile":      deleteFile,
	"ExtractFolder":   extractFolder,
}

// Invoke runs an action.
func (c *Connector) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	h, ok := actions[operationID]
	if !ok {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "file: unknown action %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	r, err := c.openRoot(conn)
	if err != nil {
		return connector.Output{}, err
	}
	defer r.Close()
	out, err := h(ctx, c, r, in)
	if err != nil {
		if k := connector.KindOf(err); k == connector.KindUnknown && !errors.Is(err, context.Canceled) {
			c.log().Warn("file operation failed", "operation", operationID, "error", err.Error())
		}
		return connector.Output{}, fmt.Errorf("file %s: %w", operationID, err)
	}
	return out, nil
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
	_ connector.LoggerSetter = (*Connector)(nil)
)
