// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// BlobList is one page of ListBlobs.
type BlobList struct {
	Value []Metadata `json:"value"`
	// NextPageMarker, when set, is the continuationToken of the next page.
	NextPageMarker string `json:"nextPageMarker,omitempty"`
}

// afterEverything sorts after any key with the same prefix: S3 compares
// keys as UTF-8 bytes and U+10FFFF is the largest code point.
const afterEverything = "\U0010FFFF"

// listBlobs lists a page of blobs. With delimiter "/" the blobs directly
// under prefix are listed and deeper names are rolled up into folders;
// without it every blob under prefix is listed. The continuation token is
// opaque (the last name of the previous page).
func listBlobs(ctx context.Context, _ *Connector, cl *minio.Client, in connector.Input) (connector.Output, error) {
	bucket, err := required(in, "container")
	if err != nil {
		return connector.Output{}, err
	}
	prefix := strings.TrimPrefix(in.String("prefix"), "/")
	delim := in.String("delimiter")
	if delim != "" && delim != "/" {
		return connector.Output{}, badRequest(`delimiter must be "/" or empty`)
	}
	top, err := in.Int("top", 1000, 1, 5000)
	if err != nil {
		return connector.Output{}, err
	}
	var startAfter string
	if tok := in.String("continuationToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return connector.Output{}, badRequest("continuationToken is not a token returned by ListBlobs")
		}
		startAfter = string(b)
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops minio's listing goroutine once the page is full
	// minio-go hands over each service page's blobs, then its folders:
	// collect one more than a page and sort by name.
	var got []minio.ObjectInfo
	for o := range cl.ListObjects(lctx, bucket, minio.ListObjectsOptions{
		Prefix: prefix, Recursive: delim == "", StartAfter: startAfter, MaxKeys: min(top+1, 1000),
	}) {
		if o.Err != nil {
			return connector.Output{}, classify(ctx, "listing "+bucket, o.Err)
		}
		got = append(got, o)
		if len(got) > top {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	slices.SortFunc(got, func(a, b minio.ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	page := BlobList{Value: make([]Metadata, 0, min(len(got), top))}
	for i, o := range got {
		if i == top {
			last := got[i-1].Key
			if page.Value[i-1].IsFolder {
				last += afterEverything
			}
			page.NextPageMarker = base64.RawURLEncoding.EncodeToString([]byte(last))
			break
		}
		page.Value = append(page.Value, metadataOf(bucket, o))
	}
	return connector.Output{StatusCode: 200, Body: page}, nil
}
