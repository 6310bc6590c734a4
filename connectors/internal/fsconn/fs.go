// SPDX-License-Identifier: Apache-2.0

// Package fsconn holds what the file-like connectors (file, sftp, ftp) share:
// the spec of their operations and trigger (modelled on the Logic Apps File
// System, SFTP and FTP connectors), input decoding, the Logic Apps content
// envelope, the metadata shape, atomic writes, the polling trigger with its
// cursor and afterRead cleanup, and zip extraction.
//
// A connector supplies an [Opener] that returns an [FS] for a connection:
// a small file system interface rooted at the connection's root folder. A
// [Service] serves every operation on top of it, so a connector package only
// connects, maps its protocol's errors and declares its connection
// parameters.
package fsconn

import (
	"context"
	"io"
	"io/fs"
	"time"

	"github.com/junction-run/junction/connector"
)

// FS is one connection's file system, opened for one operation call (or one
// stream) and closed afterwards. It is used by one goroutine at a time.
//
// Names are slash-separated, cleaned and relative to the connection's root
// folder ("." is the root): the [Service] has already refused names that
// leave the root, so an implementation only joins them to its root.
//
// Errors: an implementation wraps [fs.ErrNotExist] for a missing file or
// folder, [fs.ErrExist] where the method says so and [fs.ErrPermission] for
// a refused access. It may return a classified [*connector.Error] (for
// example a lost connection as [connector.KindRetryable]); any other error
// counts as retryable. Errors never contain credentials.
type FS interface {
	// Stat returns the metadata of a file or folder (following links).
	Stat(ctx context.Context, name string) (fs.FileInfo, error)
	// ReadDir returns a folder's entries in any order.
	ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error)
	// Open opens a file for reading. The reader may also implement
	// [io.ReaderAt] (zip extraction then reads it in place).
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Write creates or truncates a file with the content of src, read to
	// its end. With exclusive it fails (wrapping fs.ErrExist) when the file
	// exists, where the protocol can tell.
	Write(ctx context.Context, name string, src io.Reader, exclusive bool) error
	// Append adds src to the end of a file, creating it when missing.
	Append(ctx context.Context, name string, src io.Reader) error
	// Rename moves a file. Without overwrite it fails, wrapping
	// fs.ErrExist, when to exists.
	Rename(ctx context.Context, from, to string, overwrite bool) error
	// Remove deletes a file.
	Remove(ctx context.Context, name string) error
	// MkdirAll creates a folder and its missing parents.
	MkdirAll(ctx context.Context, name string) error
	// Close releases the connection; it is idempotent.
	Close() error
}

// Cloner is implemented by file systems whose connection cannot read one
// file while writing another (FTP has one transfer per control connection).
// Clone opens a second, independent FS on the same root; the caller closes
// it. CopyFile reads its source through the clone.
type Cloner interface {
	Clone(ctx context.Context) (FS, error)
}

// Opener opens the FS of a connection. ctx bounds connecting and the use
// of the FS: cancelling it aborts transfers in progress.
type Opener func(ctx context.Context, conn connector.Connection) (FS, error)

// FileInfo is a plain [fs.FileInfo] for implementations whose protocol does
// not return one.
type FileInfo struct {
	FName    string
	FSize    int64
	FModTime time.Time
	FIsDir   bool
}

// Name returns FName.
func (f FileInfo) Name() string { return f.FName }

// Size returns FSize.
func (f FileInfo) Size() int64 { return f.FSize }

// ModTime returns FModTime.
func (f FileInfo) ModTime() time.Time { return f.FModTime }

// IsDir returns FIsDir.
func (f FileInfo) IsDir() bool { return f.FIsDir }

// Sys returns nil.
func (f FileInfo) Sys() any { return nil }

// Mode is a folder's or a plain file's usual mode.
func (f FileInfo) Mode() fs.FileMode {
	if f.FIsDir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

var _ fs.FileInfo = FileInfo{}
