// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"encoding/json"

	"github.com/junction-run/junction/connector"
)

const metadataSchema = `{
  "type": "object",
  "description": "Blob or folder metadata (BlobMetadata).",
  "properties": {
    "Id": {"type": "string", "description": "Path of the blob, /container/name."},
    "Name": {"type": "string", "description": "Last segment of the blob name."},
    "DisplayName": {"type": "string"},
    "Path": {"type": "string", "description": "/container/name."},
    "Container": {"type": "string", "description": "Bucket."},
    "LastModified": {"type": "string", "format": "date-time"},
    "Size": {"type": "integer"},
    "MediaType": {"type": "string"},
    "IsFolder": {"type": "boolean", "description": "A common prefix when listing with a delimiter."},
    "ETag": {"type": "string"},
    "FileLocator": {"type": "string", "description": "Blob name inside the container: what the other actions take as blob."},
    "Metadata": {"type": "object", "additionalProperties": {"type": "string"}, "description": "User metadata (x-amz-meta-*)."}
  },
  "required": ["Id", "Name", "Path", "Container", "Size", "IsFolder", "FileLocator"]
}`

const contentSchema = `{
  "type": "object",
  "description": "Blob content: {\"$content-type\", \"$content\" (base64)}.",
  "properties": {
    "$content-type": {"type": "string"},
    "$content": {"type": "string", "contentEncoding": "base64"}
  },
  "required": ["$content-type", "$content"]
}`

const listSchema = `{
  "type": "object",
  "description": "One page of blobs.",
  "properties": {
    "value": {"type": "array", "items": ` + metadataSchema + `},
    "nextPageMarker": {"type": "string", "description": "Pass as continuationToken for the next page; absent on the last page."}
  },
  "required": ["value"]
}`

const presignedSchema = `{
  "type": "object",
  "description": "A presigned URL.",
  "properties": {
    "url": {"type": "string", "format": "uri"},
    "method": {"type": "string", "enum": ["GET", "PUT"]},
    "expiresAt": {"type": "string", "format": "date-time"}
  },
  "required": ["url", "method", "expiresAt"]
}`

const bodySchema = `{
  "description": "Blob content: a string (stored as UTF-8 text), or {\"$content-type\", \"$content\" (base64)} for binary.",
  "anyOf": [
    {"type": "string"},
    {"type": "object", "properties": {"$content-type": {"type": "string"}, "$content": {"type": "string"}}, "required": ["$content"]}
  ]
}`

var itemSchema = `{
  "type": "object",
  "description": "A blob added or modified: its metadata, and its content when includeContent is true.",
  "allOf": [` + metadataSchema + `],
  "properties": {"Content": ` + contentSchema + `}
}`

func schema(v map[string]any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func str(desc string) json.RawMessage {
	return schema(map[string]any{"type": "string", "description": desc})
}

func boolean(desc string, def bool) json.RawMessage {
	return schema(map[string]any{"type": "boolean", "description": desc, "default": def})
}

func integer(desc string, def, lo, hi int) json.RawMessage {
	return schema(map[string]any{"type": "integer", "description": desc, "default": def, "minimum": lo, "maximum": hi})
}

func q(name, summary, desc string, required bool, s json.RawMessage) connector.Param {
	return connector.Param{Name: name, In: connector.InQuery, Required: required, Summary: summary, Description: desc, Schema: s}
}

func ok200(desc, s string) []connector.Response {
	r := connector.Response{Status: "200", Description: desc}
	if s != "" {
		r.Schema = json.RawMessage(s)
	}
	return []connector.Response{r}
}

// action declares an action; an ApiConnection action's inputs.method and
// inputs.path match its method and path.
func action(id, method, path, summary, desc string, params []connector.Param, resp []connector.Response) connector.Operation {
	return connector.Operation{ID: id, Kind: connector.KindAction, Method: method, Path: path, Summary: summary, Description: desc,
		Parameters: params, Responses: resp, Tags: []string{"blobs"}}
}

var (
	containerParam = connector.Param{Name: "container", In: connector.InPath, Required: true, Summary: "Container", Description: "Bucket name.", Schema: str("bucket name")}
	blobParam      = q("blob", "Blob", "Blob name (object key) inside the container, e.g. in/order.json; a leading / is ignored.", true, str("blob name"))
)

func spec() connector.Spec {
	return connector.Spec{
		ID:          ID,
		Title:       "S3-compatible Blob Storage",
		Description: "List, read, write, copy and delete blobs (objects) in any S3-compatible store (Amazon S3, MinIO, versitygw, Ceph, R2...), sign URLs, and trigger on blobs added or modified. Large blobs are streamed and uploaded in parts.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		Publisher:   "Junction",
		BrandColor:  "#c7402d",
		Auth:        []connector.Auth{{Kind: connector.AuthAPIKey, Description: "S3 access key and secret key (AWS Signature V4)."}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "endpoint", Type: connector.TypeString, Required: true, DisplayName: "Endpoint",
				Description: "Service endpoint: host[:port] (useSSL decides TLS) or an http(s) URL, e.g. s3.amazonaws.com or http://127.0.0.1:7070."},
			{Name: "region", Type: connector.TypeString, DisplayName: "Region", Default: "us-east-1",
				Description: "Region to sign for, e.g. us-east-1. Empty asks the service (one extra call per bucket)."},
			{Name: "accessKey", Type: connector.TypeString, DisplayName: "Access key ID", Description: "Access key ID; empty for anonymous access."},
			{Name: "secretKey", Type: connector.TypeSecureString, DisplayName: "Secret access key", Description: "Secret access key."},
			{Name: "useSSL", Type: connector.TypeBool, DisplayName: "Use TLS", Default: true, Advanced: true,
				Description: "Use HTTPS when the endpoint has no scheme."},
			{Name: "pathStyle", Type: connector.TypeBool, DisplayName: "Path-style addressing", Default: false, Advanced: true,
				Description: "Address buckets as endpoint/bucket instead of bucket.endpoint (MinIO, versitygw and most self-hosted stores need this)."},
		},
		Capabilities: []string{"actions", "triggers"},
		Operations: []connector.Operation{
			action("ListBlobs", "GET", "/datasets/default/containers/{container}/blobs", "List blobs", "Lists one page of the blobs in a container, by name. With delimiter / only the blobs directly under prefix are listed and deeper names appear as folders.",
				[]connector.Param{
					containerParam,
					q("prefix", "Prefix", "List only blobs whose name starts with this, e.g. in/.", false, str("name prefix")),
					q("delimiter", "Delimiter", "/ to list one level (folders); empty to list every blob under prefix.", false,
						schema(map[string]any{"type": "string", "enum": []string{"", "/"}, "default": "", "description": "delimiter"})),
					q("top", "Page size", "Blobs per page.", false, integer("page size", 1000, 1, 5000)),
					q("continuationToken", "Continuation token", "nextPageMarker of the previous page.", false, str("continuation token")),
				}, ok200("One page of blobs.", listSchema)),
			action("GetBlobContent", "GET", "/datasets/default/containers/{container}/blobs/content", "Get blob content", "Reads a blob's content as {\"$content-type\", \"$content\"}. Hosts that stream read it without buffering (connector.Streamer).",
				[]connector.Param{containerParam, blobParam,
					q("inferContentType", "Infer content type", "When the blob has no specific content type, guess it from the name.", false, boolean("infer content type", true))},
				ok200("The blob's content.", contentSchema)),
			action("GetBlobMetadata", "GET", "/datasets/default/containers/{container}/blobs/metadata", "Get blob metadata", "Returns a blob's metadata, user metadata included.",
				[]connector.Param{containerParam, blobParam}, ok200("Metadata.", metadataSchema)),
			action("CreateBlob", "POST", "/datasets/default/containers/{container}/blobs", "Create blob", "Writes a blob, replacing one with the same name. Large bodies go up as a multipart upload, one part in memory at a time.",
				[]connector.Param{containerParam, blobParam,
					q("contentType", "Content type", "Media type to store; default: from the body, else application/octet-stream.", false, str("media type")),
					q("metadata", "Metadata", "User metadata to store with the blob (x-amz-meta-*).", false,
						schema(map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}, "description": "user metadata"})),
					{Name: "body", In: connector.InBody, Required: true, Summary: "Blob content", Description: "The content to write.", Schema: json.RawMessage(bodySchema)},
				}, ok200("Metadata of the blob written.", metadataSchema)),
			action("DeleteBlob", "DELETE", "/datasets/default/containers/{container}/blobs", "Delete blob", "Deletes a blob. Fails with not found when it does not exist.",
				[]connector.Param{containerParam, blobParam}, ok200("The blob was deleted.", "")),
			action("CopyBlob", "POST", "/datasets/default/copyBlob", "Copy blob", "Copies a blob on the server (nothing passes through Junction), within a container or to another. Up to 5 GiB.",
				[]connector.Param{
					q("sourceContainer", "Source container", "Bucket of the blob to copy.", true, str("bucket name")),
					q("source", "Source blob", "Name of the blob to copy.", true, str("blob name")),
					q("destinationContainer", "Destination container", "Bucket of the copy; default: the source container.", false, str("bucket name")),
					q("destination", "Destination blob", "Name of the copy.", true, str("blob name")),
					q("overwrite", "Overwrite", "Replace the destination when it exists.", false, boolean("replace an existing blob", true)),
				}, ok200("Metadata of the copy.", metadataSchema)),
			action("CreatePresignedURL", "POST", "/datasets/default/containers/{container}/blobs/presign", "Create presigned URL", "Signs a URL anyone can use, until it expires, to GET (download) or PUT (upload) one blob without credentials. Signing is local: it checks neither the blob nor the keys.",
				[]connector.Param{containerParam, blobParam,
					q("method", "Method", "GET to download, PUT to upload.", false,
						schema(map[string]any{"type": "string", "enum": []string{"GET", "PUT"}, "default": "GET", "description": "HTTP method"})),
					q("expirySeconds", "Expiry (seconds)", "How long the URL works.", false, integer("seconds", 3600, 1, 604800)),
				}, ok200("The signed URL.", presignedSchema)),
			{
				ID: OnUpdatedBlobs, Kind: connector.KindTrigger, Trigger: connector.TriggerPoll,
				Method: "GET", Path: "/datasets/default/containers/{container}/triggers/onupdatedblobs",
				Summary:     "When a blob is added or modified",
				Description: "Polls a container (under a prefix) and returns each blob added or modified since the last poll, oldest first. The first poll only remembers what is there. Content (includeContent) is omitted for blobs larger than the in-memory limit. With afterRead delete, the blobs read are deleted once their runs are stored.",
				Tags:        []string{"blobs"},
				Parameters: []connector.Param{
					containerParam,
					q("prefix", "Prefix", "Watch only blobs whose name starts with this.", false, str("name prefix")),
					q("includeContent", "Include content", "Return each blob's content with its metadata.", false, boolean("include content", false)),
					q("maxBlobCount", "Maximum blobs per poll", "At most this many blobs per poll; the rest come in the next polls.", false, integer("blobs per poll", 10, 1, 1000)),
					q("afterRead", "After read", "What to do with a blob once its run is stored: none or delete.", false,
						schema(map[string]any{"type": "string", "enum": []string{"none", "delete"}, "default": "none", "description": "cleanup"})),
				},
				Responses: []connector.Response{{Status: "200", Description: "The blobs added or modified.", Schema: json.RawMessage(`{"type": "array", "items": ` + itemSchema + `}`)}},
			},
		},
	}
}
