// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

func TestConnectionReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"reference", "@parameters('$connections')['office365']['connectionId']", "office365", true},
		{"spaces", "@ parameters( '$connections' ) [ 'x' ] [ 'connectionId' ]", "x", true},
		{"other parameter", "@parameters('conn')['x']['connectionId']", "", false},
		{"plain name", "office365", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ConnectionReference(tt.in)
			equal(t, tt.want, got)
			equal(t, tt.ok, ok)
		})
	}
}

func TestMatchOperation(t *testing.T) {
	t.Parallel()
	spec := &connector.Spec{ID: "s", BaseURL: "https://api.example.com/v1", Operations: []connector.Operation{
		{ID: "OnNew", Kind: connector.KindTrigger, Method: "GET", Path: "/items/new"},
		{ID: "Get", Method: "GET", Path: "/items/{id}"},
		{ID: "Hook", Kind: connector.KindTrigger, Method: "POST", Path: "/hooks"},
		{ID: "File", Kind: connector.KindAction, Method: "GET", Path: "/files/{name}.json", Parameters: []connector.Param{{Name: "name", In: connector.InPath, URLEncoding: "double"}}},
	}}
	tests := []struct {
		name, method, path string
		kinds              []connector.Kind
		want               string // operation ID, or the error code
		params             map[string]any
	}{
		{"actions only by default", "GET", "/items/new", nil, "Get", map[string]any{"id": "new"}},
		{"triggers preferred", "GET", "/items/new", []connector.Kind{connector.KindTrigger, connector.KindAction}, "OnNew", map[string]any{}},
		{"falls back to actions", "GET", "/items/7", []connector.Kind{connector.KindTrigger, connector.KindAction}, "Get", map[string]any{"id": "7"}},
		{"base path", "post", "/v1/hooks", []connector.Kind{connector.KindTrigger}, "Hook", map[string]any{}},
		{"double encoding in a segment", "GET", "/files/a%252Fb.json", nil, "File", map[string]any{"name": "a/b"}},
		{"trigger not an action", "POST", "/hooks", nil, "OperationNotFound", nil},
		{"empty path", "GET", "", nil, "InvalidActionInputs", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op, params, ae := MatchOperation(spec, tt.method, tt.path, tt.kinds...)
			if ae != nil {
				equal(t, tt.want, ae.Code)
				return
			}
			equal(t, tt.want, op.ID)
			equal(t, tt.params, params)
		})
	}
}

func TestOperationInput(t *testing.T) {
	t.Parallel()
	op := &connector.Operation{Parameters: []connector.Param{{Name: "Limit", In: connector.InQuery}, {Name: "X-Trace", In: connector.InHeader}}}
	in := decode(t, `{"Queries":{"limit":5,"other":"x"},"headers":{"x-trace":1,"X-Undeclared":"y"},"body":{"a":1}}`).(*expr.Object)
	got := OperationInput(op, map[string]any{"id": "7"}, in)
	equal(t, map[string]any{"id": "7", "Limit": int64(5), "other": "x", "X-Trace": "1"}, got.Parameters)
	equal(t, `{"a":1}`, jsonText(got.Body))
}

// hookProvider records the input of the subscribe operation and answers
// with status and location.
type hookProvider struct {
	spec     connector.Spec
	status   int
	location string
	got      *connector.Input
}

func (p hookProvider) Spec() connector.Spec { return p.spec }

func (p hookProvider) Invoke(_ context.Context, _ connector.Connection, _ string, in connector.Input) (connector.Output, error) {
	*p.got = in
	h := http.Header{}
	if p.location != "" {
		h.Set("Location", p.location)
	}
	return connector.Output{StatusCode: p.status, Headers: h}, nil
}

func TestSubscribeOperation(t *testing.T) {
	t.Parallel()
	op := connector.Operation{ID: "Hook", Method: "POST", Path: "/hooks", Parameters: []connector.Param{
		{Name: "callback", In: connector.InQuery, CallbackURL: true},
		{Name: "body", In: connector.InBody, Schema: json.RawMessage(`{"type":"object","properties":{"NotificationUrl":{"type":"string","x-ms-notification-url":true},"topic":{"type":"string"}}}`)},
	}}
	const cb = "https://junction.test/callbacks/t"
	tests := []struct {
		name     string
		input    connector.Input
		status   int
		location string
		query    any
		body     string
		err      string // "" (success), "status" or "location"
	}{
		{"filled where missing", connector.Input{Body: decode(t, `{"topic":"a"}`)}, 201, "https://svc/h/1", cb, `{"topic":"a","NotificationUrl":"` + cb + `"}`, ""},
		{"given values kept", connector.Input{Parameters: map[string]any{"callback": "mine"}, Body: decode(t, `{"notificationUrl":"theirs"}`)}, 200, "https://svc/h/1", "mine", `{"notificationUrl":"theirs"}`, ""},
		{"no body", connector.Input{}, 201, "https://svc/h/1", cb, `{"NotificationUrl":"` + cb + `"}`, ""},
		{"refused", connector.Input{}, 403, "", cb, `{"NotificationUrl":"` + cb + `"}`, "status"},
		{"no location", connector.Input{}, 201, "", cb, `{"NotificationUrl":"` + cb + `"}`, "location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got connector.Input
			prov := hookProvider{spec: connector.Spec{ID: "h", Operations: []connector.Operation{op}}, status: tt.status, location: tt.location, got: &got}
			sub, out, err := SubscribeOperation(context.Background(), prov, connector.Connection{}, &op, tt.input, cb)
			equal(t, tt.status, out.StatusCode)
			equal(t, tt.query, got.Parameters["callback"])
			equal(t, tt.body, jsonText(got.Body))
			switch tt.err {
			case "":
				noErr(t, err)
				equal(t, tt.location, sub.Location)
			case "status":
				var ce *connector.Error
				isTrue(t, errors.As(err, &ce) && ce.StatusCode == tt.status, "error %v", err)
			case "location":
				isTrue(t, errors.Is(err, ErrNoLocation), "error %v", err)
			}
		})
	}
}

func TestUnsubscribeOperation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		ok     bool
	}{
		{"deleted", http.StatusOK, true},
		{"gone already (404)", http.StatusNotFound, true},
		{"gone already (410)", http.StatusGone, true},
		{"server error", http.StatusInternalServerError, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var method string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				method = r.Method
				w.WriteHeader(tt.status)
			}))
			t.Cleanup(srv.Close)
			err := UnsubscribeOperation(context.Background(), nil, connector.Connection{}, connector.Subscription{Location: srv.URL + "/h/1"}, srv.Client())
			equal(t, http.MethodDelete, method)
			if tt.ok {
				noErr(t, err)
				return
			}
			var ce *connector.Error
			isTrue(t, errors.As(err, &ce) && ce.Kind.Retryable(), "error %v", err)
		})
	}
	t.Run("no location", func(t *testing.T) {
		t.Parallel()
		noErr(t, UnsubscribeOperation(context.Background(), nil, connector.Connection{}, connector.Subscription{}, nil))
	})
}
