// SPDX-License-Identifier: Apache-2.0

package rest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/rest"
)

func ExampleProvider_Invoke() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`","auth":"`+r.Header.Get("Authorization")+`"}`)
	}))
	defer srv.Close()

	spec := &connector.Spec{
		ID:      "example",
		BaseURL: srv.URL + "/v1",
		Auth:    []connector.Auth{{Kind: connector.AuthAPIKey, In: "header", ParamName: "Authorization"}},
		Operations: []connector.Operation{{
			ID: "GetItem", Kind: connector.KindAction, Method: "GET", Path: "/items/{id}",
			Parameters: []connector.Param{{Name: "id", In: connector.InPath, Required: true}},
		}},
		Policies: []connector.PolicyInstance{{TemplateID: "setheader", Parameters: map[string]any{
			"name": "Authorization", "value": "Token @headers('Authorization')",
		}}},
	}
	p := rest.New(spec, rest.Options{})
	conn := connector.Connection{Name: "demo", Values: map[string]any{"api_key": "k1"}}
	out, err := p.Invoke(context.Background(), conn, "GetItem", connector.Input{Parameters: map[string]any{"id": "42"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	body := out.Body.(map[string]any)
	fmt.Println(out.StatusCode, body["path"], body["auth"])
	// Output: 200 /v1/items/42 Token k1
}
