// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"strings"
	"testing"

	"github.com/junction-run/junction/expr"
)

func TestParseJSON(t *testing.T) {
	t.Parallel()
	const schema = `{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0},"tags":{"type":"array","items":{"type":"string"}}},"required":["name"]}`
	env := &expr.MapEnv{
		Actions: map[string]*expr.ActionResult{
			"Http": {Outputs: decode(t, `{"statusCode":200,"body":{"z":1,"name":"Ann","a":[1]}}`)},
		},
	}
	tests := []struct {
		name, inputs string
		want         string // JSON of outputs.body
		code         string
		msgHas       []string
	}{
		{"string content keeps key order", `{"content":"{\"z\":1,\"name\":\"Ann\",\"a\":2}","schema":` + schema + `}`, `{"z":1,"name":"Ann","a":2}`, "", nil},
		{"value content", `{"content":"@body('Http')","schema":{"type":"object"}}`, `{"z":1,"name":"Ann","a":[1]}`, "", nil},
		{"binary content", `{"content":{"$content-type":"application/json","$content":"eyJhIjogMX0="},"schema":{}}`, `{"a":1}`, "", nil},
		{"no schema", `{"content":"[1,2]"}`, `[1,2]`, "", nil},
		{"schema as text", `{"content":"{\"name\":\"x\"}","schema":"{\"type\":\"object\",\"required\":[\"name\"]}"}`, `{"name":"x"}`, "", nil},
		{"array schema", `{"content":"[{\"id\":1},{\"id\":\"2\"}]","schema":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"}}}}}`, ``, "ValidationFailed", []string{"at /1/id:", "integer"}},
		{"missing required and wrong types", `{"content":"{\"age\":-1,\"tags\":[\"a\",2]}","schema":` + schema + `}`, ``, "ValidationFailed", []string{"name", "at /age:", "at /tags/1:"}},
		{"not json", `{"content":"{oops","schema":{}}`, ``, "InvalidJSON", nil},
		{"bad schema", `{"content":"1","schema":{"type":12}}`, ``, "InvalidSchema", nil},
		{"no content", `{"schema":{}}`, ``, "InvalidActionInputs", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := invoke(t, context.Background(), call(t, "ParseJson", tt.inputs, env))
			noErr(t, err)
			if tt.code != "" {
				isTrue(t, res.Failed, "result %+v", res)
				equal(t, tt.code, res.Error.Code, res.Error.Message)
				for _, s := range tt.msgHas {
					isTrue(t, strings.Contains(res.Error.Message, s), "message %q lacks %q", res.Error.Message, s)
				}
				if tt.code == "ValidationFailed" {
					errs, _ := res.Outputs.(*expr.Object).Get("errors")
					isTrue(t, len(errs.([]any)) > 0, "outputs list the errors")
				}
				return
			}
			isFalse(t, res.Failed, "%+v", res.Error)
			equal(t, tt.want, jsonText(body(t, res)))
		})
	}
}
