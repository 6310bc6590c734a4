// SPDX-License-Identifier: Apache-2.0

package mailmsg

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
)

// StringParam reads an operation parameter as a string ("" when absent).
func StringParam(in connector.Input, name string) string {
	switch v := in.Parameters[name].(type) {
	case string:
		return v
	case nil:
		return ""
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	b, _ := json.Marshal(in.Parameters[name])
	return string(b)
}

// BoolParam reads a boolean parameter (true/false, or their strings).
func BoolParam(in connector.Input, name string, def bool) (bool, error) {
	switch v := in.Parameters[name].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
			return def, nil
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, connector.Errorf(connector.KindBadRequest, "%s must be true or false", name)
}

// IntParam reads an integer parameter between lo and hi.
func IntParam(in connector.Input, name string, def, lo, hi int) (int, error) {
	v := in.Parameters[name]
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
		v = nil
	}
	if v == nil {
		return def, nil
	}
	n, err := intValue(v)
	if err != nil {
		return 0, connector.Errorf(connector.KindBadRequest, "%s must be an integer", name)
	}
	if n < lo || n > hi {
		return 0, connector.Errorf(connector.KindBadRequest, "%s must be between %d and %d", name, lo, hi)
	}
	return n, nil
}
