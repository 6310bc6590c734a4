// SPDX-License-Identifier: Apache-2.0

package policy

import "fmt"

// GetPath follows steps from v. It reports false when a step is missing: an
// absent property, an index out of range, or a step into a non-container.
func GetPath(v any, steps []Step) (any, bool) {
	for _, s := range steps {
		switch x := v.(type) {
		case map[string]any:
			if s.IsIndex {
				return nil, false
			}
			var ok bool
			if v, ok = x[s.Key]; !ok {
				return nil, false
			}
		case []any:
			if !s.IsIndex || s.Index < 0 || s.Index >= len(x) {
				return nil, false
			}
			v = x[s.Index]
		default:
			return nil, false
		}
	}
	return v, true
}

// SetPath stores val at steps below *root, creating objects for missing
// properties on the way (an absent or null root becomes an object).
func SetPath(root *any, steps []Step, val any) error {
	if len(steps) == 0 {
		*root = val
		return nil
	}
	cur := root
	for i, s := range steps {
		last := i == len(steps)-1
		if s.IsIndex {
			arr, ok := (*cur).([]any)
			if !ok || s.Index < 0 || s.Index >= len(arr) {
				return fmt.Errorf("no array element at %s", pathString(steps[:i+1]))
			}
			if last {
				arr[s.Index] = val
				return nil
			}
			cur = &arr[s.Index]
			continue
		}
		if *cur == nil {
			*cur = map[string]any{}
		}
		obj, ok := (*cur).(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not an object", describe(steps[:i]))
		}
		if last {
			obj[s.Key] = val
			return nil
		}
		next, ok := obj[s.Key]
		if !ok || next == nil {
			next = map[string]any{}
			obj[s.Key] = next
		}
		// Maps and slices are references: descend through a local copy and
		// write it back so the chain stays connected.
		holder := next
		if err := SetPath(&holder, steps[i+1:], val); err != nil {
			return err
		}
		obj[s.Key] = holder
		return nil
	}
	return nil
}

// DeletePath removes the property at steps, if present.
func DeletePath(root any, steps []Step) {
	if len(steps) == 0 {
		return
	}
	parent, ok := GetPath(root, steps[:len(steps)-1])
	if !ok {
		return
	}
	if obj, ok := parent.(map[string]any); ok && !steps[len(steps)-1].IsIndex {
		delete(obj, steps[len(steps)-1].Key)
	}
}

func describe(steps []Step) string {
	if len(steps) == 0 {
		return "the root"
	}
	return pathString(steps)
}
