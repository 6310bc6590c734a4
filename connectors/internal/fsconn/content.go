// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
)

// Metadata is the Logic Apps BlobMetadata of a file or folder.
type Metadata struct {
	ID           string    `json:"Id"`
	Name         string    `json:"Name"`
	DisplayName  string    `json:"DisplayName"`
	Path         string    `json:"Path"`
	LastModified time.Time `json:"LastModified"`
	Size         int64     `json:"Size"`
	MediaType    string    `json:"MediaType"`
	IsFolder     bool      `json:"IsFolder"`
	ETag         string    `json:"ETag"`
	FileLocator  string    `json:"FileLocator"`
}

func metadata(relPath string, fi fs.FileInfo) Metadata {
	p := UserPath(relPath)
	mt := ""
	if !fi.IsDir() {
		mt = mediaType(fi.Name())
	}
	return Metadata{
		ID: p, Name: fi.Name(), DisplayName: fi.Name(), Path: p, LastModified: fi.ModTime().UTC(),
		Size: fi.Size(), MediaType: mt, IsFolder: fi.IsDir(), FileLocator: p,
		ETag: fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size()),
	}
}

func mediaType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func stat(ctx context.Context, fsys FS, relPath string) (Metadata, error) {
	fi, err := fsys.Stat(ctx, relPath)
	if err != nil {
		return Metadata{}, Classify("reading metadata", err)
	}
	return metadata(relPath, fi), nil
}

// Content is file content as the Logic Apps binary envelope.
type Content struct {
	ContentType string `json:"$content-type"`
	Content     string `json:"$content"`
}

// bodyReader returns the bytes to write for an input body: a
// *connector.Stream or io.Reader (read as it goes), a string, bytes, the
// binary envelope, or any other JSON value (written as its JSON text).
func bodyReader(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return bytes.NewReader(nil), nil
	case *connector.Stream:
		if b == nil || b.Body == nil {
			return bytes.NewReader(nil), nil
		}
		return b.Body, nil
	case string:
		return strings.NewReader(b), nil
	case []byte:
		return bytes.NewReader(b), nil
	case json.RawMessage:
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, connector.Errorf(connector.KindBadRequest, "body is not JSON")
		}
		return bodyReader(v)
	case map[string]any:
		if c, ok := b["$content"]; ok {
			s, ok := c.(string)
			if !ok {
				return nil, connector.Errorf(connector.KindBadRequest, "$content must be a base64 string")
			}
			return decodeBase64(s)
		}
	case Content:
		return decodeBase64(b.Content)
	case io.Reader:
		return b, nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "body cannot be written as a file: %v", err)
	}
	return bytes.NewReader(raw), nil
}

// decodeBase64 decodes $content. The base64 text is already in memory, so
// decoding it at once costs three quarters of that again at most.
func decodeBase64(s string) (io.Reader, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "$content is not valid base64")
	}
	return bytes.NewReader(b), nil
}

// ctxReader stops a transfer when ctx ends and fails past limit bytes
// (limit < 0: no limit). Every write goes through one, so FS
// implementations may simply io.Copy from it.
type ctxReader struct {
	ctx   context.Context
	r     io.Reader
	limit int64
	n     int64
}

func newCtxReader(ctx context.Context, r io.Reader, limit int64) *ctxReader {
	return &ctxReader{ctx: ctx, r: r, limit: limit}
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.limit >= 0 && c.n > c.limit {
		return 0, connector.Errorf(connector.KindBadRequest, "content is larger than %d bytes", c.limit)
	}
	if err != nil && err != io.EOF && c.ctx.Err() != nil {
		// The transfer was aborted by closing the connection.
		return n, fmt.Errorf("%w (%v)", c.ctx.Err(), err)
	}
	return n, err
}

// readContent reads a file into the binary envelope.
func readContent(ctx context.Context, fsys FS, relPath string, limit int64, infer bool) (Content, error) {
	fi, err := fsys.Stat(ctx, relPath)
	if err != nil {
		return Content{}, Classify("reading metadata", err)
	}
	if fi.IsDir() {
		return Content{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(relPath))
	}
	if fi.Size() > limit {
		return Content{}, connector.Errorf(connector.KindBadRequest, "%s is %d bytes, more than the %d this server reads into memory", UserPath(relPath), fi.Size(), limit)
	}
	f, err := fsys.Open(ctx, relPath)
	if err != nil {
		return Content{}, Classify("opening file", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()))
	if _, err := io.Copy(&buf, newCtxReader(ctx, f, limit)); err != nil {
		return Content{}, Classify("reading file", err)
	}
	ct := "application/octet-stream"
	if infer {
		ct = mediaType(fi.Name())
		if ct == "application/octet-stream" {
			ct = http.DetectContentType(buf.Bytes())
		}
	}
	return Content{ContentType: ct, Content: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// pathParam returns a required path parameter relative to the root.
func pathParam(in connector.Input, name string) (string, error) {
	p := in.String(name)
	if p == "" {
		return "", connector.Errorf(connector.KindBadRequest, "parameter %s is required", name)
	}
	return Rel(p)
}

func ok(body any) connector.Output { return connector.Output{StatusCode: http.StatusOK, Body: body} }
