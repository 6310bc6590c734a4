// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/junction-run/junction/expr/internal/xmlconv"
)

func init() {
	u := func(name, sig, doc string, fn func(*url.URL) any, ex ...Example) {
		register(FuncSpec{Name: name, Category: "uri", MinArgs: 1, MaxArgs: 1, Signature: sig, Doc: doc, Examples: ex}, uriFunc(fn))
	}
	u("uriHost", "uriHost(uri)", "Returns the host of an absolute URI.", func(u *url.URL) any { return strings.ToLower(u.Hostname()) },
		Example{Expr: "uriHost('https://www.localhost.com:8080')", Want: `"www.localhost.com"`},
		Example{Expr: "uriHost('not a uri')", Err: "absolute URI"})
	u("uriPath", "uriPath(uri)", "Returns the path of an absolute URI.", func(u *url.URL) any { return uriPath(u) },
		Example{Expr: "uriPath('https://www.contoso.com/catalog/shownew.htm?date=today')", Want: `"/catalog/shownew.htm"`})
	u("uriPathAndQuery", "uriPathAndQuery(uri)", "Returns the path and query of an absolute URI.", func(u *url.URL) any { return uriPath(u) + uriQuery(u) },
		Example{Expr: "uriPathAndQuery('https://www.contoso.com/catalog/shownew.htm?date=today')", Want: `"/catalog/shownew.htm?date=today"`})
	u("uriPort", "uriPort(uri)", "Returns the port of an absolute URI (the scheme's default when absent).", uriPort,
		Example{Expr: "uriPort('https://www.localhost:8080')", Want: "8080"}, Example{Expr: "uriPort('https://contoso.com')", Want: "443"})
	u("uriQuery", "uriQuery(uri)", "Returns the query of an absolute URI, with its '?'.", func(u *url.URL) any { return uriQuery(u) },
		Example{Expr: "uriQuery('https://www.contoso.com/catalog/shownew.htm?date=today')", Want: `"?date=today"`})
	u("uriScheme", "uriScheme(uri)", "Returns the scheme of an absolute URI.", func(u *url.URL) any { return strings.ToLower(u.Scheme) },
		Example{Expr: "uriScheme('https://www.contoso.com/catalog/shownew.htm?date=today')", Want: `"https"`})

	man := func(name string, min, max int, sig, doc string, fn impl, ex ...Example) {
		register(FuncSpec{Name: name, Category: "manipulation", MinArgs: min, MaxArgs: max, Signature: sig, Doc: doc, Examples: ex}, fn)
	}
	man("addProperty", 3, 3, "addProperty(object, property, value)", "Returns a copy of the object with a new property; fails if it exists.", fnAddProperty,
		Example{Expr: "addProperty(json('{\"a\":1}'), 'b', 2)", Want: `{"a":1,"b":2}`},
		Example{Expr: "addProperty(json('{\"a\":1}'), 'A', 2)", Err: "already exists"})
	man("setProperty", 3, 3, "setProperty(object, property, value)", "Returns a copy of the object with the property set.", fnSetProperty,
		Example{Expr: "setProperty(json('{\"a\":1}'), 'a', 2)", Want: `{"a":2}`})
	man("removeProperty", 2, 2, "removeProperty(object, property)", "Returns a copy of the object without the property.", fnRemoveProperty,
		Example{Expr: "removeProperty(json('{\"a\":1,\"b\":2}'), 'a')", Want: `{"b":2}`})
	man("mergeObjects", 1, -1, "mergeObjects(object1, object2, ...)", "Returns the properties of all objects; later objects win.", fnMergeObjects,
		Example{Expr: "mergeObjects(json('{\"a\":1,\"b\":1}'), json('{\"b\":2}'))", Want: `{"a":1,"b":2}`})
	registerLazy(FuncSpec{Name: "coalesce", Category: "manipulation", MinArgs: 1, MaxArgs: -1, Signature: "coalesce(object1, object2, ...)",
		Doc:      "Returns the first non-null value; later arguments are not evaluated.",
		Examples: []Example{{Expr: "coalesce(null, 'hello', int('x'))", Want: `"hello"`}, {Expr: "coalesce(null, null)", Want: "null"}}}, fnCoalesce)
	man("xpath", 2, 2, "xpath(xml, xpath)", "Evaluates an XPath 1.0 expression; node sets give arrays of XML strings.", fnXPath)
}

func uriFunc(fn func(*url.URL) any) impl {
	return func(s *state, args []any) (any, error) {
		str, err := s.str(args, 0)
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(strings.TrimSpace(str))
		if err != nil || u.Scheme == "" || u.Opaque == "" && u.Host == "" && !strings.EqualFold(u.Scheme, "file") {
			return nil, s.errorf("The template language function '%s' expects its parameter to be an absolute URI. The provided value '%s' is not valid.", s.fname(), truncate(str, 100))
		}
		return fn(u), nil
	}
}

func uriPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return p
}

func uriQuery(u *url.URL) string {
	if u.RawQuery == "" && !u.ForceQuery {
		return ""
	}
	return "?" + u.RawQuery
}

var defaultPorts = map[string]int64{"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443, "ldap": 389, "mailto": 25, "news": 119, "nntp": 119, "gopher": 70, "telnet": 23}

func uriPort(u *url.URL) any {
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			return n
		}
	}
	if n, ok := defaultPorts[strings.ToLower(u.Scheme)]; ok {
		return n
	}
	return int64(-1)
}

func fnAddProperty(s *state, args []any) (any, error) {
	o, err := s.object(args, 0)
	if err != nil {
		return nil, err
	}
	k, err := s.str(args, 1)
	if err != nil {
		return nil, err
	}
	if _, stored, found := o.GetFold(k); found {
		return nil, s.errorf("The template language function 'addProperty' cannot add property '%s' because it already exists ('%s'). Use setProperty to change it.", k, stored)
	}
	c := o.Clone()
	c.Set(k, args[2])
	return c, nil
}

func fnSetProperty(s *state, args []any) (any, error) {
	o, err := s.object(args, 0)
	if err != nil {
		return nil, err
	}
	k, err := s.str(args, 1)
	if err != nil {
		return nil, err
	}
	c := o.Clone()
	if _, stored, found := c.GetFold(k); found {
		k = stored
	}
	c.Set(k, args[2])
	return c, nil
}

func fnRemoveProperty(s *state, args []any) (any, error) {
	o, err := s.object(args, 0)
	if err != nil {
		return nil, err
	}
	k, err := s.str(args, 1)
	if err != nil {
		return nil, err
	}
	c := o.Clone()
	c.DeleteFold(k)
	return c, nil
}

func fnMergeObjects(s *state, args []any) (any, error) {
	out := NewObject(8)
	for i := range args {
		if args[i] == nil {
			continue
		}
		o, err := s.object(args, i)
		if err != nil {
			return nil, err
		}
		for _, k := range o.Keys() {
			v, _ := o.Get(k)
			out.Set(k, v)
		}
	}
	return out, nil
}

func fnCoalesce(s *state, n *CallNode) (any, error) {
	for _, a := range n.Args {
		v, err := s.eval(a)
		if err != nil {
			return nil, err
		}
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

func fnXPath(s *state, args []any) (any, error) {
	var doc []byte
	switch v := args[0].(type) {
	case string:
		doc = []byte(v)
	case []byte:
		doc = v
	case *Object:
		b, ok := contentBytes(v)
		if !ok {
			return nil, s.argErr(0, "XML", args[0])
		}
		doc = b
	default:
		return nil, s.argErr(0, "XML", args[0])
	}
	q, err := s.str(args, 1)
	if err != nil {
		return nil, err
	}
	res, err := xmlconv.XPath(doc, q)
	if err != nil {
		return nil, s.errorf("The template language function 'xpath' failed to evaluate '%s': %v.", truncate(q, 100), err)
	}
	return res, nil
}
