// SPDX-License-Identifier: Apache-2.0

package file

import (
	"context"
	"os"
	"path"

	"github.com/junction-run/junction/connector"
)

// appendFile appends to a file, creating it when missing (AppendFile).
func appendFile(ctx context.Context, c *Connector, r *root, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	src, err := bodyReader(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	if err := r.MkdirAll(path.Dir(p), 0o755); err != nil {
		return connector.Output{}, classify("creating folder", err)
	}
	f, err := r.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return connector.Output{}, classify("opening file", err)
	}
	_, cerr := copyCtx(ctx, f, src, -1)
	if err := f.Close(); cerr == nil && err != nil {
		cerr = classify("writing", err)
	}
	if cerr != nil {
		return connector.Output{}, cerr
	}
	md, err := r.stat(p)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(md), nil
}
