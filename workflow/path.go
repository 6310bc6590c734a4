// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// child returns the path of key inside the object at path: $.a.b, or
// $.a['b c'] when key is not a plain identifier.
func child(path, key string) string {
	if isPlainKey(key) {
		return path + "." + key
	}
	return path + "['" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(key) + "']"
}

// index returns the path of element i of the array at path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func isPlainKey(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		if r == '_' || r == '$' || unicode.IsLetter(r) || i > 0 && (unicode.IsDigit(r) || r == '-') {
			continue
		}
		return false
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
