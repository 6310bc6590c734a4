// SPDX-License-Identifier: Apache-2.0

// Package blob is the built-in connector for S3-compatible object stores
// (Amazon S3, MinIO, versitygw, Ceph RGW, Cloudflare R2, ...), through
// minio-go.
//
// A container is a bucket and a blob an object key. The operations mirror
// the Logic Apps Azure Blob Storage connector (ListBlobs, GetBlobContent,
// CreateBlob, DeleteBlob, CopyBlob, GetBlobMetadata) plus
// CreatePresignedURL; the polling trigger OnUpdatedBlobs returns blobs added
// or modified since the last poll and can delete what it read.
//
// Content travels through Invoke as the Logic Apps binary envelope
// {"$content-type", "$content" (base64)} and is bounded by
// [Config.MaxContentBytes]. Hosts that can forward a stream use
// [connector.Streamer]: [Connector.InvokeStream] returns GetBlobContent as a
// reader without buffering, and CreateBlob accepts a [*connector.Stream] or
// an [io.Reader] as its body, uploaded in parts of [Config.PartSize] (memory
// stays at about one part whatever the object size).
package blob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// ID is the connector id.
const ID = "blob"

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct {
	// MaxContentBytes bounds content read into memory by Invoke
	// (GetBlobContent, the trigger's content); 0 means 100 MiB. Streams
	// are not bounded.
	MaxContentBytes int64
	// PartSize is the multipart upload part size for bodies of unknown or
	// large size; 0 means 16 MiB. S3 needs at least 5 MiB.
	PartSize uint64
	// Transport, when set, is the HTTP transport of every client (tests,
	// proxies). Default: a transport per connection.
	Transport http.RoundTripper
}

// maxClients bounds the client cache; past it the cache is emptied.
const maxClients = 256

// Connector serves the blob operations. It keeps one minio client per
// distinct connection (keyed by a hash of its values) so HTTP connections
// are reused.
type Connector struct {
	cfg Config

	mu sync.Mutex
	connector.Logging
	clients map[string]*minio.Client
	// transports are the ones the connector made (not Config.Transport).
	transports []http.RoundTripper
}

// New returns a connector; it does no I/O.
func New(cfg Config) *Connector {
	if cfg.MaxContentBytes <= 0 {
		cfg.MaxContentBytes = 100 << 20
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = 16 << 20
	}
	return &Connector{cfg: cfg, clients: map[string]*minio.Client{}}
}

// Spec describes the connector.
func (c *Connector) Spec() connector.Spec { return spec() }

// Init does nothing: clients are made on first use of a connection.
func (c *Connector) Init(context.Context) error {
	return nil
}

// Close drops the cached clients and their idle HTTP connections. It is
// idempotent and safe without Init.
func (c *Connector) Close(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.transports {
		if ci, ok := t.(interface{ CloseIdleConnections() }); ok {
			ci.CloseIdleConnections()
		}
	}
	clear(c.clients)
	c.transports = nil
	return nil
}

// client returns the cached client for conn.
func (c *Connector) client(conn connector.Connection) (*minio.Client, error) {
	s, err := parseSettings(conn)
	if err != nil {
		return nil, err
	}
	k := s.key()
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[k]; ok {
		return cl, nil
	}
	tr := c.cfg.Transport
	if tr == nil {
		dt, err := minio.DefaultTransport(s.secure)
		if err != nil {
			return nil, fmt.Errorf("blob: making transport: %w", err)
		}
		tr = dt
		c.transports = append(c.transports, dt)
	}
	cl, err := newClient(s, tr)
	if err != nil {
		return nil, err
	}
	if len(c.clients) >= maxClients {
		clear(c.clients)
		for _, t := range c.transports {
			if ci, ok := t.(interface{ CloseIdleConnections() }); ok {
				ci.CloseIdleConnections()
			}
		}
		c.transports = c.transports[len(c.transports)-1:]
	}
	c.clients[k] = cl
	return cl, nil
}

// Test lists the buckets: a cheap authenticated call.
func (c *Connector) Test(ctx context.Context, conn connector.Connection) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: testing connection: %w", err)
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	if _, err := cl.ListBuckets(ctx); err != nil {
		return classify(ctx, "blob: testing connection", err)
	}
	return nil
}

// handler runs one action.
type handler func(ctx context.Context, c *Connector, cl *minio.Client, in connector.Input) (connector.Output, error)

var actions = map[string]handler{
	"ListBlobs":          listBlobs,
	"GetBlobContent":     getBlobContent,
	"GetBlobMetadata":    getBlobMetadata,
	"CreateBlob":         createBlob,
	"DeleteBlob":         deleteBlob,
	"CopyBlob":           copyBlob,
	"CreatePresignedURL": createPresignedURL,
}

// Invoke runs an action.
func (c *Connector) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	h, ok := actions[operationID]
	if !ok {
		return connector.Output{}, badRequest("unknown action %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, fmt.Errorf("blob %s: %w", operationID, err)
	}
	cl, err := c.client(conn)
	if err != nil {
		return connector.Output{}, err
	}
	out, err := h(ctx, c, cl, in)
	if err != nil {
		c.warnUnexpected(operationID, err)
		return connector.Output{}, fmt.Errorf("blob %s: %w", operationID, err)
	}
	return out, nil
}

func (c *Connector) warnUnexpected(operationID string, err error) {
	if k := connector.KindOf(err); k == connector.KindUnknown && !errors.Is(err, context.Canceled) {
		c.Logger().Warn("blob operation failed", "operation", operationID, "error", err.Error())
	}
}

// Streams reports whether operationID can return a stream: GetBlobContent.
func (c *Connector) Streams(operationID string) bool { return operationID == "GetBlobContent" }

// InvokeStream runs GetBlobContent and returns the blob as a stream read
// straight from the service. The caller must close its Body.
func (c *Connector) InvokeStream(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (*connector.Stream, error) {
	if !c.Streams(operationID) {
		return nil, badRequest("action %q does not stream", operationID)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("blob %s: %w", operationID, err)
	}
	cl, err := c.client(conn)
	if err != nil {
		return nil, err
	}
	st, err := openBlob(ctx, cl, in)
	if err != nil {
		c.warnUnexpected(operationID, err)
		return nil, fmt.Errorf("blob %s: %w", operationID, err)
	}
	return st, nil
}

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Initializer  = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.Poller       = (*Connector)(nil)
	_ connector.Cleaner      = (*Connector)(nil)
	_ connector.Streamer     = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
