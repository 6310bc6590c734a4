// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"
	"io/fs"
	"path"
	"sort"

	"github.com/junction-run/junction/connector"
)

// listFolder lists a folder's files and subfolders (ListFolder).
func listFolder(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	dir, err := rel(param(in, "id"))
	if err != nil {
		return connector.Output{}, err
	}
	items, err := r.list(ctx, dir)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(items), nil
}

// list returns the metadata of a folder's entries, sorted by name; it skips
// the connector's own temporary files.
func (r *root) list(ctx context.Context, dir string) ([]Metadata, error) {
	entries, err := fs.ReadDir(r.FS(), dir)
	if err != nil {
		return nil, classify("listing folder", err)
	}
	out := make([]Metadata, 0, len(entries))
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if isTemp(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, metadata(path.Join(dir, e.Name()), fi))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
