// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ErrorKind classifies a failure so callers can act on it without parsing text.
type ErrorKind int

// Error kinds.
const (
	// KindUnknown is any error that says nothing of its kind: not retried.
	KindUnknown ErrorKind = iota
	// KindRetryable may succeed if tried again (5xx, network errors).
	KindRetryable
	// KindThrottled was refused for rate; retry after RetryAfter.
	KindThrottled
	// KindUnauthenticated means the credentials are missing, wrong or expired.
	KindUnauthenticated
	// KindBadRequest means the input is wrong; retrying cannot help.
	KindBadRequest
	// KindNotFound means the addressed thing does not exist.
	KindNotFound
)

var kindNames = [...]string{"unknown", "retryable", "throttled", "unauthenticated", "bad_request", "not_found"}

func (k ErrorKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the kind's name.
func (k ErrorKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Retryable reports whether trying again may help.
func (k ErrorKind) Retryable() bool { return k == KindRetryable || k == KindThrottled }

// Error is a classified connector failure.
type Error struct {
	Kind ErrorKind
	// StatusCode is the HTTP status of the service's answer, 0 if none.
	StatusCode int
	// RetryAfter is the service's hint (Retry-After), 0 if none.
	RetryAfter time.Duration
	// Message is safe to show: it never contains secrets.
	Message string
	// Body is the service's response body, if any (decoded when JSON).
	Body any
	// Err is the cause, if any.
	Err error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.StatusCode != 0 {
		return fmt.Sprintf("%s (%s, status %d)", msg, e.Kind, e.StatusCode)
	}
	return fmt.Sprintf("%s (%s)", msg, e.Kind)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain;
// [KindRetryable] for a deadline or a network timeout; [KindUnknown] otherwise.
func KindOf(err error) ErrorKind {
	if err == nil {
		return KindUnknown
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return KindRetryable
	}
	return KindUnknown
}

// RetryAfterOf returns the retry hint of err, if it carries one.
func RetryAfterOf(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// KindForStatus maps an HTTP status to an error kind: 429 throttled, other
// 5xx and 408 retryable, 401/403 unauthenticated, 404/410 not found, other 4xx
// bad request. Statuses below 400 return KindUnknown.
func KindForStatus(status int) ErrorKind {
	switch {
	case status == http.StatusTooManyRequests:
		return KindThrottled
	case status == http.StatusRequestTimeout, status >= 500:
		return KindRetryable
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return KindUnauthenticated
	case status == http.StatusNotFound, status == http.StatusGone:
		return KindNotFound
	case status >= 400:
		return KindBadRequest
	}
	return KindUnknown
}

// ParseRetryAfter reads a Retry-After header value: seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
