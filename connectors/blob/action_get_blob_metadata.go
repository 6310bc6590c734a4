// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// Metadata describes a blob or a virtual folder (a common prefix), with the
// field names of the Logic Apps BlobMetadata.
type Metadata struct {
	// ID is the blob's path, /container/name.
	ID           string    `json:"Id"`
	Name         string    `json:"Name"`
	DisplayName  string    `json:"DisplayName"`
	Path         string    `json:"Path"`
	Container    string    `json:"Container"`
	LastModified time.Time `json:"LastModified,omitzero"`
	Size         int64     `json:"Size"`
	MediaType    string    `json:"MediaType,omitempty"`
	IsFolder     bool      `json:"IsFolder"`
	ETag         string    `json:"ETag,omitempty"`
	// FileLocator is the blob name inside its container: the value the
	// other actions take as blob.
	FileLocator string `json:"FileLocator"`
	// Metadata is the user metadata (x-amz-meta-*), GetBlobMetadata only.
	Metadata map[string]string `json:"Metadata,omitempty"`
}

func metadataOf(bucket string, o minio.ObjectInfo) Metadata {
	name := o.Key
	folder := strings.HasSuffix(o.Key, "/") && o.ETag == ""
	display := strings.TrimSuffix(name, "/")
	if i := strings.LastIndex(display, "/"); i >= 0 {
		display = display[i+1:]
	}
	m := Metadata{
		ID: "/" + bucket + "/" + name, Name: display, DisplayName: display, Path: "/" + bucket + "/" + name,
		Container: bucket, LastModified: o.LastModified.UTC(), Size: o.Size, MediaType: o.ContentType,
		IsFolder: folder, ETag: strings.Trim(o.ETag, `"`), FileLocator: name,
	}
	if len(o.UserMetadata) > 0 {
		m.Metadata = make(map[string]string, len(o.UserMetadata))
		for k, v := range o.UserMetadata {
			m.Metadata[strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(k, "X-Amz-Meta-"), "x-amz-meta-"))] = v
		}
	}
	return m
}

func getBlobMetadata(ctx context.Context, _ *Connector, cl *minio.Client, in connector.Input) (connector.Output, error) {
	bucket, err := required(in, "container")
	if err != nil {
		return connector.Output{}, err
	}
	name, err := blobName(in, "blob")
	if err != nil {
		return connector.Output{}, err
	}
	info, err := cl.StatObject(ctx, bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return connector.Output{}, classify(ctx, "reading metadata of "+bucket+"/"+name, err)
	}
	return connector.Output{StatusCode: 200, Body: metadataOf(bucket, info)}, nil
}
