// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"net/url"
	"strings"
)

// maxRefChain bounds a chain of $ref to $ref to ... (a loop would not end).
const maxRefChain = 32

// maxInlineDepth bounds schema inlining; deeper schemas keep their $ref.
const maxInlineDepth = 64

// resolver resolves local $ref pointers against the document root.
type resolver struct {
	root   *object
	warn   func(ptr, format string, args ...any)
	memo   map[string]any
	stack  map[string]bool
	warned map[string]bool
}

func newResolver(root *object, warn func(ptr, format string, args ...any)) *resolver {
	return &resolver{root: root, warn: warn, memo: map[string]any{}, stack: map[string]bool{}, warned: map[string]bool{}}
}

// lookup follows a local JSON pointer ("#/definitions/Pet").
func (r *resolver) lookup(ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#") {
		return nil, false
	}
	p := ref[1:]
	if strings.Contains(p, "%") {
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
	}
	if p == "" {
		return r.root, true
	}
	if p[0] != '/' {
		return nil, false
	}
	var cur any = r.root
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case *object:
			v, ok := c.get(tok)
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, ok := index(tok, len(c))
			if !ok {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func index(tok string, n int) (int, bool) {
	if tok == "" || len(tok) > 9 {
		return 0, false
	}
	i := 0
	for _, ch := range tok {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		i = i*10 + int(ch-'0')
	}
	return i, i < n
}

func (r *resolver) badRef(ptr, ref string) {
	if r.warned[ref] {
		return
	}
	r.warned[ref] = true
	if !strings.HasPrefix(ref, "#") {
		r.warn(ptr, "external $ref %q is not followed", ref)
		return
	}
	r.warn(ptr, "$ref %q points to nothing", ref)
}

// deref follows the $ref of an object (parameter, response, path item,
// request body) to the object it names. Members written beside the $ref
// (x-ms-summary next to a parameter reference, say) override the target's.
func (r *resolver) deref(v any, ptr string) *object {
	o, _ := v.(*object)
	for i := 0; o != nil && i < maxRefChain; i++ {
		refv, ok := o.get("$ref")
		ref, isStr := refv.(string)
		if !ok || !isStr {
			return o
		}
		target, found := r.lookup(ref)
		t, isObj := target.(*object)
		if !found || !isObj {
			r.badRef(ptr, ref)
			return o
		}
		if len(o.members) > 1 {
			merged := &object{members: append([]member(nil), t.members...)}
			for _, m := range o.members {
				if m.key != "$ref" {
					merged.set(m.key, m.val)
				}
			}
			t = merged
		}
		o = t
	}
	return o
}

// inline returns schema v with its $refs replaced by their targets. A
// reference met again inside its own expansion stays {"$ref": ...}. The
// tree is shared, never modified: changed nodes are copies.
func (r *resolver) inline(v any, ptr string, depth int) any {
	if depth > maxInlineDepth {
		return v
	}
	switch t := v.(type) {
	case *object:
		if refv, ok := t.get("$ref"); ok {
			if ref, isStr := refv.(string); isStr {
				return r.inlineRef(t, ref, ptr, depth)
			}
		}
		var out *object
		for i, m := range t.members {
			nv := r.inline(m.val, ptr, depth+1)
			if out == nil && !same(nv, m.val) {
				out = &object{members: append([]member(nil), t.members...)}
			}
			if out != nil {
				out.members[i].val = nv
			}
		}
		if out != nil {
			return out
		}
		return t
	case []any:
		var out []any
		for i, e := range t {
			ne := r.inline(e, ptr, depth+1)
			if out == nil && !same(ne, e) {
				out = append([]any(nil), t...)
			}
			if out != nil {
				out[i] = ne
			}
		}
		if out != nil {
			return out
		}
		return t
	}
	return v
}

func (r *resolver) inlineRef(o *object, ref, ptr string, depth int) any {
	if r.stack[ref] {
		return o // recursive schema: keep the reference
	}
	res, ok := r.memo[ref]
	if !ok {
		target, found := r.lookup(ref)
		if !found {
			r.badRef(ptr, ref)
			return o
		}
		r.stack[ref] = true
		res = r.inline(target, ptr, depth+1)
		delete(r.stack, ref)
		r.memo[ref] = res
	}
	if len(o.members) == 1 {
		return res
	}
	ro, isObj := res.(*object)
	if !isObj {
		return res
	}
	merged := &object{members: append([]member(nil), ro.members...)}
	for _, m := range o.members {
		if m.key != "$ref" {
			merged.set(m.key, r.inline(m.val, ptr, depth+1))
		}
	}
	return merged
}

// same reports whether two tree values are the identical node.
func same(a, b any) bool {
	switch x := a.(type) {
	case *object:
		y, ok := b.(*object)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	}
	return true // scalars are never replaced
}
