// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// updateFile replaces an existing file's content (UpdateFile).
func updateFile(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	src, err := bodyReader(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	if err := r.writeAtomic(ctx, p, src, true, true); err != nil {
		return connector.Output{}, err
	}
	md, err := r.stat(p)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(md), nil
}
