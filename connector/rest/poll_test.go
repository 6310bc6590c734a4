// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
)

func TestPollProtocol(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1: // nothing yet: come back later at the location
			w.Header().Set("Location", "/trigger/next?cursor=c1")
			w.Header().Set("Retry-After", "15")
			w.WriteHeader(http.StatusAccepted)
		case 2:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", "/trigger/next?cursor=c2")
			_, _ = io.WriteString(w, `{"items":[{"id":1},{"id":2}]}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[]}`)
		}
	})
	spec := testSpec()
	p := New(spec, Options{BaseURL: rec.URL})
	c := conn(map[string]any{"api_key": "k"})
	ctx := context.Background()

	res, err := p.Poll(ctx, c, "OnNewItems", connector.Input{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 0 || res.RetryAfter != 15*time.Second || !strings.Contains(string(res.State), "cursor=c1") {
		t.Fatalf("first poll: %+v state %s", res, res.State)
	}
	res, err = p.Poll(ctx, c, "OnNewItems", connector.Input{}, res.State)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"id": json.Number("1")}, map[string]any{"id": json.Number("2")}}
	if !reflect.DeepEqual(res.Items, want) || !strings.Contains(string(res.State), "cursor=c2") {
		t.Fatalf("second poll: items %v state %s", res.Items, res.State)
	}
	reqs := rec.all()
	wantEq(t, reqs[1].Path, "/trigger/next")
	wantEq(t, reqs[1].Query.Get("cursor"), "c1")
	wantEq(t, reqs[1].Header.Get("X-Api-Key"), "k")
	res, err = p.Poll(ctx, c, "OnNewItems", connector.Input{}, res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 0 || string(res.State) != "{}" {
		t.Fatalf("third poll: %+v state %s", res, res.State)
	}
	wantEq(t, rec.all()[2].Query.Get("cursor"), "c2")
}

func TestPollErrors(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, jsonReply(429, `{}`, "Retry-After", "3"))
	p := New(testSpec(), Options{BaseURL: rec.URL})
	_, err := p.Poll(context.Background(), conn(nil), "OnNewItems", connector.Input{}, nil)
	if d, ok := connector.RetryAfterOf(err); connector.KindOf(err) != connector.KindThrottled || !ok || d != 3*time.Second {
		t.Errorf("err %v", err)
	}
	_, err = p.Poll(context.Background(), conn(nil), "OnNewItems", connector.Input{}, json.RawMessage(`[`))
	if connector.KindOf(err) != connector.KindBadRequest {
		t.Errorf("bad state: %v", err)
	}
}

func TestPollingTriggerPolicy(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch calls.Add(1) {
		case 1: // baseline
			_, _ = io.WriteString(w, `{"value":[{"TripId":10},{"TripId":9}]}`)
		case 2: // nothing new
			_, _ = io.WriteString(w, `{"value":[]}`)
		case 3:
			_, _ = io.WriteString(w, `{"value":[{"TripId":12},{"TripId":11}]}`)
		default:
			_, _ = io.WriteString(w, `{"value":[]}`)
		}
	})
	spec := testSpec()
	spec.Policies = []connector.PolicyInstance{{TemplateID: "PollingTrigger", Type: "PollingTrigger", Operations: []string{"OnNewItems"},
		Parameters: map[string]any{
			"triggerConfig": map[string]any{
				"$filter":  "TripId gt @{triggerBody().value[0].TripId}",
				"per_page": "@connectionParameters('pageSize', '50')",
			},
			"triggerDataPath": "@triggerBody().value",
		}}}
	p := New(spec, Options{BaseURL: rec.URL})
	ctx := context.Background()
	var state json.RawMessage
	var got [][]any
	for range 4 {
		res, err := p.Poll(ctx, conn(nil), "OnNewItems", connector.Input{}, state)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.Items)
		state = res.State
	}
	if len(got[0]) != 0 || len(got[1]) != 0 || len(got[2]) != 2 || len(got[3]) != 0 {
		t.Fatalf("items per poll: %v", got)
	}
	reqs := rec.all()
	wantEq(t, reqs[0].Query.Get("$filter"), "")
	wantEq(t, reqs[0].Query.Get("per_page"), "50")
	wantEq(t, reqs[1].Query.Get("$filter"), "TripId gt 10")
	wantEq(t, reqs[2].Query.Get("$filter"), "TripId gt 10")
	wantEq(t, reqs[3].Query.Get("$filter"), "TripId gt 12")
}

func TestNextPage(t *testing.T) {
	t.Parallel()
	other := newRecorder(t, jsonReply(200, `{"value":[3]}`))
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			jsonReply(200, `{"value":[2],"nextLink":"`+other.URL+`/elsewhere?page=3"}`)(w, r)
			return
		}
		jsonReply(200, `{"value":[1],"nextLink":"/api/items?page=2"}`)(w, r)
	})
	spec := testSpec()
	spec.Auth = []connector.Auth{
		{Kind: connector.AuthAPIKey, In: "header", ParamName: "X-Api-Key"},
	}
	p := New(spec, Options{BaseURL: rec.URL + "/api"})
	c := conn(map[string]any{"api_key": "k"})
	ctx := context.Background()
	in := connector.Input{}
	out, err := p.Invoke(ctx, c, "ListItems", in)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		link := out.Body.(map[string]any)["nextLink"].(string)
		if out, err = p.NextPage(ctx, c, "ListItems", in, link); err != nil {
			t.Fatal(err)
		}
	}
	reqs := rec.all()
	wantEq(t, len(reqs), 2)
	wantEq(t, reqs[1].Query.Get("page"), "2")
	wantEq(t, reqs[1].Header.Get("X-Api-Key"), "k")
	o := other.last(t)
	wantEq(t, o.Path, "/elsewhere")
	wantEq(t, o.Header.Get("X-Api-Key"), "")
	if _, err := p.NextPage(ctx, c, "ListItems", in, "javascript:alert(1)"); connector.KindOf(err) != connector.KindBadRequest {
		t.Errorf("bad link: %v", err)
	}
}

func TestRedirectDropsAPIKeyOnOtherHosts(t *testing.T) {
	t.Parallel()
	other := newRecorder(t, nil)
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/moved", http.StatusFound)
	})
	p := New(testSpec(), Options{BaseURL: rec.URL})
	if _, err := p.Invoke(context.Background(), conn(map[string]any{"api_key": "k"}), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}}); err != nil {
		t.Fatal(err)
	}
	wantEq(t, rec.last(t).Header.Get("X-Api-Key"), "k")
	wantEq(t, other.last(t).Header.Get("X-Api-Key"), "")
}
