// SPDX-License-Identifier: Apache-2.0

package value

import "strings"

// GetFold returns the value of key, matching it exactly first and then
// case-insensitively (the first key in order that matches wins), which is how
// Logic Apps selects properties. It also returns the key as stored.
func (o *Object) GetFold(key string) (v any, stored string, ok bool) {
	if o == nil {
		return nil, "", false
	}
	if v, ok := o.vals[key]; ok {
		return v, key, true
	}
	for _, k := range o.keys {
		if strings.EqualFold(k, key) {
			return o.vals[k], k, true
		}
	}
	return nil, "", false
}

// DeleteFold removes key, matched exactly or else case-insensitively, and
// reports whether a key was removed.
func (o *Object) DeleteFold(key string) bool {
	_, k, ok := o.GetFold(key)
	if ok {
		o.Delete(k)
	}
	return ok
}
