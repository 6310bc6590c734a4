// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/junction-run/junction/connector"
)

// extractFolder unpacks a zip archive into a folder (ExtractFolder).
func extractFolder(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	src, err := pathParam(in, "source")
	if err != nil {
		return connector.Output{}, err
	}
	dst, err := Rel(in.String("destination"))
	if err != nil {
		return connector.Output{}, err
	}
	overwrite, err := in.Bool("overwrite", false)
	if err != nil {
		return connector.Output{}, err
	}
	fi, err := fsys.Stat(ctx, src)
	if err != nil {
		return connector.Output{}, Classify("opening archive", err)
	}
	if fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(src))
	}
	ra, closeArchive, err := openArchive(ctx, fsys, src, fi.Size(), s.cfg.MaxExtractBytes)
	if err != nil {
		return connector.Output{}, err
	}
	defer closeArchive()
	zr, err := zip.NewReader(ra, fi.Size())
	if err != nil {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is not a zip archive: %v", UserPath(src), err)
	}
	// Check every entry before writing anything.
	var total uint64
	for _, zf := range zr.File {
		name := strings.TrimLeft(strings.ReplaceAll(zf.Name, `\`, "/"), "/")
		if name != "" && !strings.HasSuffix(name, "/") {
			if _, err := Rel(name); err != nil || strings.Contains(name, "../") || name == ".." {
				return connector.Output{}, connector.Errorf(connector.KindBadRequest, "archive entry %q leaves the destination folder", zf.Name)
			}
		}
		total += zf.UncompressedSize64
	}
	if total > uint64(s.cfg.MaxExtractBytes) {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "archive expands to %d bytes, more than the %d allowed", total, s.cfg.MaxExtractBytes)
	}
	var out []Metadata
	var written int64
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return connector.Output{}, err
		}
		name, _ := Rel(zf.Name)
		if name == "." {
			continue
		}
		target := path.Join(dst, name)
		if zf.FileInfo().IsDir() {
			if err := fsys.MkdirAll(ctx, target); err != nil {
				return connector.Output{}, Classify("creating folder", err)
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
		lr := &limitedReader{r: rc, left: s.cfg.MaxExtractBytes - written}
		err = writeAtomic(ctx, fsys, target, lr, false, overwrite)
		rc.Close()
		written += lr.n
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return connector.Output{}, connector.Errorf(connector.KindBadRequest, "archive expands to more than %d bytes", s.cfg.MaxExtractBytes)
			}
			return connector.Output{}, err
		}
		md, err := stat(ctx, fsys, target)
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

// openArchive returns random access to an archive: the file itself when
// the FS reader supports it, otherwise a local temporary copy (a zip's
// directory is at its end). The copy is bounded by limit.
func openArchive(ctx context.Context, fsys FS, name string, size, limit int64) (io.ReaderAt, func(), error) {
	f, err := fsys.Open(ctx, name)
	if err != nil {
		return nil, nil, Classify("opening archive", err)
	}
	if ra, ok := f.(io.ReaderAt); ok {
		return ra, func() { f.Close() }, nil
	}
	defer f.Close()
	if size > limit {
		return nil, nil, connector.Errorf(connector.KindBadRequest, "archive is %d bytes, more than the %d allowed", size, limit)
	}
	tmp, err := os.CreateTemp("", "junction-archive-*")
	if err != nil {
		return nil, nil, connector.Errorf(connector.KindRetryable, "creating a local copy of the archive: %v", err)
	}
	cleanup := func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	if _, err := io.Copy(tmp, newCtxReader(ctx, f, limit)); err != nil {
		cleanup()
		return nil, nil, Classify("reading archive", err)
	}
	return tmp, cleanup, nil
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
