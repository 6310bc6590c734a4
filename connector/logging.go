// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"log/slog"
	"sync/atomic"
)

// LoggerSetter is implemented by providers that log. The host calls
// SetLogger once, after construction and before Init or any other call, with
// a logger already scoped to the connector; a provider that is never given a
// logger must log nothing (use a discard handler, never the global logger).
//
// A provider logs nothing at Info during normal operation, Warn or Error for
// unexpected behaviour, and never a secret connection parameter value.
type LoggerSetter interface {
	SetLogger(l *slog.Logger)
}

// DiscardLogger returns a logger that drops everything: the default for a
// provider that was not given one.
func DiscardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Logging holds a provider's logger. Embed it to implement [LoggerSetter];
// the provider logs through Logger, which is safe for concurrent use and
// never nil (a discard logger until SetLogger is called, or after
// SetLogger(nil)). The zero value is ready to use.
type Logging struct {
	l atomic.Pointer[slog.Logger]
}

// SetLogger implements [LoggerSetter].
func (g *Logging) SetLogger(l *slog.Logger) { g.l.Store(l) }

// Logger returns the logger set with SetLogger, or a discard logger.
func (g *Logging) Logger() *slog.Logger {
	if l := g.l.Load(); l != nil {
		return l
	}
	return discard
}

var discard = DiscardLogger()

var _ LoggerSetter = (*Logging)(nil)
