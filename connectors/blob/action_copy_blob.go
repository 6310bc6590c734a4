// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// copyBlob copies a blob on the server side (no bytes pass through
// Junction). S3 copies in one request up to 5 GiB.
func copyBlob(ctx context.Context, _ *Connector, cl *minio.Client, in connector.Input) (connector.Output, error) {
	srcBucket, err := required(in, "sourceContainer")
	if err != nil {
		return connector.Output{}, err
	}
	src, err := blobName(in, "source")
	if err != nil {
		return connector.Output{}, err
	}
	dstBucket := in.String("destinationContainer")
	if dstBucket == "" {
		dstBucket = srcBucket
	}
	dst, err := blobName(in, "destination")
	if err != nil {
		return connector.Output{}, err
	}
	overwrite, err := in.Bool("overwrite", true)
	if err != nil {
		return connector.Output{}, err
	}
	what := "copying " + srcBucket + "/" + src + " to " + dstBucket + "/" + dst
	if !overwrite {
		_, err := cl.StatObject(ctx, dstBucket, dst, minio.StatObjectOptions{})
		if err == nil {
			return connector.Output{}, badRequest("%s: destination exists and overwrite is false", what)
		}
		if e := classify(ctx, what, err); connector.KindOf(e) != connector.KindNotFound {
			return connector.Output{}, e
		}
	}
	if _, err := cl.CopyObject(ctx, minio.CopyDestOptions{Bucket: dstBucket, Object: dst},
		minio.CopySrcOptions{Bucket: srcBucket, Object: src}); err != nil {
		return connector.Output{}, classify(ctx, what, err)
	}
	info, err := cl.StatObject(ctx, dstBucket, dst, minio.StatObjectOptions{})
	if err != nil {
		return connector.Output{}, classify(ctx, what, err)
	}
	return connector.Output{StatusCode: 200, Body: metadataOf(dstBucket, info)}, nil
}
