// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
)

// pi builds a policy instance; section and ops may be empty.
func pi(id, section string, ops []string, params map[string]any) connector.PolicyInstance {
	return connector.PolicyInstance{TemplateID: id, Section: section, Operations: ops, Parameters: params}
}

// jsonReply answers with a fixed JSON body and headers.
func jsonReply(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func bodyJSON(t *testing.T, b []byte) any {
	t.Helper()
	v, err := decodeJSON(b)
	if err != nil {
		t.Fatalf("request body %q: %v", b, err)
	}
	return v
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	getItem := connector.Input{Parameters: map[string]any{"id": "42"}}
	create := func(body string) connector.Input {
		return connector.Input{Body: json.RawMessage(body)}
	}
	type result struct {
		reqs []recorded
		out  connector.Output
		err  error
	}
	tests := []struct {
		name     string
		policies []connector.PolicyInstance
		op       string
		in       connector.Input
		values   map[string]any
		handler  func(rec *recorder) http.HandlerFunc
		wantErr  bool
		check    func(t *testing.T, res result)
	}{
		// setheader
		{
			name: "setheader prefixes the api key",
			policies: []connector.PolicyInstance{pi("setheader", "Request", nil, map[string]any{
				"name": "X-Api-Key", "value": "Token @headers('X-Api-Key')", "existsAction": "override"})},
			op: "GetItem", in: getItem, values: map[string]any{"api_key": "k"},
			check: func(t *testing.T, res result) { wantEq(t, res.reqs[0].Header.Get("X-Api-Key"), "Token k") },
		},
		{
			name: "setheader from connection parameters with default and interpolation",
			policies: []connector.PolicyInstance{
				pi("SetHeader", "", nil, map[string]any{"name": "X-Region", "value": "@connectionParameters('region')"}),
				pi("setHeader", "", nil, map[string]any{"name": "X-Tier", "value": "tier-@{connectionParameters('tier', 'free')}"}),
			},
			op: "GetItem", in: getItem, values: map[string]any{"region": "eu"},
			check: func(t *testing.T, res result) {
				wantEq(t, res.reqs[0].Header.Get("X-Region"), "eu")
				wantEq(t, res.reqs[0].Header.Get("X-Tier"), "tier-free")
			},
		},
		{
			name: "setheader skip and append",
			policies: []connector.PolicyInstance{
				pi("setheader", "Request", nil, map[string]any{"name": "X-Trace", "value": "policy", "existsAction": "skip"}),
				pi("setheader", "Request", nil, map[string]any{"name": "X-New", "value": "one", "existsAction": "skip"}),
				pi("setheader", "Request", nil, map[string]any{"name": "X-New", "value": "two", "existsAction": "append"}),
			},
			op: "ListItems", in: connector.Input{Parameters: map[string]any{"X-Trace": "caller"}},
			check: func(t *testing.T, res result) {
				wantEq(t, res.reqs[0].Header.Get("X-Trace"), "caller")
				wantEq(t, strings.Join(res.reqs[0].Header.Values("X-New"), ","), "one,two")
			},
		},
		{
			name: "setheader response section reads response headers",
			policies: []connector.PolicyInstance{pi("setheader", "Response", nil, map[string]any{
				"name": "Location", "value": "https://@connectionParameters('region')/hooks/@headers('X-Id')"})},
			op: "GetItem", in: getItem, values: map[string]any{"region": "eu.example"},
			handler: func(*recorder) http.HandlerFunc { return jsonReply(201, `{}`, "X-Id", "h1") },
			check: func(t *testing.T, res result) {
				wantEq(t, res.out.Headers.Get("Location"), "https://eu.example/hooks/h1")
				if res.reqs[0].Header.Get("Location") != "" {
					t.Error("response policy ran on the request")
				}
			},
		},
		{
			name:     "setheader failure section only on failure",
			policies: []connector.PolicyInstance{pi("setheader", "Failure", nil, map[string]any{"name": "X-Failed", "value": "yes"})},
			op:       "GetItem", in: getItem,
			handler: func(*recorder) http.HandlerFunc { return jsonReply(500, `{}`) },
			wantErr: true,
			check: func(t *testing.T, res result) {
				wantEq(t, res.out.Headers.Get("X-Failed"), "yes")
				if res.err == nil {
					t.Error("no error for 500")
				}
			},
		},
		{
			name:     "setheader failure section not on success",
			policies: []connector.PolicyInstance{pi("setheader", "Failure", nil, map[string]any{"name": "X-Failed", "value": "yes"})},
			op:       "GetItem", in: getItem,
			check: func(t *testing.T, res result) { wantEq(t, res.out.Headers.Get("X-Failed"), "") },
		},
		{
			name:     "scoped to other operations",
			policies: []connector.PolicyInstance{pi("setheader", "", []string{"ListItems"}, map[string]any{"name": "X-Scoped", "value": "v"})},
			op:       "GetItem", in: getItem,
			check: func(t *testing.T, res result) { wantEq(t, res.reqs[0].Header.Get("X-Scoped"), "") },
		},
		{
			name:     "scoped to this operation",
			policies: []connector.PolicyInstance{pi("setheader", "", []string{"ListItems", "GetItem"}, map[string]any{"name": "X-Scoped", "value": "v"})},
			op:       "GetItem", in: getItem,
			check: func(t *testing.T, res result) { wantEq(t, res.reqs[0].Header.Get("X-Scoped"), "v") },
		},
		// setqueryparameter
		{
			name: "setqueryparameter override skip append and pre-encoded names",
			policies: []connector.PolicyInstance{
				pi("setqueryparameter", "", nil, map[string]any{"name": "%24filter", "value": "status eq 'open'"}),
				pi("setqueryparameter", "", nil, map[string]any{"name": "order", "value": "asc", "existsAction": "skip"}),
				pi("setqueryparameter", "", nil, map[string]any{"name": "top", "value": "5"}),
				pi("setqueryparameter", "", nil, map[string]any{"name": "tags", "value": "@connectionParameters('dog', 'rex')", "existsAction": "append"}),
				pi("setqueryparameter", "", nil, map[string]any{"name": "echo", "value": "@queryParameters('order')"}),
			},
			op: "ListItems", in: connector.Input{Parameters: map[string]any{"order": "desc", "tags": "a"}},
			check: func(t *testing.T, res result) {
				q := res.reqs[0].Query
				wantEq(t, q.Get("$filter"), "status eq 'open'")
				wantEq(t, q.Get("order"), "desc")
				wantEq(t, q.Get("top"), "5")
				wantEq(t, strings.Join(q["tags"], ","), "a,rex")
				wantEq(t, q.Get("echo"), "desc")
			},
		},
		// setproperty
		{
			name: "setproperty constants, bracket names, interpolation and arrays",
			policies: []connector.PolicyInstance{
				pi("setproperty", "Request", nil, map[string]any{"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "source", "propertyValuePathTemplate": "Microsoft Power Automate"}),
				pi("setproperty", "Request", nil, map[string]any{"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "['@odata.id']", "propertyValuePathTemplate": "https://graph/directoryObjects/{@body()['id']}"}),
				pi("setproperty", "Request", nil, map[string]any{"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "events", "propertyValuePathTemplate": `["matter.created"]`}),
				pi("setproperty", "Request", nil, map[string]any{"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "wrapped", "propertyValuePathTemplate": "[{@body().payment}]"}),
				pi("setproperty", "Request", nil, map[string]any{"newPropertyParentPathTemplate": "@body().tags", "newPropertySubPathTemplate": "kind", "propertyValuePathTemplate": "{@item().label}-tag"}),
				pi("setproperty", "Request", nil, map[string]any{"newPropertyParentPathTemplate": "@body().meta.deep", "newPropertySubPathTemplate": "v", "propertyValuePathTemplate": "v1"}),
				pi("setproperty", "Request", nil, map[string]any{"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "copy", "propertyValuePathTemplate": "{@body().payment}"}),
			},
			op: "CreateItem", in: create(`{"name":"n","id":"7","payment":{"amount":3},"tags":[{"label":"a"},{"label":"b"}]}`),
			check: func(t *testing.T, res result) {
				want := mustJSON(t, `{"name":"n","id":"7","payment":{"amount":3},
					"tags":[{"label":"a","kind":"a-tag"},{"label":"b","kind":"b-tag"}],
					"source":"Microsoft Power Automate","@odata.id":"https://graph/directoryObjects/7",
					"events":["matter.created"],"wrapped":[{"amount":3}],"meta":{"deep":{"v":"v1"}},"copy":{"amount":3}}`)
				if got := bodyJSON(t, res.reqs[0].Body); !reflect.DeepEqual(got, want) {
					t.Errorf("body %v\nwant %v", got, want)
				}
			},
		},
		{
			name: "setproperty creates a body when there is none",
			policies: []connector.PolicyInstance{pi("setproperty", "Request", nil, map[string]any{
				"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "method", "propertyValuePathTemplate": "POST"})},
			op: "GetItem", in: getItem,
			check: func(t *testing.T, res result) {
				wantEq(t, string(res.reqs[0].Body), `{"method":"POST"}`)
				wantEq(t, res.reqs[0].Header.Get("Content-Type"), "application/json")
			},
		},
		{
			name: "setproperty response section",
			policies: []connector.PolicyInstance{pi("setproperty", "Response", nil, map[string]any{
				"newPropertyParentPathTemplate": "@body().value", "newPropertySubPathTemplate": "link", "propertyValuePathTemplate": "/items/{@item().id}"})},
			op: "GetItem", in: getItem,
			handler: func(*recorder) http.HandlerFunc { return jsonReply(200, `{"value":[{"id":1},{"id":2}]}`) },
			check: func(t *testing.T, res result) {
				want := mustJSON(t, `{"value":[{"id":1,"link":"/items/1"},{"id":2,"link":"/items/2"}]}`)
				if !reflect.DeepEqual(res.out.Body, want) {
					t.Errorf("body %v", res.out.Body)
				}
			},
		},
		// routerequesttoendpoint
		{
			name: "routerequesttoendpoint path, placeholders and method",
			policies: []connector.PolicyInstance{pi("routerequesttoendpoint", "", []string{"GetItem"}, map[string]any{
				"newPath": "v2/things/{id}/details", "httpMethod": "POST"})},
			op: "GetItem", in: connector.Input{Parameters: map[string]any{"id": "a/b"}},
			check: func(t *testing.T, res result) {
				wantEq(t, res.reqs[0].Method, "POST")
				wantEq(t, res.reqs[0].Path, "/base/v2/things/a%2Fb/details")
			},
		},
		{
			name: "routerequesttoendpoint keeps the method and builds a query",
			policies: []connector.PolicyInstance{pi("routerequesttoendpoint", "", nil, map[string]any{
				"newPath": "/search?@queryParameters('order')=@{queryParameters('top')}&t={top}", "httpMethod": "@Request.OriginalHTTPMethod"})},
			op: "ListItems", in: connector.Input{Parameters: map[string]any{"order": "asc", "top": 7}},
			check: func(t *testing.T, res result) {
				wantEq(t, res.reqs[0].Method, "GET")
				wantEq(t, res.reqs[0].Path, "/base/search")
				wantEq(t, res.reqs[0].Query.Get("asc"), "7")
				wantEq(t, res.reqs[0].Query.Get("t"), "7")
			},
		},
		// dynamichosturl
		{
			name:     "dynamichosturl without a path keeps the base path",
			policies: []connector.PolicyInstance{pi("dynamichosturl", "", nil, map[string]any{"urlTemplate": "http://@connectionParameters('host')"})},
			op:       "GetItem", in: getItem,
			check: func(t *testing.T, res result) { wantEq(t, res.reqs[0].Path, "/base/items/42") },
		},
		{
			name:     "dynamichosturl with a path replaces the base path",
			policies: []connector.PolicyInstance{pi("dynamichosturl", "", nil, map[string]any{"urlTemplate": "http://@connectionParameters('host')/tenant/@{connectionParameters('tenant')}"})},
			op:       "GetItem", in: getItem, values: map[string]any{"tenant": "t1"},
			check: func(t *testing.T, res result) { wantEq(t, res.reqs[0].Path, "/tenant/t1/items/42") },
		},
		{
			name: "dynamicsubdomain is an alias, phases run the host first",
			policies: []connector.PolicyInstance{
				pi("setheader", "", nil, map[string]any{"name": "X-A", "value": "a"}),
				pi("dynamicSubdomain", "", nil, map[string]any{"urlTemplate": "http://@connectionParameters('host')/sub"}),
			},
			op: "GetItem", in: getItem,
			check: func(t *testing.T, res result) {
				wantEq(t, res.reqs[0].Path, "/sub/items/42")
				wantEq(t, res.reqs[0].Header.Get("X-A"), "a")
			},
		},
		// setvaluefromurl
		{
			name: "setvaluefromurl fetches an etag into a header",
			policies: []connector.PolicyInstance{pi("setvaluefromurl", "Request", []string{"GetItem"}, map[string]any{
				"parameterTemplate": "@headers('If-Match')", "parameterValueUrl": "/tasks/{id}/details",
				"parameterValuePathTemplate": "@body()['@odata.etag']"})},
			op: "GetItem", in: getItem, values: map[string]any{"api_key": "k"},
			handler: func(*recorder) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/details") {
						jsonReply(200, `{"@odata.etag":"W/\"1\""}`)(w, r)
						return
					}
					jsonReply(200, `{}`)(w, r)
				}
			},
			check: func(t *testing.T, res result) {
				if len(res.reqs) != 2 {
					t.Fatalf("%d requests", len(res.reqs))
				}
				wantEq(t, res.reqs[0].Path, "/base/tasks/42/details")
				wantEq(t, res.reqs[0].Method, "GET")
				wantEq(t, res.reqs[0].Header.Get("X-Api-Key"), "k")
				wantEq(t, res.reqs[1].Header.Get("If-Match"), `W/"1"`)
			},
		},
		{
			name: "setvaluefromurl posts for a token into the query",
			policies: []connector.PolicyInstance{pi("setvaluefromurl", "", nil, map[string]any{
				"parameterTemplate": "@queryParameters('access_token')", "httpMethod": "POST",
				"parameterValueUrl": "/oauth2/token?grant_type=client_credentials", "parameterValuePathTemplate": "@body().access_token"})},
			op: "GetItem", in: getItem,
			handler: func(*recorder) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/base/oauth2/token" {
						jsonReply(200, `{"access_token":"tok"}`)(w, r)
						return
					}
					jsonReply(200, `{}`)(w, r)
				}
			},
			check: func(t *testing.T, res result) {
				wantEq(t, res.reqs[0].Method, "POST")
				wantEq(t, res.reqs[0].Query.Get("grant_type"), "client_credentials")
				wantEq(t, res.reqs[1].Query.Get("access_token"), "tok")
			},
		},
		{
			name: "setvaluefromurl failure keeps the kind",
			policies: []connector.PolicyInstance{pi("setvaluefromurl", "", nil, map[string]any{
				"parameterTemplate": "@headers('If-Match')", "parameterValueUrl": "/etag", "parameterValuePathTemplate": "@body().etag"})},
			op: "GetItem", in: getItem,
			handler: func(*recorder) http.HandlerFunc { return jsonReply(404, `{}`) },
			wantErr: true,
			check: func(t *testing.T, res result) {
				if connector.KindOf(res.err) != connector.KindNotFound || !strings.Contains(res.err.Error(), "setvaluefromurl") {
					t.Errorf("err %v", res.err)
				}
				if len(res.reqs) != 1 {
					t.Errorf("main call sent after a failed auxiliary call")
				}
			},
		},
		// convertobjecttoarray / convertarraytoobject
		{
			name: "convertobjecttoarray in the response",
			policies: []connector.PolicyInstance{
				pi("convertobjecttoarray", "Response", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "people", "newPropertyPath": "@body().peopleArray"}),
				pi("convertobjecttoarray", "Response", nil, map[string]any{"propertyParentPath": "@body().tasks", "propertySubPath": "assignments", "newPropertyPath": "@item()._assignments", "keyName": "userId", "valueName": "data"}),
			},
			op: "GetItem", in: getItem,
			handler: func(*recorder) http.HandlerFunc {
				return jsonReply(200, `{"people":{"b":2,"a":1},"tasks":[{"assignments":{"u1":{"x":1}}},{"assignments":{}}]}`)
			},
			check: func(t *testing.T, res result) {
				want := mustJSON(t, `{"people":{"b":2,"a":1},"peopleArray":[{"key":"a","value":1},{"key":"b","value":2}],
					"tasks":[{"assignments":{"u1":{"x":1}},"_assignments":[{"userId":"u1","data":{"x":1}}]},{"assignments":{},"_assignments":[]}]}`)
				if !reflect.DeepEqual(res.out.Body, want) {
					t.Errorf("body %v", res.out.Body)
				}
			},
		},
		{
			name: "convertarraytoobject in the request",
			policies: []connector.PolicyInstance{
				pi("convertarraytoobject", "Request", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "assignees", "keyWithinCollectionPath": "userId", "newPropertyPath": "@body().assignments", "retainKey": "false"}),
				pi("convertarraytoobject", "Request", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "assignees", "keyWithinCollectionPath": "userId", "newPropertyPath": "@body().kept"}),
			},
			op: "CreateItem", in: create(`{"name":"n","assignees":[{"userId":"u1","order":"a"},{"userId":"u2","order":"b"}]}`),
			check: func(t *testing.T, res result) {
				want := mustJSON(t, `{"name":"n","assignees":[{"userId":"u1","order":"a"},{"userId":"u2","order":"b"}],
					"assignments":{"u1":{"order":"a"},"u2":{"order":"b"}},
					"kept":{"u1":{"userId":"u1","order":"a"},"u2":{"userId":"u2","order":"b"}}}`)
				if got := bodyJSON(t, res.reqs[0].Body); !reflect.DeepEqual(got, want) {
					t.Errorf("body %v", got)
				}
			},
		},
		// moveproperties: AzureAD flattens customProperties into the user PATCH body
		{
			name: "moveproperties flattens and moves",
			policies: []connector.PolicyInstance{
				pi("moveproperties", "Request", []string{"CreateItem"}, map[string]any{"srcParentPath": "@body()", "srcSubPath": "customProperties",
					"dstParentPath": "@body()", "dstSubPath": "null", "copyOnlySubProperties": "true"}),
				pi("moveproperties", "Request", nil, map[string]any{"srcParentPath": "@body().meta", "srcSubPath": "tag",
					"dstParentPath": "@body()", "dstSubPath": "labels.primary"}),
				pi("moveproperties", "Request", nil, map[string]any{"srcParentPath": "@body()", "srcSubPath": "absent",
					"dstParentPath": "@body()", "dstSubPath": "x"}),
			},
			op: "CreateItem", in: create(`{"name":"n","customProperties":{"extension_dept":"R&D","extension_floor":3},"meta":{"tag":"t1","keep":true}}`),
			check: func(t *testing.T, res result) {
				want := mustJSON(t, `{"name":"n","extension_dept":"R&D","extension_floor":3,"meta":{"keep":true},"labels":{"primary":"t1"}}`)
				if got := bodyJSON(t, res.reqs[0].Body); !reflect.DeepEqual(got, want) {
					t.Errorf("body %v", got)
				}
			},
		},
		// stringreplace: Planner's encode in the request, decode in the response, in array order
		{
			name: "stringreplace chains in order",
			policies: []connector.PolicyInstance{
				pi("stringreplace", "Request", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "name", "sourceString": "%", "replacementString": "%25", "newPropertyPath": "@body().name"}),
				pi("stringreplace", "Request", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "name", "sourceString": ".", "replacementString": "%2E", "newPropertyPath": "@body().name"}),
				pi("stringreplace", "Response", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "name", "sourceString": "%2E", "replacementString": ".", "newPropertyPath": "@body().name"}),
				pi("stringreplace", "Response", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "name", "sourceString": "%25", "replacementString": "%", "newPropertyPath": "@body().decoded"}),
			},
			op: "CreateItem", in: create(`{"name":"a.b%c"}`),
			handler: func(*recorder) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					jsonReply(200, string(b))(w, r)
				}
			},
			check: func(t *testing.T, res result) {
				wantEq(t, string(res.reqs[0].Body), `{"name":"a%2Eb%25c"}`)
				want := mustJSON(t, `{"name":"a.b%25c","decoded":"a.b%c"}`)
				if !reflect.DeepEqual(res.out.Body, want) {
					t.Errorf("body %v", res.out.Body)
				}
			},
		},
		// stringtoarray and encodepropertyvalue
		{
			name: "stringtoarray and encodepropertyvalue",
			policies: []connector.PolicyInstance{
				pi("stringtoarray", "Request", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "users", "delimiterList": ";,", "childPropertyName": "userId", "newPropertyPath": "@body().users"}),
				pi("encodepropertyvalue", "Request", nil, map[string]any{"propertyParentPath": "@body()", "propertySubPath": "name", "newPropertyPath": "@body().encoded"}),
			},
			op: "CreateItem", in: create(`{"name":"a b/c","users":"u1; u2,,u3"}`),
			check: func(t *testing.T, res result) {
				want := mustJSON(t, `{"name":"a b/c","encoded":"a+b%2Fc","users":[{"userId":"u1"},{"userId":"u2"},{"userId":"u3"}]}`)
				if got := bodyJSON(t, res.reqs[0].Body); !reflect.DeepEqual(got, want) {
					t.Errorf("body %v", got)
				}
			},
		},
		// updatenextlink
		{
			name:     "updatenextlink makes links absolute",
			policies: []connector.PolicyInstance{pi("updatenextlink", "", []string{"ListItems"}, map[string]any{"nextLinkPropertyName": "@odata.nextLink"})},
			op:       "ListItems", in: connector.Input{},
			handler: func(*recorder) http.HandlerFunc {
				return jsonReply(200, `{"value":[],"@odata.nextLink":"items?page=2"}`)
			},
			check: func(t *testing.T, res result) {
				link := res.out.Body.(map[string]any)["@odata.nextLink"].(string)
				if !strings.HasPrefix(link, "http://127.0.0.1") || !strings.HasSuffix(link, "/base/items?page=2") {
					t.Errorf("link %q", link)
				}
			},
		},
		// setconnectionstatustounauthenticated
		{
			name:     "setconnectionstatustounauthenticated",
			policies: []connector.PolicyInstance{pi("setconnectionstatustounauthenticated", "", nil, map[string]any{"statusCode": 400.0})},
			op:       "GetItem", in: getItem,
			handler: func(*recorder) http.HandlerFunc { return jsonReply(400, `{"message":"token revoked"}`) },
			wantErr: true,
			check: func(t *testing.T, res result) {
				if connector.KindOf(res.err) != connector.KindUnauthenticated {
					t.Errorf("err %v", res.err)
				}
			},
		},
		// unknown and broken policies
		{
			name:     "unknown templates are ignored",
			policies: []connector.PolicyInstance{pi("futuretemplate", "Request", nil, map[string]any{"srcParentPath": "@body()"}), pi("nosuchtemplate", "", nil, nil)},
			op:       "GetItem", in: getItem,
			check: func(t *testing.T, res result) {
				if res.err != nil {
					t.Error(res.err)
				}
			},
		},
		{
			name:     "bad parameters name the template and parameter",
			policies: []connector.PolicyInstance{pi("setheader", "", []string{"GetItem"}, map[string]any{"value": "x"})},
			op:       "GetItem", in: getItem,
			wantErr: true,
			check: func(t *testing.T, res result) {
				if res.err == nil || !strings.Contains(res.err.Error(), "policy setheader (#1): parameter name: required") {
					t.Errorf("err %v", res.err)
				}
				if connector.KindOf(res.err) != connector.KindBadRequest || len(res.reqs) != 0 {
					t.Errorf("kind %v, %d requests", connector.KindOf(res.err), len(res.reqs))
				}
			},
		},
		{
			name:     "a broken policy for another operation does not matter",
			policies: []connector.PolicyInstance{pi("setheader", "", []string{"ListItems"}, map[string]any{"value": "x"})},
			op:       "GetItem", in: getItem,
			check: func(t *testing.T, res result) {
				if res.err != nil {
					t.Error(res.err)
				}
			},
		},
		{
			name:     "missing connection parameter",
			policies: []connector.PolicyInstance{pi("setheader", "", nil, map[string]any{"name": "X-R", "value": "@connectionParameters('region')"})},
			op:       "GetItem", in: getItem,
			wantErr: true,
			check: func(t *testing.T, res result) {
				if res.err == nil || !strings.Contains(res.err.Error(), `connection parameter "region" is not set`) {
					t.Errorf("err %v", res.err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, nil)
			if tt.handler != nil {
				h := tt.handler(rec)
				rec.Config.Handler = wrapRecording(rec, h)
			}
			spec := testSpec()
			spec.Policies = tt.policies
			values := map[string]any{"host": strings.TrimPrefix(rec.URL, "http://")}
			for k, v := range tt.values {
				values[k] = v
			}
			p := New(spec, Options{BaseURL: rec.URL + "/base"})
			out, err := p.Invoke(context.Background(), conn(values), tt.op, tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Invoke: error %v, want error: %v", err, tt.wantErr)
			}
			tt.check(t, result{reqs: rec.all(), out: out, err: err})
		})
	}
}

// wrapRecording records requests before handing them to h.
func wrapRecording(rec *recorder, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, recorded{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	})
}

func TestUpdateNextLinkRewrite(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, jsonReply(200, `{"nextLink":"https://backend.example/items?page=2"}`))
	spec := testSpec()
	spec.Policies = []connector.PolicyInstance{pi("updatenextlink", "", nil, map[string]any{"nextLinkPropertyName": "nextLink"})}
	p := New(spec, Options{BaseURL: rec.URL, RewriteNextLink: func(l string) string { return "https://gateway/next?u=" + l }})
	out, err := p.Invoke(context.Background(), conn(nil), "ListItems", connector.Input{})
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, out.Body.(map[string]any)["nextLink"].(string), "https://gateway/next?u=https://backend.example/items?page=2")
}

func TestUnknownTemplateLoggedOnce(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	rec := newRecorder(t, nil)
	spec := testSpec()
	spec.Policies = []connector.PolicyInstance{pi("futuretemplate", "", nil, nil)}
	p := New(spec, Options{BaseURL: rec.URL, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	for range 3 {
		if _, err := p.Invoke(context.Background(), conn(nil), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(logs.String(), "unknown policy template"); n != 1 {
		t.Errorf("logged %d times:\n%s", n, logs.String())
	}
}

func TestInputNotMutatedAndConcurrentCalls(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, nil)
	spec := testSpec()
	spec.Policies = []connector.PolicyInstance{pi("setproperty", "Request", nil, map[string]any{
		"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "source", "propertyValuePathTemplate": "junction"})}
	p := New(spec, Options{BaseURL: rec.URL})
	body := map[string]any{"name": "n", "tags": []any{map[string]any{"label": "x"}}}
	in := connector.Input{Body: body}
	done := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := p.Invoke(context.Background(), conn(map[string]any{"api_key": "k"}), "CreateItem", in)
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := body["source"]; ok {
		t.Error("a policy changed the caller's input")
	}
	for _, r := range rec.all() {
		wantEq(t, string(r.Body), `{"name":"n","source":"junction","tags":[{"label":"x"}]}`)
	}
}

func TestSetPropertyLeavesTextBodiesAlone(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "just text")
	})
	spec := testSpec()
	spec.Policies = []connector.PolicyInstance{pi("setproperty", "Response", nil, map[string]any{
		"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "x", "propertyValuePathTemplate": "y"})}
	out, err := New(spec, Options{BaseURL: rec.URL}).Invoke(context.Background(), conn(nil), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	wantEq[any](t, out.Body, "just text")
}
