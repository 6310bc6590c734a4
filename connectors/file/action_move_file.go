// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"
	"errors"
	"io/fs"
	"path"

	"github.com/junction-run/junction/connector"
)

// moveFile moves a file to another path (MoveFile).
func moveFile(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	src, err := pathParam(in, "source")
	if err != nil {
		return connector.Output{}, err
	}
	dst, err := pathParam(in, "destination")
	if err != nil {
		return connector.Output{}, err
	}
	return r.move(src, dst, boolParam(in, "overwrite", false))
}

// renameFile gives a file a new name in the same folder (RenameFile).
func renameFile(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	src, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	name := param(in, "newName")
	if name == "" || path.Base(name) != name || name == "." || name == ".." {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "newName %q must be a file name without folders", name)
	}
	return r.move(src, path.Join(path.Dir(src), name), false)
}

func (r *root) move(src, dst string, overwrite bool) (connector.Output, error) {
	fi, err := r.Stat(src)
	if err != nil {
		return connector.Output{}, classify("reading source", err)
	}
	if fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", userPath(src))
	}
	if err := r.MkdirAll(path.Dir(dst), 0o755); err != nil {
		return connector.Output{}, classify("creating folder", err)
	}
	if overwrite {
		if err := r.Rename(src, dst); err != nil {
			return connector.Output{}, classify("moving file", err)
		}
	} else {
		// Link then remove: fails instead of replacing an existing file.
		if err := r.Link(src, dst); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s already exists", userPath(dst))
			}
			return connector.Output{}, classify("moving file", err)
		}
		if err := r.Remove(src); err != nil {
			return connector.Output{}, classify("removing source", err)
		}
	}
	md, err := r.stat(dst)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(md), nil
}
