// SPDX-License-Identifier: Apache-2.0

package connector

import "log/slog"

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
