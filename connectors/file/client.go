// SPDX-License-Identifier: Apache-2.0

package file

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
)

// root is a connection's root folder, opened for one call.
type root struct {
	*os.Root
}

func (c *Connector) openRoot(conn connector.Connection) (*root, error) {
	dir := conn.String("rootFolder")
	if dir == "" {
		return nil, connector.Errorf(connector.KindBadRequest, "file: the connection has no rootFolder")
	}
	if !filepath.IsAbs(dir) {
		return nil, connector.Errorf(connector.KindBadRequest, "file: rootFolder %q is not an absolute path", dir)
	}
	dir = filepath.Clean(dir)
	if !c.allowed(dir) {
		return nil, connector.Errorf(connector.KindUnauthenticated, "file: this server does not allow the root folder %q", dir)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, connector.Errorf(connector.KindBadRequest, "file: root folder %q does not exist", dir)
		}
		return nil, classify("opening root folder", err)
	}
	return &root{r}, nil
}

// rel turns a user path ("/folder/a.txt", "folder\\a.txt", "") into a path
// relative to the root ("folder/a.txt", "."). It refuses paths that leave
// the root.
func rel(p string) (string, error) {
	p = strings.ReplaceAll(p, `\`, "/")
	p = strings.TrimLeft(p, "/")
	if p == "" {
		return ".", nil
	}
	clean := path.Clean(p)
	if !filepath.IsLocal(clean) && clean != "." {
		return "", connector.Errorf(connector.KindBadRequest, "path %q leaves the root folder", p)
	}
	return clean, nil
}

// userPath is how a path is shown: "/folder/a.txt".
func userPath(r string) string {
	if r == "." {
		return "/"
	}
	return "/" + r
}

// classify turns a file system error into a connector error.
func classify(what string, err error) error {
	var kind connector.ErrorKind
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, fs.ErrNotExist):
		kind = connector.KindNotFound
	case errors.Is(err, fs.ErrExist):
		kind = connector.KindBadRequest
	case errors.Is(err, fs.ErrPermission):
		kind = connector.KindUnauthenticated
	case strings.Contains(err.Error(), "escapes from parent"), strings.Contains(err.Error(), "not a directory"),
		strings.Contains(err.Error(), "is a directory"), strings.Contains(err.Error(), "directory not empty"):
		kind = connector.KindBadRequest
	default:
		kind = connector.KindRetryable
	}
	return &connector.Error{Kind: kind, Message: what, Err: stripRoot(err)}
}

// stripRoot keeps the operation and error of a *fs.PathError but not the
// absolute root on the server's disk.
func stripRoot(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: %w", pe.Op, userPath(strings.TrimLeft(filepath.ToSlash(pe.Path), "/")), pe.Err)
	}
	return err
}

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
	p := userPath(relPath)
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

func (r *root) stat(relPath string) (Metadata, error) {
	fi, err := r.Stat(relPath)
	if err != nil {
		return Metadata{}, classify("reading metadata", err)
	}
	return metadata(relPath, fi), nil
}

// content is file content as the Logic Apps binary envelope.
type content struct {
	ContentType string `json:"$content-type"`
	Content     string `json:"$content"`
}

// bodyReader returns the bytes to write for an input body.
func bodyReader(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return bytes.NewReader(nil), nil
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
	case content:
		return decodeBase64(b.Content)
	}
	// Any other JSON value is written as its JSON text.
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

// copyCtx copies src to dst in chunks, stopping when ctx is cancelled; it
// fails with a bad request error past limit bytes (limit < 0: no limit).
func copyCtx(ctx context.Context, dst io.Writer, src io.Reader, limit int64) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, rerr := src.Read(buf)
		if k > 0 {
			n += int64(k)
			if limit >= 0 && n > limit {
				return n, connector.Errorf(connector.KindBadRequest, "content is larger than %d bytes", limit)
			}
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, classify("writing", werr)
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, classify("reading", rerr)
		}
	}
}

// writeAtomic writes src to relPath through a temporary file in the same
// folder and a rename, so readers (and the trigger) never see half a file.
// With mustExist it fails when relPath does not exist; with !overwrite it
// fails when it does.
func (r *root) writeAtomic(ctx context.Context, relPath string, src io.Reader, mustExist, overwrite bool) error {
	fi, err := r.Stat(relPath)
	switch {
	case err == nil && fi.IsDir():
		return connector.Errorf(connector.KindBadRequest, "%s is a folder", userPath(relPath))
	case err == nil && !overwrite:
		return connector.Errorf(connector.KindBadRequest, "%s already exists", userPath(relPath))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return classify("reading metadata", err)
	case err != nil && mustExist:
		return connector.Errorf(connector.KindNotFound, "%s does not exist", userPath(relPath))
	}
	dir := path.Dir(relPath)
	if err := r.MkdirAll(dir, 0o755); err != nil {
		return classify("creating folder", err)
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	tmp := path.Join(dir, "."+path.Base(relPath)+".junction-"+hex.EncodeToString(suffix[:]))
	f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return classify("creating file", err)
	}
	_, cerr := copyCtx(ctx, f, src, -1)
	if err := f.Close(); cerr == nil && err != nil {
		cerr = classify("writing", err)
	}
	if cerr == nil {
		if !overwrite && !mustExist {
			// Refuse to replace a file created meanwhile.
			if err := r.Link(tmp, relPath); err != nil {
				cerr = classify("creating file", err)
			}
		} else if err := r.Rename(tmp, relPath); err != nil {
			cerr = classify("replacing file", err)
		}
	}
	_ = r.Remove(tmp)
	return cerr
}

// readContent reads a file into the binary envelope.
func (r *root) readContent(ctx context.Context, relPath string, limit int64, infer bool) (content, error) {
	f, err := r.Open(relPath)
	if err != nil {
		return content{}, classify("opening file", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return content{}, classify("reading metadata", err)
	}
	if fi.IsDir() {
		return content{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", userPath(relPath))
	}
	if fi.Size() > limit {
		return content{}, connector.Errorf(connector.KindBadRequest, "%s is %d bytes, more than the %d this server reads into memory", userPath(relPath), fi.Size(), limit)
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()))
	if _, err := copyCtx(ctx, &buf, f, limit); err != nil {
		return content{}, err
	}
	ct := "application/octet-stream"
	if infer {
		ct = mediaType(fi.Name())
		if ct == "application/octet-stream" {
			ct = http.DetectContentType(buf.Bytes())
		}
	}
	return content{ContentType: ct, Content: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// param returns a string parameter.
func param(in connector.Input, name string) string {
	v, ok := in.Parameters[name]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// boolParam returns a boolean parameter, def when absent.
func boolParam(in connector.Input, name string, def bool) bool {
	switch v := in.Parameters[name].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return def
}

// pathParam returns a required path parameter relative to the root.
func pathParam(in connector.Input, name string) (string, error) {
	p := param(in, name)
	if p == "" {
		return "", connector.Errorf(connector.KindBadRequest, "parameter %s is required", name)
	}
	return rel(p)
}

func ok(body any) connector.Output { return connector.Output{StatusCode: http.StatusOK, Body: body} }
