// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn"
)

// root is a connection's root folder, opened for one call. Names are
// already relative to it (fsconn refuses ".."); os.Root also refuses
// symbolic links that lead out of it.
type root struct {
	r *os.Root
}

func (c *Connector) open(ctx context.Context, conn connector.Connection) (fsconn.FS, error) {
	dir := conn.String("rootFolder")
	if dir == "" {
		return nil, connector.Errorf(connector.KindBadRequest, "file: the connection has no rootFolder")
	}
	if !filepath.IsAbs(dir) {
		return nil, connector.Errorf(connector.KindBadRequest, "file: rootFolder %q is not an absolute path", dir)
	}
	dir = filepath.Clean(dir)
	if !c.allowed(dir) {
		return nil, connector.Errorf(connector.KindUnauthenticated, "file: this server does not allow the root folder %q", dir)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, connector.Errorf(connector.KindBadRequest, "file: root folder %q does not exist", dir)
		}
		return nil, fsconn.Classify("opening root folder", err)
	}
	return &root{r}, nil
}

func (r *root) Stat(_ context.Context, name string) (fs.FileInfo, error) { return r.r.Stat(name) }

func (r *root) ReadDir(_ context.Context, name string) ([]fs.FileInfo, error) {
	entries, err := fs.ReadDir(r.r.FS(), name)
	if err != nil {
		return nil, err
	}
	out := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		if fi, err := e.Info(); err == nil { // else removed meanwhile
			out = append(out, fi)
		}
	}
	return out, nil
}

func (r *root) Open(_ context.Context, name string) (io.ReadCloser, error) { return r.r.Open(name) }

func (r *root) Write(_ context.Context, name string, src io.Reader, exclusive bool) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if exclusive {
		flag |= os.O_EXCL
	}
	return r.copyTo(name, flag, src)
}

func (r *root) Append(_ context.Context, name string, src io.Reader) error {
	return r.copyTo(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, src)
}

func (r *root) copyTo(name string, flag int, src io.Reader) error {
	f, err := r.r.OpenFile(name, flag, 0o644)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(struct{ io.Writer }{f}, src, make([]byte, 256<<10))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Rename without overwrite links then removes: it fails instead of
// replacing a file.
func (r *root) Rename(_ context.Context, from, to string, overwrite bool) error {
	if overwrite {
		return r.r.Rename(from, to)
	}
	if err := r.r.Link(from, to); err != nil {
		return err
	}
	return r.r.Remove(from)
}

func (r *root) Remove(_ context.Context, name string) error   { return r.r.Remove(name) }
func (r *root) MkdirAll(_ context.Context, name string) error { return r.r.MkdirAll(name, 0o755) }
func (r *root) Close() error                                  { return r.r.Close() }

var _ fsconn.FS = (*root)(nil)
