// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// PresignedURL is the output of CreatePresignedURL.
type PresignedURL struct {
	URL       string    `json:"url"`
	Method    string    `json:"method"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// createPresignedURL signs a GET or PUT URL for a blob, valid for
// expirySeconds (default 3600, at most 7 days as in S3). Signing is local:
// it checks neither that the blob exists nor that the keys work.
func createPresignedURL(ctx context.Context, _ *Connector, cl *minio.Client, in connector.Input) (connector.Output, error) {
	bucket, err := required(in, "container")
	if err != nil {
		return connector.Output{}, err
	}
	name, err := blobName(in, "blob")
	if err != nil {
		return connector.Output{}, err
	}
	method := strings.ToUpper(in.String("method"))
	if method == "" {
		method = "GET"
	}
	secs, err := in.Int("expirySeconds", 3600, 1, 7*24*3600)
	if err != nil {
		return connector.Output{}, err
	}
	exp := time.Duration(secs) * time.Second
	what := "signing a URL for " + bucket + "/" + name
	var u string
	switch method {
	case "GET":
		p, err := cl.PresignedGetObject(ctx, bucket, name, exp, nil)
		if err != nil {
			return connector.Output{}, classify(ctx, what, err)
		}
		u = p.String()
	case "PUT":
		p, err := cl.PresignedPutObject(ctx, bucket, name, exp)
		if err != nil {
			return connector.Output{}, classify(ctx, what, err)
		}
		u = p.String()
	default:
		return connector.Output{}, badRequest("method must be GET or PUT")
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	return connector.Output{StatusCode: 200, Body: PresignedURL{URL: u, Method: method, ExpiresAt: time.Now().Add(exp).UTC().Truncate(time.Second)}}, nil
}
