// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"
	"fmt"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// createBlob writes a blob, replacing one with the same name. The body is
// uploaded as it is read: bodies of unknown size, or larger than the part
// size, go up as a multipart upload one part at a time, so memory stays at
// about one part (Config.PartSize) whatever the size.
func createBlob(ctx context.Context, c *Connector, cl *minio.Client, in connector.Input) (connector.Output, error) {
	bucket, err := required(in, "container")
	if err != nil {
		return connector.Output{}, err
	}
	name, err := blobName(in, "blob")
	if err != nil {
		return connector.Output{}, err
	}
	body, err := bodyContent(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	ct := in.String("contentType")
	if ct == "" {
		ct = body.contentType
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	meta := map[string]string{}
	if m, ok := in.Parameters["metadata"].(map[string]any); ok {
		for k, v := range m {
			meta[k] = fmt.Sprint(v)
		}
	}
	what := "writing " + bucket + "/" + name
	_, err = cl.PutObject(ctx, bucket, name, body.r, body.size, minio.PutObjectOptions{
		ContentType: ct, UserMetadata: meta, PartSize: c.cfg.PartSize,
		// One part in memory at a time: without this minio-go reads
		// several parts ahead in parallel for unknown sizes.
		NumThreads: 1,
	})
	if err != nil {
		return connector.Output{}, classify(ctx, what, err)
	}
	info, err := cl.StatObject(ctx, bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return connector.Output{}, classify(ctx, what, err)
	}
	return connector.Output{StatusCode: 200, Body: metadataOf(bucket, info)}, nil
}
