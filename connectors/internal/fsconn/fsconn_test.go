// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
)

func TestRel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"", ".", false},
		{"/", ".", false},
		{"/in/a.txt", "in/a.txt", false},
		{`in\sub\a.txt`, "in/sub/a.txt", false},
		{"/in/../a.txt", "a.txt", false},
		{"//x//y/", "x/y", false},
		{"..", "", true},
		{"/a/../../b", "", true},
		{`..\..\etc\passwd`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := Rel(tt.in)
			if tt.bad {
				if connector.KindOf(err) != connector.KindBadRequest {
					t.Fatalf("Rel(%q) = %q, %v; want a bad request", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Rel(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want connector.ErrorKind
	}{
		{"not found", &fs.PathError{Op: "open", Path: "in/a.txt", Err: fs.ErrNotExist}, connector.KindNotFound},
		{"exists", fs.ErrExist, connector.KindBadRequest},
		{"permission", fs.ErrPermission, connector.KindUnauthenticated},
		{"not a directory", errors.New("open x: not a directory"), connector.KindBadRequest},
		{"network", io.ErrUnexpectedEOF, connector.KindRetryable},
		{"already classified", fmt.Errorf("x: %w", connector.Errorf(connector.KindThrottled, "slow down")), connector.KindThrottled},
		{"cancelled", fmt.Errorf("x: %w", context.Canceled), connector.KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Classify("doing", tt.err)
			if k := connector.KindOf(got); k != tt.want {
				t.Errorf("kind %v, want %v (%v)", k, tt.want, got)
			}
			var pe *fs.PathError
			if errors.As(tt.err, &pe) && !strings.Contains(got.Error(), "open /in/a.txt") {
				t.Errorf("error does not show the path as the user wrote it: %v", got)
			}
		})
	}
}

func TestBodyReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body any
		want string
		bad  bool
	}{
		{"nil", nil, "", false},
		{"string", "hello", "hello", false},
		{"bytes", []byte{1, 2}, "\x01\x02", false},
		{"envelope", map[string]any{"$content-type": "text/plain", "$content": "aGk="}, "hi", false},
		{"raw envelope", []byte(`{"$content": "aGk="}`), `{"$content": "aGk="}`, false},
		{"json raw", jsonRaw(`{"$content": "aGk="}`), "hi", false},
		{"json value", map[string]any{"a": 1.0}, `{"a":1}`, false},
		{"stream", &connector.Stream{Body: io.NopCloser(strings.NewReader("streamed")), Size: -1}, "streamed", false},
		{"reader", strings.NewReader("read"), "read", false},
		{"bad base64", map[string]any{"$content": "!!"}, "", true},
		{"content not string", map[string]any{"$content": 3.0}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := bodyReader(tt.body)
			if tt.bad {
				if connector.KindOf(err) != connector.KindBadRequest {
					t.Fatalf("err %v, want bad request", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			if string(b) != tt.want {
				t.Errorf("got %q, want %q", b, tt.want)
			}
		})
	}
}

func TestCtxReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cancel bool
		limit  int64
		want   connector.ErrorKind
		ctxErr bool
	}{
		{"ok", false, -1, connector.KindUnknown, false},
		{"limit", false, 3, connector.KindBadRequest, false},
		{"cancelled", true, -1, connector.KindUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			_, err := io.ReadAll(newCtxReader(ctx, strings.NewReader("hello"), tt.limit))
			switch {
			case tt.ctxErr:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err %v, want context.Canceled", err)
				}
			case tt.want == connector.KindUnknown:
				if err != nil {
					t.Errorf("err %v", err)
				}
			default:
				if connector.KindOf(err) != tt.want {
					t.Errorf("err %v, want kind %v", err, tt.want)
				}
			}
		})
	}
}

func jsonRaw(s string) json.RawMessage { return json.RawMessage(s) }
