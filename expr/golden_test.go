// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/eval/*.txt")

// TestGolden runs the txtar-style cases in testdata/eval. Each file holds
// sections "-- input --" (one definition string per line, as JSON),
// "-- context --" (optional, JSON for [NewMapEnv]) and "-- want --": for
// each input, its canonical form, then "=> <JSON value>" or
// "!! <error>". Run with -update to regenerate "want".
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/eval/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections, order := parseTxtar(string(data))
			env := &MapEnv{}
			if c := strings.TrimSpace(sections["context"]); c != "" {
				if env, err = NewMapEnv(decodeJSON(t, c)); err != nil {
					t.Fatal(err)
				}
			}
			var out strings.Builder
			for _, line := range strings.Split(sections["input"], "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				out.WriteString(goldenCase(t, line, env))
			}
			if *update {
				sections["want"] = out.String()
				if !contains(order, "want") {
					order = append(order, "want")
				}
				if err := os.WriteFile(file, []byte(formatTxtar(sections, order)), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got, want := out.String(), sections["want"]; got != want {
				t.Errorf("mismatch (run with -update to accept):\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}

func goldenCase(t *testing.T, line string, env Env) string {
	src, ok := decodeJSON(t, line).(string)
	if !ok {
		t.Fatalf("input %s is not a JSON string", line)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", line)
	tmpl, err := Compile(src)
	if err != nil {
		fmt.Fprintf(&b, "!! %v\n", err)
		if pe, ok := err.(*ParseError); ok {
			for _, l := range strings.Split(pe.Snippet(), "\n") {
				fmt.Fprintf(&b, "!! %s\n", l)
			}
		}
		return b.String()
	}
	fmt.Fprintf(&b, "   %s\n", tmpl.String())
	v, err := tmpl.Eval(env)
	if err != nil {
		fmt.Fprintf(&b, "!! %v\n", err)
	} else {
		fmt.Fprintf(&b, "=> %s\n", jsonText(v))
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// parseTxtar splits "-- name --" sections; text before the first section
// is kept under "".
func parseTxtar(s string) (map[string]string, []string) {
	sections := map[string]string{}
	order := []string{""}
	name := ""
	for _, line := range strings.SplitAfter(s, "\n") {
		l := strings.TrimRight(line, "\n")
		if strings.HasPrefix(l, "-- ") && strings.HasSuffix(l, " --") && len(l) > 6 {
			name = l[3 : len(l)-3]
			order = append(order, name)
			continue
		}
		sections[name] += line
	}
	return sections, order
}

func formatTxtar(sections map[string]string, order []string) string {
	var b strings.Builder
	for _, name := range order {
		if name != "" {
			fmt.Fprintf(&b, "-- %s --\n", name)
		}
		b.WriteString(sections[name])
	}
	return b.String()
}
