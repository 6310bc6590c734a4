// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// getFileContent reads a file (GetFileContent).
func getFileContent(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	ct, err := r.readContent(ctx, p, c.cfg.MaxContentBytes, boolParam(in, "inferContentType", true))
	if err != nil {
		return connector.Output{}, err
	}
	return ok(ct), nil
}
