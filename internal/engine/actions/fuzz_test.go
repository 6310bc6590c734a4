// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"strings"
	"testing"
)

// FuzzMatchTemplate checks that path matching never panics and that the
// parameters it extracts substitute back into the template to give the
// path (ignoring case of the literal text).
func FuzzMatchTemplate(f *testing.F) {
	for _, s := range [][2]string{
		{"/pets/{petId}", "/pets/42"},
		{"/files/{name}.json", "/files/a.b.json"},
		{"/a/{x}-{y}/c", "/a/1-2/c"},
		{"/{a}{b}", "/xy"},
		{"/İ/{x}", "/i̇/1"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, tmpl, path string) {
		params, _, ok := matchTemplate(tmpl, path)
		if !ok {
			return
		}
		got := tmpl
		for k, v := range params {
			got = strings.Replace(got, "{"+k+"}", v, 1)
		}
		if strings.Count(tmpl, "{") == len(params) && !strings.EqualFold(strings.Trim(got, "/"), strings.Trim(path, "/")) {
			t.Fatalf("template %q matched %q with %v, which gives %q", tmpl, path, params, got)
		}
	})
}

func TestMatchTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tmpl, path string
		ok         bool
		params     map[string]string
	}{
		{"/pets/{petId}", "/pets/42", true, map[string]string{"petId": "42"}},
		{"/pets/{petId}", "/PETS/42/", true, map[string]string{"petId": "42"}},
		{"/pets/{petId}", "/pets", false, nil},
		{"/pets/{petId}", "/pets/", false, nil},
		{"/files/{name}.json", "/files/a.b.json", true, map[string]string{"name": "a.b"}},
		{"/files/{name}.json", "/files/a.xml", false, nil},
		{"/a/{x}-{y}/c", "/a/1-2/c", true, map[string]string{"x": "1", "y": "2"}},
		{"/", "/", true, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			params, _, ok := matchTemplate(tt.tmpl, tt.path)
			equal(t, tt.ok, ok)
			if ok {
				equal(t, tt.params, params)
			}
		})
	}
}
