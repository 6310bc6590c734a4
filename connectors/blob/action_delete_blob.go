// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// deleteBlob deletes a blob. S3 answers success for a missing key, so the
// blob is looked up first: deleting what is not there is a not-found error,
// as in Logic Apps.
func deleteBlob(ctx context.Context, _ *Connector, cl *minio.Client, in connector.Input) (connector.Output, error) {
	bucket, err := required(in, "container")
	if err != nil {
		return connector.Output{}, err
	}
	name, err := blobName(in, "blob")
	if err != nil {
		return connector.Output{}, err
	}
	if _, err := cl.StatObject(ctx, bucket, name, minio.StatObjectOptions{}); err != nil {
		return connector.Output{}, classify(ctx, "deleting "+bucket+"/"+name, err)
	}
	if err := cl.RemoveObject(ctx, bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return connector.Output{}, classify(ctx, "deleting "+bucket+"/"+name, err)
	}
	return connector.Output{StatusCode: 200}, nil
}
