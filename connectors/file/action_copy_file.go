// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// copyFile copies a file (CopyFile).
func copyFile(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	src, err := pathParam(in, "source")
	if err != nil {
		return connector.Output{}, err
	}
	dst, err := pathParam(in, "destination")
	if err != nil {
		return connector.Output{}, err
	}
	f, err := r.Open(src)
	if err != nil {
		return connector.Output{}, classify("opening source", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", userPath(src))
	}
	if err := r.writeAtomic(ctx, dst, f, false, boolParam(in, "overwrite", false)); err != nil {
		return connector.Output{}, err
	}
	md, err := r.stat(dst)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(md), nil
}
