// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// deleteFile removes a file (DeleteFile).
func deleteFile(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	if p == "." {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "cannot delete the root folder")
	}
	fi, err := r.Lstat(p)
	if err != nil {
		return connector.Output{}, classify("reading metadata", err)
	}
	if fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", userPath(p))
	}
	if err := r.Remove(p); err != nil {
		return connector.Output{}, classify("deleting file", err)
	}
	return connector.Output{StatusCode: 200}, nil
}
