// SPDX-License-Identifier: Apache-2.0

package file

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/junction-run/junction/connector"
)

// extractFolder unpacks a zip archive into a folder (ExtractFolder).
func extractFolder(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	src, err := pathParam(in, "source")
	if err != nil {
		return connector.Output{}, err
	}
	dst, err := rel(param(in, "destination"))
	if err != nil {
		return connector.Output{}, err
	}
	overwrite := boolParam(in, "overwrite", false)
	f, err := r.Open(src)
	if err != nil {
		return connector.Output{}, classify("opening archive", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return connector.Output{}, classify("reading archive", err)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is not a zip archive: %v", userPath(src), err)
	}
	// Check every entry before writing anything.
	var total uint64
	for _, zf := range zr.File {
		name := strings.TrimLeft(strings.ReplaceAll(zf.Name, `\`, "/"), "/")
		if name != "" && !strings.HasSuffix(name, "/") {
			if _, err := rel(name); err != nil || strings.Contains(name, "../") || name == ".." {
				return connector.Output{}, connector.Errorf(connector.KindBadRequest, "archive entry %q leaves the destination folder", zf.Name)
			}
		}
		total += zf.UncompressedSize64
	}
	if total > uint64(c.cfg.MaxExtractBytes) {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "archive expands to %d bytes, more than the %d allowed", total, c.cfg.MaxExtractBytes)
	}
	var out []Metadata
	var written int64
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return connector.Output{}, err
		}
		name, _ := rel(zf.Name)
		if name == "." {
			continue
		}
		target := path.Join(dst, name)
		if zf.FileInfo().IsDir() {
			if err := r.MkdirAll(target, 0o755); err != nil {
				return connector.Output{}, classify("creating folder", err)
			}
			continue
		}
		if !zf.Mode().IsRegular() {
			continue // symlinks and devices are not extracted
		}
		rc, err := zf.Open()
		if err != nil {
			return connector.Output{}, connector.Errorf(connector.KindBadRequest, "reading archive entry %q: %v", zf.Name, err)
		}
		// The declared sizes may lie: count what is really written.
		lr := &limitedReader{r: rc, left: c.cfg.MaxExtractBytes - written}
		err = r.writeAtomic(ctx, target, lr, false, overwrite)
		rc.Close()
		written += lr.n
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return connector.Output{}, connector.Errorf(connector.KindBadRequest, "archive expands to more than %d bytes", c.cfg.MaxExtractBytes)
			}
			return connector.Output{}, err
		}
		md, err := r.stat(target)
		if err != nil {
			return connector.Output{}, err
		}
		out = append(out, md)
	}
	if out == nil {
		out = []Metadata{}
	}
	return ok(out), nil
}

var errTooLarge = errors.New("archive too large")

type limitedReader struct {
	r    io.Reader
	left int64
	n    int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.left {
		return 0, &fs.PathError{Op: "extract", Path: "", Err: errTooLarge}
	}
	return n, err
}
