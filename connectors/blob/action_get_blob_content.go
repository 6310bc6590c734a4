// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// Content is the Logic Apps binary envelope.
type Content struct {
	ContentType string `json:"$content-type"`
	Content     string `json:"$content"`
}

// openBlob opens a blob for reading: the service's answer to the GET is
// awaited (so not found and access errors surface here), then the body is
// streamed.
func openBlob(ctx context.Context, cl *minio.Client, in connector.Input) (*connector.Stream, error) {
	bucket, err := required(in, "container")
	if err != nil {
		return nil, err
	}
	name, err := blobName(in, "blob")
	if err != nil {
		return nil, err
	}
	infer, err := in.Bool("inferContentType", true)
	if err != nil {
		return nil, err
	}
	obj, err := cl.GetObject(ctx, bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, classify(ctx, "reading "+bucket+"/"+name, err)
	}
	info, err := obj.Stat() // sends the GET and reads the headers
	if err != nil {
		obj.Close()
		return nil, classify(ctx, "reading "+bucket+"/"+name, err)
	}
	ct := info.ContentType
	if ct == "" || ct == "binary/octet-stream" || (infer && ct == "application/octet-stream") {
		ct = "application/octet-stream"
		if infer {
			if t := mime.TypeByExtension(path.Ext(name)); t != "" {
				ct = t
			}
		}
	}
	m := metadataOf(bucket, info)
	return &connector.Stream{
		ContentType: ct, Size: info.Size,
		Metadata: map[string]any{"Path": m.Path, "Name": m.Name, "ETag": m.ETag, "LastModified": m.LastModified, "Size": m.Size},
		Body:     &ctxReader{ctx: ctx, what: "reading " + bucket + "/" + name, rc: obj},
	}, nil
}

// ctxReader classifies read errors and reports cancellation as ctx.Err().
type ctxReader struct {
	ctx  context.Context
	what string
	rc   io.ReadCloser
}

func (r *ctxReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, classify(r.ctx, r.what, err)
	}
	return n, err
}

func (r *ctxReader) Close() error { return r.rc.Close() }

// readContent reads a blob into the binary envelope, bounded by max bytes.
func readContent(ctx context.Context, cl *minio.Client, in connector.Input, max int64) (Content, error) {
	st, err := openBlob(ctx, cl, in)
	if err != nil {
		return Content{}, err
	}
	defer st.Body.Close()
	if st.Size > max {
		return Content{}, badRequest("blob is %d bytes, more than the %d bytes an action may hold in memory; stream it instead", st.Size, max)
	}
	var b strings.Builder
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	b.Grow(base64.StdEncoding.EncodedLen(int(max64(st.Size, 0))))
	n, err := io.Copy(enc, io.LimitReader(st.Body, max+1))
	if err != nil {
		return Content{}, err
	}
	if n > max {
		return Content{}, badRequest("blob is more than the %d bytes an action may hold in memory", max)
	}
	_ = enc.Close()
	return Content{ContentType: st.ContentType, Content: b.String()}, nil
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func getBlobContent(ctx context.Context, c *Connector, cl *minio.Client, in connector.Input) (connector.Output, error) {
	ct, err := readContent(ctx, cl, in, c.cfg.MaxContentBytes)
	if err != nil {
		return connector.Output{}, err
	}
	return connector.Output{StatusCode: http.StatusOK, Headers: http.Header{"Content-Type": {ct.ContentType}}, Body: ct}, nil
}
