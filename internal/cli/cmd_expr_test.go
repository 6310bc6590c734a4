// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExprEval(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := filepath.Join(dir, "ctx.json")
	err := os.WriteFile(ctx, []byte(`{
		"variables": {"n": 41},
		"parameters": {"name": "Ada"},
		"triggerBody": {"id": 7},
		"actions": {"Http": {"outputs": {"statusCode": 200, "body": {"ok": true}}, "status": "Succeeded"}},
		"items": {"Loop": {"x": 1}},
		"now": "2018-03-01T00:00:00Z"
	}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	in := strings.Join([]string{
		`"@add(1, 2)"`,
		`"Total: @{variables('n')}"`,
		``,
		`"@div(11, 5.0)"`,
		`"@parameters('name')"`,
		`"@triggerBody()?['id']"`,
		`"@body('Http').ok"`,
		`"@item().x"`,
		`"@utcNow()"`,
		`"@@literal"`,
		`"@add(1,"`,
		`"@variables('missing')"`,
		`not json`,
		`42`,
		`"@base64ToBinary('aGk=')"`,
		`"@xml('<a/>')"`,
		`"<b>&amp;</b> @{'x'}"`,
	}, "\n") // no final newline: the last line still counts
	code, out, errOut := run(t, in, "expr", "eval", "--context", ctx)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := []string{
		`{"value":3}`,
		`{"value":"Total: 41"}`,
		`{"value":2.2}`,
		`{"value":"Ada"}`,
		`{"value":7}`,
		`{"value":true}`,
		`{"value":1}`,
		`{"value":"2018-03-01T00:00:00.0000000Z"}`,
		`{"value":"@literal"}`,
		`{"error":"expr: 1:8: expected an expression, found end of expression"}`,
		`{"error":"The template language function 'variables' cannot be evaluated: the workflow has no variable named 'missing' (not available in this context)."}`,
		`{"error":"input line is not a JSON string: invalid character 'o' in literal null (expecting 'u')"}`,
		`{"error":"input line is not a JSON string: json: cannot unmarshal number into Go value of type string"}`,
		`{"value":{"$content-type":"application/octet-stream","$content":"aGk="}}`,
		`{"value":{"$content-type":"application/xml;charset=utf-8","$content":"PGEvPg=="}}`,
		`{"value":"<b>&amp;</b> x"}`,
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got[i], want[i])
		}
	}
}

func TestExprEvalNoContext(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "\"@triggerBody()\"\n\"@concat('a', 'b')\"\n", "expr", "eval")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"error":"The template language function 'triggerBody'`) || lines[1] != `{"value":"ab"}` {
		t.Fatalf("output:\n%s", out)
	}
}

func TestExprEvalBadContext(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "", "expr", "eval", "--context", filepath.Join(t.TempDir(), "missing.json"))
	if code != 2 || !strings.Contains(errOut, "missing.json") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestExprFuncs(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "expr", "funcs")
	if code != 0 || !strings.Contains(out, "utcNow(format?) [impure]") || !strings.Contains(out, "add(summand1, summand2)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
