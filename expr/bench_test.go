// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"fmt"
	"strings"
	"testing"
)

func benchEnv() *MapEnv {
	body := NewObject(2)
	body.Set("name", "Ada")
	out := NewObject(1)
	out.Set("body", body)
	return &MapEnv{
		Variables:     map[string]any{"n": int64(41), "s": "x"},
		TriggerResult: &ActionResult{Outputs: out},
	}
}

// BenchmarkTypical is the typical expression.
func BenchmarkTypical(b *testing.B) {
	tmpl := MustCompile("@concat(triggerBody()?['name'], '-', string(add(variables('n'), 1)))")
	env := benchEnv()
	b.ReportAllocs()
	for b.Loop() {
		v, err := tmpl.Eval(env)
		if err != nil || v != "Ada-42" {
			b.Fatal(v, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

// BenchmarkTypicalParallel measures throughput on all cores.
func BenchmarkTypicalParallel(b *testing.B) {
	tmpl := MustCompile("@concat(triggerBody()?['name'], '-', string(add(variables('n'), 1)))")
	env := benchEnv()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tmpl.Eval(env); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkObject20 evaluates a 20-field object with interpolations.
func BenchmarkObject20(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("{")
	for i := range 20 {
		if i > 0 {
			sb.WriteString(",")
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&sb, `"f%d": "Hello @{triggerBody()?['name']}, #%d"`, i, i)
		case 1:
			fmt.Fprintf(&sb, `"f%d": "@add(variables('n'), %d)"`, i, i)
		case 2:
			fmt.Fprintf(&sb, `"f%d": "n=@{variables('n')} s=@{variables('s')}"`, i)
		default:
			fmt.Fprintf(&sb, `"f%d": "literal %d"`, i, i)
		}
	}
	sb.WriteString("}")
	c, err := CompileValue(decodeAny(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	env := benchEnv()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("@concat(triggerBody()?['name'], '-', string(add(variables('n'), 1)))"); err != nil {
			b.Fatal(err)
		}
	}
}
