// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// getFileMetadata returns a file's or folder's metadata (GetFileMetadata).
func getFileMetadata(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	md, err := r.stat(p)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(md), nil
}
