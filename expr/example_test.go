// SPDX-License-Identifier: Apache-2.0

package expr_test

import (
	"fmt"
	"time"

	"github.com/junction-run/junction/expr"
)

func ExampleCompile() {
	env := &expr.MapEnv{Variables: map[string]any{"n": int64(41)}}
	for _, s := range []string{"@add(variables('n'), 1)", "Total: @{variables('n')}", "@@literal"} {
		t, err := expr.Compile(s)
		if err != nil {
			panic(err)
		}
		v, err := t.Eval(env)
		fmt.Printf("%#v %v\n", v, err)
	}
	// Output:
	// 42 <nil>
	// "Total: 41" <nil>
	// "@literal" <nil>
}

func ExampleParse() {
	tree, err := expr.Parse("concat( triggerBody()?.name ,'-')")
	if err != nil {
		panic(err)
	}
	fmt.Println(tree)
	_, err = expr.Parse("concat('a' 'b')")
	fmt.Println(err)
	fmt.Println(err.(*expr.ParseError).Snippet())
	// Output:
	// concat(triggerBody()?.name, '-')
	// expr: 1:12: expected ',' or ')', found string 'b'
	// concat('a' 'b')
	//            ^
}

func ExampleCompileValue() {
	def, _ := expr.Decode([]byte(`{"uri": "https://example.com/@{parameters('path')}", "count": "@length(parameters('items'))"}`))
	c, err := expr.CompileValue(def)
	if err != nil {
		panic(err)
	}
	env := &expr.MapEnv{Parameters: map[string]any{"path": "a b", "items": []any{int64(1), int64(2)}}}
	v, _ := c.Eval(env)
	fmt.Println(string(expr.AppendJSON(nil, v)))
	// Output:
	// {"uri":"https://example.com/a b","count":2}
}

func ExampleTemplate_Calls() {
	t := expr.MustCompile("@concat(parameters('base'), body('Get_user')?['id'], utcNow())")
	for _, c := range t.Calls() {
		fmt.Println(c.Name, c.Args, c.Impure)
	}
	// Output:
	// concat [<nil> <nil> <nil>] false
	// parameters [base] false
	// body [Get_user] false
	// utcNow [] true
}

func ExampleMapEnv() {
	env := &expr.MapEnv{Clock: time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC)}
	v, _ := expr.MustCompile("@getFutureTime(5, 'Day', 'D')").Eval(env)
	fmt.Println(v)
	// Output:
	// Tuesday, March 6, 2018
}
