// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/junction-run/junction/connector"
)

// Config configures a [Service].
type Config struct {
	// Name prefixes error messages ("sftp CreateFile: ..."): the connector id.
	Name string
	// Spec is the connector's spec, built with [Spec].
	Spec connector.Spec
	// Open opens a connection's file system.
	Open Opener
	// MaxContentBytes bounds a file read into memory (GetFileContent, the
	// trigger's content); 0 means 100 MiB. InvokeStream is not bounded.
	MaxContentBytes int64
	// MaxExtractBytes bounds what ExtractFolder may write; 0 means 1 GiB.
	MaxExtractBytes int64
}

// Service serves the file operations and trigger over the FS of each call.
// It holds no connection between calls. It is safe for concurrent use.
type Service struct {
	cfg Config
	connector.Logging
}

// New returns a service; it does no I/O.
func New(cfg Config) *Service {
	if cfg.MaxContentBytes <= 0 {
		cfg.MaxContentBytes = 100 << 20
	}
	if cfg.MaxExtractBytes <= 0 {
		cfg.MaxExtractBytes = 1 << 30
	}
	return &Service{cfg: cfg}
}

// Spec describes the connector.
func (s *Service) Spec() connector.Spec { return s.cfg.Spec }

// Close releases nothing (every call closes what it opened); it is
// idempotent.
func (s *Service) Close(context.Context) error { return nil }

// Test connects and checks that the root folder can be read.
func (s *Service) Test(ctx context.Context, conn connector.Connection) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fsys, err := s.cfg.Open(ctx, conn)
	if err != nil {
		return err
	}
	defer fsys.Close()
	fi, err := fsys.Stat(ctx, ".")
	if err != nil {
		return fmt.Errorf("%s: %w", s.cfg.Name, Classify("reading root folder", err))
	}
	if !fi.IsDir() {
		return connector.Errorf(connector.KindBadRequest, "%s: the root folder is not a folder", s.cfg.Name)
	}
	return nil
}

// Invoke runs an action.
func (s *Service) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	h, ok := actions[operationID]
	if !ok {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s: unknown action %q", s.cfg.Name, operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	fsys, err := s.cfg.Open(ctx, conn)
	if err != nil {
		return connector.Output{}, err
	}
	defer fsys.Close()
	out, err := h(ctx, s, fsys, in)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			// The transfer failed because cancelling closed the connection.
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		s.warnUnexpected(operationID, err)
		return connector.Output{}, fmt.Errorf("%s %s: %w", s.cfg.Name, operationID, err)
	}
	return out, nil
}

func (s *Service) warnUnexpected(operationID string, err error) {
	if k := connector.KindOf(err); k == connector.KindUnknown && !errors.Is(err, context.Canceled) {
		s.Logger().Warn(s.cfg.Name+" operation failed", "operation", operationID, "error", err.Error())
	}
}

// Streams reports whether operationID can return a stream: GetFileContent.
func (s *Service) Streams(operationID string) bool { return operationID == "GetFileContent" }

// InvokeStream runs GetFileContent and returns the file as a stream read
// from the server as the caller reads it (no size limit). Closing its Body
// closes the connection.
func (s *Service) InvokeStream(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (*connector.Stream, error) {
	if !s.Streams(operationID) {
		return nil, connector.Errorf(connector.KindBadRequest, "%s: action %q does not stream", s.cfg.Name, operationID)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := pathParam(in, "id")
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", s.cfg.Name, operationID, err)
	}
	infer, err := in.Bool("inferContentType", true)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", s.cfg.Name, operationID, err)
	}
	fsys, err := s.cfg.Open(ctx, conn)
	if err != nil {
		return nil, err
	}
	st, err := openStream(ctx, fsys, p, infer)
	if err != nil {
		fsys.Close()
		s.warnUnexpected(operationID, err)
		return nil, fmt.Errorf("%s %s: %w", s.cfg.Name, operationID, err)
	}
	return st, nil
}

func openStream(ctx context.Context, fsys FS, p string, infer bool) (*connector.Stream, error) {
	fi, err := fsys.Stat(ctx, p)
	if err != nil {
		return nil, Classify("reading metadata", err)
	}
	if fi.IsDir() {
		return nil, connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(p))
	}
	f, err := fsys.Open(ctx, p)
	if err != nil {
		return nil, Classify("opening file", err)
	}
	ct := "application/octet-stream"
	if infer {
		ct = mediaType(fi.Name())
	}
	md := metadata(p, fi)
	return &connector.Stream{
		ContentType: ct,
		Size:        fi.Size(),
		Metadata:    map[string]any{"Id": md.ID, "Name": md.Name, "Path": md.Path, "LastModified": md.LastModified, "ETag": md.ETag},
		// Reads of 1 MiB let protocols pipeline (SFTP reads concurrently).
		Body: &streamBody{r: newCtxReader(ctx, bufio.NewReaderSize(f, 1<<20), -1), f: f, fsys: fsys},
	}, nil
}

// streamBody reads a file and closes it and its connection when closed.
type streamBody struct {
	r    io.Reader
	f    io.Closer
	fsys FS
	once sync.Once
	err  error
}

func (b *streamBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *streamBody) Close() error {
	b.once.Do(func() {
		err := b.f.Close()
		if cerr := b.fsys.Close(); err == nil {
			err = cerr
		}
		b.err = err
	})
	return b.err
}

var (
	_ connector.Provider     = (*Service)(nil)
	_ connector.Closer       = (*Service)(nil)
	_ connector.Tester       = (*Service)(nil)
	_ connector.Poller       = (*Service)(nil)
	_ connector.Cleaner      = (*Service)(nil)
	_ connector.Streamer     = (*Service)(nil)
	_ connector.LoggerSetter = (*Service)(nil)
)
