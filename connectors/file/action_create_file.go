// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"
	"path"

	"github.com/junction-run/junction/connector"
)

// createFile writes a new file (CreateFile).
func createFile(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	dir, err := rel(param(in, "folderPath"))
	if err != nil {
		return connector.Output{}, err
	}
	name := param(in, "name")
	if name == "" || path.Base(name) != name || name == "." || name == ".." {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "name %q must be a file name without folders", name)
	}
	src, err := bodyReader(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	p := path.Join(dir, name)
	if err := r.writeAtomic(ctx, p, src, false, boolParam(in, "overwrite", false)); err != nil {
		return connector.Output{}, err
	}
	md, err := r.stat(p)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(md), nil
}
