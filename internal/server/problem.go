// SPDX-License-Identifier: Apache-2.0

package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
)

// Problem is an RFC 9457 problem details object, the body of every error
// answer (Content-Type application/problem+json).
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Code is a stable, Logic Apps-like error code (WorkflowNotFound ...).
	Code string `json:"code,omitempty"`
	// Errors lists the individual problems of an invalid input (definition
	// problems with their JSON path, schema errors with their location).
	Errors []ProblemError `json:"errors,omitempty"`
	// CorrelationID is logged with the cause of a 500 answer.
	CorrelationID string `json:"correlationId,omitempty"`
}

// ProblemError is one entry of [Problem.Errors].
type ProblemError struct {
	Path    string `json:"path"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Error is the error type of handlers: a status, a public code and
// message, optional details, and an internal cause that is logged but
// never sent.
type Error struct {
	Status int
	Code   string
	Detail string
	Errors []ProblemError
	Header http.Header // extra answer headers (Allow ...)
	Err    error       // cause, logged only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Detail, e.Err)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Detail: fmt.Sprintf(format, args...)}
}

func newCorrelationID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// problemType is the type URI of a problem code.
func problemType(code string) string {
	if code == "" {
		return "about:blank"
	}
	return "urn:junction:problem:" + code
}

// writeProblem answers err as a problem. Errors that are not *Error become
// 500 answers whose cause is logged under a correlation ID.
func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var he *Error
	if !errors.As(err, &he) {
		he = &Error{Status: http.StatusInternalServerError, Code: "InternalServerError",
			Detail: "the server failed to handle the request", Err: err}
	}
	p := Problem{
		Type: problemType(he.Code), Title: http.StatusText(he.Status), Status: he.Status,
		Detail: he.Detail, Instance: r.URL.Path, Code: he.Code, Errors: he.Errors,
	}
	if he.Status >= 500 {
		p.CorrelationID = newCorrelationID()
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", he.Status,
			"code", he.Code, "correlation_id", p.CorrelationID, "error", errString(he))
	} else if he.Err != nil {
		log.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "status", he.Status, "code", he.Code, "error", he.Err)
	}
	for k, vs := range he.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(he.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func errString(e *Error) string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Detail
}

// recoverer turns a panic in next into a 500 problem with a correlation ID
// and logs the panic value and stack under that ID.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &trackWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			id := newCorrelationID()
			stack := string(debug.Stack())
			log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "correlation_id", id,
				"panic", fmt.Sprint(v), "stack", strings.TrimSpace(stack))
			if rw.wrote {
				return
			}
			p := Problem{Type: problemType("InternalServerError"), Title: http.StatusText(500), Status: 500,
				Detail: "the server failed to handle the request", Instance: r.URL.Path, Code: "InternalServerError", CorrelationID: id}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(p)
		}()
		next.ServeHTTP(rw, r)
	})
}

// trackWriter records whether the answer has started.
type trackWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackWriter) WriteHeader(code int) { t.wrote = true; t.ResponseWriter.WriteHeader(code) }
func (t *trackWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}
func (t *trackWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
