// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/junction-run/junction/connector"
)

// settings are a connection's values, decoded.
type settings struct {
	endpoint  string // host[:port]
	secure    bool
	region    string
	accessKey string
	secretKey string
	pathStyle bool
}

// key identifies a client by its settings without keeping the secret in a
// readable form.
func (s settings) key() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%t\x00%s\x00%s\x00%s\x00%t", s.endpoint, s.secure, s.region, s.accessKey, s.secretKey, s.pathStyle)
	return hex.EncodeToString(h.Sum(nil))
}

// parseSettings reads the connection parameters. The endpoint may be a URL
// (its scheme then decides TLS) or host[:port] (useSSL decides).
func parseSettings(conn connector.Connection) (settings, error) {
	var s settings
	ep := strings.TrimSpace(conn.String("endpoint"))
	if ep == "" {
		return s, connector.Errorf(connector.KindBadRequest, "blob: connection parameter endpoint is required")
	}
	secure, err := conn.Bool("useSSL", true)
	if err != nil {
		return s, err
	}
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return s, connector.Errorf(connector.KindBadRequest, "blob: endpoint must be host[:port] or an http(s) URL")
		}
		if u.Path != "" && u.Path != "/" {
			return s, connector.Errorf(connector.KindBadRequest, "blob: endpoint must not have a path")
		}
		ep, secure = u.Host, u.Scheme == "https"
	}
	s.endpoint, s.secure = ep, secure
	s.region = conn.String("region")
	s.accessKey = conn.String("accessKey")
	s.secretKey = conn.String("secretKey")
	if s.pathStyle, err = conn.Bool("pathStyle", false); err != nil {
		return s, err
	}
	return s, nil
}

// newClient builds a minio client; it does no I/O.
func newClient(s settings, transport http.RoundTripper) (*minio.Client, error) {
	lookup := minio.BucketLookupAuto
	if s.pathStyle {
		lookup = minio.BucketLookupPath
	}
	var creds *credentials.Credentials
	if s.accessKey != "" || s.secretKey != "" {
		creds = credentials.NewStaticV4(s.accessKey, s.secretKey, "")
	} else {
		creds = credentials.NewStatic("", "", "", credentials.SignatureAnonymous)
	}
	c, err := minio.New(s.endpoint, &minio.Options{
		Creds: creds, Secure: s.secure, Region: s.region, BucketLookup: lookup, Transport: transport,
	})
	if err != nil {
		// minio's message names the endpoint only, never the keys.
		return nil, &connector.Error{Kind: connector.KindBadRequest, Message: "blob: invalid endpoint", Err: err}
	}
	return c, nil
}

// classify turns a minio or transport error into a classified error. what
// says what was being done ("reading blob x").
func classify(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", what, err)
	}
	r := minio.ToErrorResponse(err)
	if r.Code == "" && r.StatusCode == 0 {
		var ne net.Error
		var oe *net.OpError
		if errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &connector.Error{Kind: connector.KindRetryable, Message: what, Err: err}
		}
		// minio-go validates names and arguments locally and reports
		// them as plain errors.
		if m := err.Error(); strings.HasPrefix(m, "Bucket name") || strings.HasPrefix(m, "Object name") ||
			strings.HasPrefix(m, "Invalid") || strings.Contains(m, "invalid") {
			return &connector.Error{Kind: connector.KindBadRequest, Message: what, Err: err}
		}
		return &connector.Error{Kind: connector.KindUnknown, Message: what, Err: err}
	}
	kind := kindForCode(r.Code, r.StatusCode)
	e := &connector.Error{Kind: kind, StatusCode: r.StatusCode, Message: what, Err: errors.New(s3Message(r))}
	if kind == connector.KindThrottled {
		e.RetryAfter = time.Second
	}
	return e
}

// s3Message is the service's message without request ids or hosts.
func s3Message(r minio.ErrorResponse) string {
	msg := r.Message
	if msg == "" {
		msg = r.Error()
	}
	msg = strings.TrimSuffix(strings.TrimSpace(msg), ".")
	if len(msg) > 0 {
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	if r.Code != "" {
		return r.Code + ": " + msg
	}
	return msg
}

// kindForCode maps an S3 error code (then the HTTP status) to a kind.
func kindForCode(code string, status int) connector.ErrorKind {
	switch code {
	case "NoSuchKey", "NoSuchBucket", "NoSuchUpload", "NoSuchVersion", "NotFound":
		return connector.KindNotFound
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
		"AuthorizationHeaderMalformed", "MissingSecurityHeader", "AllAccessDisabled", "AccountProblem",
		"XAdminUserNotFound": // versitygw: unknown access key
		return connector.KindUnauthenticated
	case "SlowDown", "TooManyRequests", "RequestLimitExceeded", "Throttling", "ThrottlingException":
		return connector.KindThrottled
	case "InternalError", "ServiceUnavailable", "RequestTimeout", "OperationAborted":
		return connector.KindRetryable
	case "InvalidBucketName", "InvalidArgument", "KeyTooLongError", "InvalidObjectName", "EntityTooLarge",
		"EntityTooSmall", "InvalidRange", "InvalidRequest", "MalformedXML", "InvalidPart", "InvalidPartOrder",
		"BucketAlreadyExists", "BucketAlreadyOwnedByYou", "BucketNotEmpty", "PreconditionFailed",
		"XMinioInvalidObjectName":
		return connector.KindBadRequest
	}
	if status == http.StatusServiceUnavailable {
		return connector.KindThrottled
	}
	if k := connector.KindForStatus(status); k != connector.KindUnknown {
		return k
	}
	return connector.KindUnknown
}

// badRequest is a bad-input error.
func badRequest(format string, args ...any) error {
	return connector.Errorf(connector.KindBadRequest, "blob: "+format, args...)
}

func required(in connector.Input, name string) (string, error) {
	v := in.String(name)
	if v == "" {
		return "", badRequest("parameter %s is required", name)
	}
	return v, nil
}

// blobName normalizes a blob name: a leading "/" is dropped (Logic Apps
// paths start with one).
func blobName(in connector.Input, name string) (string, error) {
	v, err := required(in, name)
	if err != nil {
		return "", err
	}
	v = strings.TrimPrefix(v, "/")
	if v == "" {
		return "", badRequest("parameter %s must name a blob", name)
	}
	return v, nil
}

// content is a body to upload: a reader, its size (-1 when unknown) and its
// content type ("" when the body does not say).
type content struct {
	r           io.Reader
	size        int64
	contentType string
}

// bodyContent reads an action body: a string (UTF-8 text), the binary
// envelope {"$content-type", "$content" (base64)}, []byte, a
// *connector.Stream or an io.Reader. Base64 is decoded as it is read.
func bodyContent(body any) (content, error) {
	switch b := body.(type) {
	case nil:
		return content{}, badRequest("body (the blob content) is required")
	case string:
		return content{r: strings.NewReader(b), size: int64(len(b)), contentType: "text/plain; charset=utf-8"}, nil
	case []byte:
		return content{r: strings.NewReader(string(b)), size: int64(len(b))}, nil
	case *connector.Stream:
		if b == nil || b.Body == nil {
			return content{}, badRequest("body stream is empty")
		}
		return content{r: b.Body, size: b.Size, contentType: b.ContentType}, nil
	case io.Reader:
		return content{r: b, size: -1}, nil
	case map[string]any:
		raw, ok := b["$content"].(string)
		if !ok {
			return content{}, badRequest(`body must be a string or {"$content-type", "$content"}`)
		}
		ct, _ := b["$content-type"].(string)
		raw = strings.TrimSpace(raw)
		enc := base64.StdEncoding
		if strings.ContainsAny(raw, "-_") {
			enc = base64.URLEncoding
		}
		if !strings.HasSuffix(raw, "=") && len(raw)%4 != 0 {
			enc = enc.WithPadding(base64.NoPadding)
		}
		// Validate (and measure) before uploading, in bounded memory: a
		// broken upload should fail as bad input before anything is sent.
		size, err := io.Copy(io.Discard, base64.NewDecoder(enc, strings.NewReader(raw)))
		if err != nil {
			return content{}, badRequest("body $content is not valid base64")
		}
		return content{r: base64.NewDecoder(enc, strings.NewReader(raw)), size: size, contentType: ct}, nil
	}
	return content{}, badRequest("body of type %T is not blob content", body)
}
