// SPDX-License-Identifier: Apache-2.0

package sftp

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn"
)

// sftpFS is one SSH connection's file system under the root folder.
type sftpFS struct {
	c    *sftp.Client
	ssh  *ssh.Client
	stop func() bool
	base string
	once sync.Once
}

func (c *Connector) open(ctx context.Context, conn connector.Connection) (fsconn.FS, error) {
	base := "."
	if rf := conn.String("rootFolder"); rf != "" {
		base = path.Clean(rf)
	}
	sc, stop, err := c.dial(ctx, conn)
	if err != nil {
		return nil, err
	}
	cl, err := sftp.NewClient(sc, sftp.UseConcurrentReads(true), sftp.UseConcurrentWrites(true))
	if err != nil {
		stop()
		sc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &connector.Error{Kind: connector.KindRetryable, Message: "sftp: starting the sftp subsystem", Err: err}
	}
	return &sftpFS{c: cl, ssh: sc, stop: stop, base: base}, nil
}

func (f *sftpFS) full(name string) string { return path.Join(f.base, name) }

// wrap maps an SFTP error to the fs errors fsconn classifies, with the
// root-relative name (never the server's root).
func wrap(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var se *sftp.StatusError
	if errors.As(err, &se) {
		switch se.FxCode() {
		case sftp.ErrSSHFxNoSuchFile:
			err = fs.ErrNotExist
		case sftp.ErrSSHFxPermissionDenied:
			err = fs.ErrPermission
		case sftp.ErrSSHFxFailure, sftp.ErrSSHFxBadMessage, sftp.ErrSSHFxOpUnsupported:
			// The server refused (a folder where a file is expected, a full
			// disk...): retrying the same call does not help.
			return &connector.Error{Kind: connector.KindBadRequest, Message: op + " " + fsconn.UserPath(name), Err: se}
		}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (f *sftpFS) Stat(_ context.Context, name string) (fs.FileInfo, error) {
	fi, err := f.c.Stat(f.full(name))
	return fi, wrap("stat", name, err)
}

func (f *sftpFS) ReadDir(_ context.Context, name string) ([]fs.FileInfo, error) {
	fis, err := f.c.ReadDir(f.full(name))
	if err != nil {
		return nil, wrap("readdir", name, err)
	}
	out := fis[:0]
	for _, fi := range fis {
		if fi.Mode()&fs.ModeSymlink != 0 {
			// Report what the link points to, as the file connector does.
			if t, err := f.c.Stat(f.full(path.Join(name, fi.Name()))); err == nil {
				fi = fsconn.FileInfo{FName: fi.Name(), FSize: t.Size(), FModTime: t.ModTime(), FIsDir: t.IsDir()}
			}
		}
		out = append(out, fi)
	}
	return out, nil
}

func (f *sftpFS) Open(_ context.Context, name string) (io.ReadCloser, error) {
	r, err := f.c.Open(f.full(name))
	if err != nil {
		return nil, wrap("open", name, err)
	}
	return r, nil
}

func (f *sftpFS) Write(_ context.Context, name string, src io.Reader, exclusive bool) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if exclusive {
		flag |= os.O_EXCL
	}
	w, err := f.c.OpenFile(f.full(name), flag)
	if err != nil {
		return wrap("create", name, err)
	}
	// ReadFrom pipelines the writes (concurrent requests).
	_, err = w.ReadFrom(src)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return wrap("write", name, err)
}

// Append writes at the current end: the file is not opened with
// SSH_FXF_APPEND, because pipelined writes must carry their offsets.
func (f *sftpFS) Append(_ context.Context, name string, src io.Reader) error {
	w, err := f.c.OpenFile(f.full(name), os.O_WRONLY|os.O_CREATE)
	if err != nil {
		return wrap("open", name, err)
	}
	if _, err = w.Seek(0, io.SeekEnd); err == nil {
		_, err = w.ReadFrom(src)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return wrap("append", name, err)
}

// Rename with overwrite uses posix-rename@openssh.com (atomic replace);
// without, the plain SFTP rename, which fails when the target exists.
func (f *sftpFS) Rename(ctx context.Context, from, to string, overwrite bool) error {
	if overwrite {
		return wrap("rename", from, f.c.PosixRename(f.full(from), f.full(to)))
	}
	err := f.c.Rename(f.full(from), f.full(to))
	if err != nil {
		if _, serr := f.c.Stat(f.full(to)); serr == nil {
			return &fs.PathError{Op: "rename", Path: to, Err: fs.ErrExist}
		}
	}
	return wrap("rename", from, err)
}

func (f *sftpFS) Remove(_ context.Context, name string) error {
	return wrap("remove", name, f.c.Remove(f.full(name)))
}

func (f *sftpFS) MkdirAll(_ context.Context, name string) error {
	if name == "." {
		return nil
	}
	return wrap("mkdir", name, f.c.MkdirAll(f.full(name)))
}

func (f *sftpFS) Close() error {
	f.once.Do(func() {
		f.stop()
		f.c.Close()
		f.ssh.Close()
	})
	return nil
}

var _ fsconn.FS = (*sftpFS)(nil)
