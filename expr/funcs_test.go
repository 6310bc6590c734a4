// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"strings"
	"testing"
	"time"
)

// TestSpecExamples runs the examples of every function spec (executable
// docs).
func TestSpecExamples(t *testing.T) {
	t.Parallel()
	for _, spec := range Funcs() {
		for _, ex := range spec.Examples {
			t.Run(spec.Name+"/"+ex.Expr, func(t *testing.T) {
				t.Parallel()
				checkExpr(t, ex.Expr, ex.Want, ex.Err)
			})
		}
	}
}

func TestEveryFunctionDocumented(t *testing.T) {
	t.Parallel()
	want := strings.Fields(`action actionBody actionOutputs actions add addDays addHours addMinutes addProperty
		addSeconds addToTime and appsetting array base64 base64ToBinary base64ToString binary body bool chunk
		coalesce concat contains convertFromUtc convertTimeZone convertToUtc createArray dataUri dataUriToBinary
		dataUriToString dateDifference dayOfMonth dayOfWeek dayOfYear decimal decodeBase64 decodeDataUri
		decodeUriComponent decodeXmlName decodeXmlValue div empty encodeUriComponent encodeXmlName encodeXmlValue
		endsWith equals first float formatDateTime formatNumber formatTimeSpan formDataMultiValues formDataValue
		getFutureTime getPastTime greater greaterOrEquals guid if indexOf int intersection isFloat isInt item
		items iterationIndexes join json last lastIndexOf length less lessOrEquals listCallbackUrl max mergeObjects
		min mod mul multipartBody not nthIndexOf or outputs parameters parseDateTime rand range removeProperty
		replace result reverse setProperty skip slice sort split startOfDay startOfHour startOfMonth startsWith
		string sub substring subtractFromTime take ticks toLower toUpper trigger triggerBody triggerFormDataMultiValues
		triggerFormDataValue triggerMultipartBody triggerOutputs trim trimByteOrderMark union uriComponent
		uriComponentToBinary uriComponentToString uriHost uriPath uriPathAndQuery uriPort uriQuery uriScheme
		utcNow utf16Length utf8Length variables workflow xml xpath`)
	for _, name := range want {
		spec, ok := LookupFunc(name)
		if !ok {
			t.Errorf("function %s is not registered", name)
			continue
		}
		if spec.Name != name {
			t.Errorf("canonical name %q, want %q", spec.Name, name)
		}
	}
	if got := len(Funcs()); got != len(want) {
		t.Errorf("%d functions registered, test lists %d", got, len(want))
	}
	for _, spec := range Funcs() {
		switch spec.Name {
		case "utcNow", "guid", "rand", "getFutureTime", "getPastTime":
			if !spec.Impure || spec.Context {
				t.Errorf("%s: impure %v, context %v; want impure only", spec.Name, spec.Impure, spec.Context)
			}
		default:
			if spec.Impure {
				t.Errorf("%s is marked impure", spec.Name)
			}
			if spec.Context != (spec.Category == "workflow") {
				t.Errorf("%s: context %v in category %s", spec.Name, spec.Context, spec.Category)
			}
		}
	}
}

func TestGoodFuncRejectsBadSpecs(t *testing.T) {
	t.Parallel()
	noop := func(*state, []any) (any, error) { return nil, nil }
	for name, e := range map[string]*funcEntry{
		"name":    {spec: FuncSpec{Name: "1x", Category: "c", Doc: "d", Signature: "s"}, fn: noop},
		"arity":   {spec: FuncSpec{Name: "x", Category: "c", Doc: "d", Signature: "s", MinArgs: 2, MaxArgs: 1}, fn: noop},
		"impl":    {spec: FuncSpec{Name: "x", Category: "c", Doc: "d", Signature: "s"}},
		"doc":     {spec: FuncSpec{Name: "x", Category: "c", Signature: "s"}, fn: noop},
		"context": {spec: FuncSpec{Name: "x", Category: "string", Doc: "d", Signature: "s", Context: true}, fn: noop},
		"example": {spec: FuncSpec{Name: "x", Category: "c", Doc: "d", Signature: "s", Examples: []Example{{Expr: "x()"}}}, fn: noop},
	} {
		if goodFunc(e) == nil {
			t.Errorf("%s: bad spec accepted", name)
		}
	}
}

// checkExpr evaluates a bare expression with a fixed test environment and
// compares with want (JSON) or an error substring.
func checkExpr(t *testing.T, src, want, wantErr string) {
	t.Helper()
	tree, err := Parse(src)
	var got any
	if err == nil {
		got, err = tree.Eval(testEnv())
	}
	if wantErr != "" {
		if err == nil {
			t.Fatalf("%s = %s, want error containing %q", src, jsonText(got), wantErr)
		}
		if !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("%s: error %q, want it to contain %q", src, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if g := jsonText(got); g != want {
		w := decodeJSON(t, want)
		if !sameValue(got, w) || TypeName(got) != TypeName(w) && !(kindOf(got) != notNum && kindOf(w) != notNum) {
			t.Fatalf("%s = %s (%s), want %s", src, g, TypeName(got), want)
		}
	}
}

func testEnv() *MapEnv {
	trig := NewObject(2)
	body := NewObject(2)
	body.Set("name", "Ada")
	body.Set("n", int64(41))
	trig.Set("body", body)
	trig.Set("headers", decodeAny(`{"Content-Type":"application/json"}`))
	return &MapEnv{
		Variables:     map[string]any{"n": int64(41), "s": "text", "arr": decodeAny(`[1,2,3]`), "nil": nil, "obj": decodeAny(`{"a":{"b":[10,20]}}`)},
		Parameters:    map[string]any{"p": "param"},
		TriggerResult: &ActionResult{Name: "manual", Outputs: trig, Status: "Succeeded"},
		Actions: map[string]*ActionResult{
			"Http":  {Name: "Http", Inputs: decodeAny(`{"method":"GET"}`), Outputs: decodeAny(`{"statusCode":200,"body":{"ok":true}}`), Status: "Succeeded"},
			"Form":  {Name: "Form", Outputs: decodeAny(`{"body":{"$content-type":"application/x-www-form-urlencoded","$content":"YT0xJmE9MiZiPTM=","$formdata":[{"key":"a","value":"1"},{"key":"a","value":"2"},{"key":"b","value":"3"}]}}`)},
			"Multi": {Name: "Multi", Outputs: decodeAny(`{"body":{"$content-type":"multipart/form-data","$multipart":[{"headers":{},"body":"part0"},{"body":{"x":1}}]}}`)},
		},
		Loops:         []Loop{{Name: "Outer", Item: "o", Index: 1}, {Name: "Inner", Item: decodeAny(`{"id":7}`), Index: 2}},
		Results:       map[string]any{"Scope": decodeAny(`[{"name":"A","status":"Failed"}]`)},
		WorkflowValue: decodeAny(`{"name":"wf","run":{"name":"run1"}}`),
		CallbackURL:   "https://example.com/cb",
		AppSettings:   map[string]string{"Setting": "v"},
		Clock:         time.Date(2025, 9, 25, 5, 18, 31, 338479700, time.UTC),
		GUID:          func() string { return "c2ecc88d-88c8-4096-912c-d6f2e2b138ce" },
		RandFunc:      func(min, max int64) (int64, error) { return min, nil },
	}
}

func decodeAny(s string) any {
	v, err := Decode([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}
