// SPDX-License-Identifier: Apache-2.0

package policy

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
)

// Request-section phases: the host first, then the path, then auxiliary
// calls that need both, then everything else.
const (
	phaseHost = iota
	phaseRoute
	phaseValueFromURL
	phaseOther
)

// compile fills in the instance's section, phase, apply function and
// compiled parameters, or its error.
func compile(in *instance) {
	in.section, in.phase = SectionRequest, phaseOther
	var err error
	switch in.id {
	case "setheader":
		err = compileSetHeader(in)
	case "setqueryparameter":
		err = compileSetQuery(in)
	case "setproperty":
		err = compileSetProperty(in)
	case "routerequesttoendpoint":
		in.phase = phaseRoute
		err = compileRoute(in)
	case "dynamichosturl", "dynamicsubdomain":
		in.phase = phaseHost
		err = compileHost(in)
	case "setvaluefromurl":
		in.phase = phaseValueFromURL
		err = compileValueFromURL(in)
	case "convertobjecttoarray":
		err = compileObjectToArray(in)
	case "convertarraytoobject":
		err = compileArrayToObject(in)
	case "stringreplace":
		err = compileStringReplace(in)
	case "stringtoarray":
		err = compileStringToArray(in)
	case "encodepropertyvalue":
		err = compileEncode(in)
	case "updatenextlink":
		in.section = SectionResponse
		err = compileNextLink(in)
	case "setconnectionstatustounauthenticated":
		in.section = SectionResponse
		err = compileUnauthenticated(in)
	case "pollingtrigger":
		in.section = "trigger" // read by PollingTrigger, never run as a step
		err = compilePolling(in)
	case "moveproperties":
		err = compileMoveProperties(in)
	default:
		return // unknown: apply stays nil
	}
	if err != nil {
		in.err = err
		in.bodyFree = true // it fails the same whatever the body
		return
	}
	// Templates that only touch the URL and headers, with no @body() in
	// their values, let callers skip decoding and re-encoding bodies.
	switch in.id {
	case "setheader", "setqueryparameter":
		in.bodyFree = !in.data.(*setHeader).value.uses(fnBody)
	case "routerequesttoendpoint":
		in.bodyFree = !in.data.(*route).path.uses(fnBody)
	case "dynamichosturl", "dynamicsubdomain":
		in.bodyFree = !in.data.(*Template).uses(fnBody)
	case "setconnectionstatustounauthenticated", "pollingtrigger":
		in.bodyFree = true
	}
}

// existsAction reads the existsAction parameter.
func existsAction(in *instance) (string, error) {
	a, err := in.str("existsAction", false)
	if err != nil {
		return "", err
	}
	a = strings.ToLower(strings.TrimSpace(a))
	switch a {
	case "":
		return "override", nil
	case "override", "skip", "append":
		return a, nil
	}
	return "", in.errorf("existsAction", "%q: want override, skip or append", a)
}

// valueTemplate reads a parameter that must be present but may be empty.
func valueTemplate(in *instance, name string) (*Template, error) {
	if v, ok := in.param(name); !ok || v == nil {
		return nil, in.errorf(name, "required")
	}
	return in.template(name, false)
}

// ---- setheader

type setHeader struct {
	name   string
	value  *Template
	action string
}

func compileSetHeader(in *instance) error {
	if err := in.sectionOf(SectionRequest, SectionRequest, SectionResponse, SectionFailure); err != nil {
		return err
	}
	name, err := in.str("name", true)
	if err != nil {
		return err
	}
	value, err := valueTemplate(in, "value")
	if err != nil {
		return err
	}
	action, err := existsAction(in)
	if err != nil {
		return err
	}
	in.data = &setHeader{name: strings.TrimSpace(name), value: value, action: action}
	in.apply = applySetHeader
	return nil
}

func applySetHeader(_ context.Context, x *Exchange, in *instance) error {
	p := in.data.(*setHeader)
	var h http.Header
	if in.section == SectionRequest {
		h = x.Request.Header
	} else {
		if x.Response.Header == nil {
			x.Response.Header = http.Header{}
		}
		h = x.Response.Header
	}
	v, err := p.value.EvalString(scope(x, in.section))
	if err != nil {
		return in.wrap("value", err)
	}
	setValue(h, p.name, v, p.action)
	return nil
}

func setValue(h http.Header, name, v, action string) {
	switch action {
	case "skip":
		if len(h.Values(name)) == 0 {
			h.Set(name, v)
		}
	case "append":
		h.Add(name, v)
	default:
		h.Set(name, v)
	}
}

// ---- setqueryparameter

func compileSetQuery(in *instance) error {
	name, err := in.str("name", true)
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if strings.Contains(name, "%") {
		if n, err := url.QueryUnescape(name); err == nil {
			name = n // "%24top" is "$top" already encoded
		}
	}
	value, err := valueTemplate(in, "value")
	if err != nil {
		return err
	}
	action, err := existsAction(in)
	if err != nil {
		return err
	}
	in.data = &setHeader{name: name, value: value, action: action}
	in.apply = applySetQuery
	return nil
}

func applySetQuery(_ context.Context, x *Exchange, in *instance) error {
	p := in.data.(*setHeader)
	v, err := p.value.EvalString(scope(x, SectionRequest))
	if err != nil {
		return in.wrap("value", err)
	}
	q := x.Request.Query
	switch p.action {
	case "skip":
		if len(q[p.name]) == 0 {
			q.Set(p.name, v)
		}
	case "append":
		q.Add(p.name, v)
	default:
		q.Set(p.name, v)
	}
	return nil
}

// ---- setproperty

type setProperty struct {
	parent *Expr
	sub    []Step
	value  *Template
}

func compileSetProperty(in *instance) error {
	if err := in.sectionOf(SectionRequest, SectionRequest, SectionResponse); err != nil {
		return err
	}
	parent, err := in.path("newPropertyParentPathTemplate", true)
	if err != nil {
		return err
	}
	subText, err := in.str("newPropertySubPathTemplate", true)
	if err != nil {
		return err
	}
	sub, err := ParseSubPath(subText)
	if err != nil {
		return in.wrap("newPropertySubPathTemplate", err)
	}
	if len(sub) == 0 {
		return in.errorf("newPropertySubPathTemplate", "required")
	}
	value, err := valueTemplate(in, "propertyValuePathTemplate")
	if err != nil {
		return err
	}
	in.data = &setProperty{parent: parent, sub: sub, value: value}
	in.apply = applySetProperty
	return nil
}

func applySetProperty(_ context.Context, x *Exchange, in *instance) error {
	p := in.data.(*setProperty)
	return eachParent(x, in, p.parent, true, func(parent any, sc *Scope) error {
		v, err := propertyValue(p.value, sc)
		if err != nil {
			return in.wrap("propertyValuePathTemplate", err)
		}
		h := parent
		if _, ok := h.(map[string]any); !ok {
			return nil // not an object: nothing to set a property on
		}
		if err := SetPath(&h, p.sub, v); err != nil {
			return in.wrap("newPropertySubPathTemplate", err)
		}
		return nil
	})
}

// propertyValue evaluates a setproperty value: a single expression gives its
// value; a template that reads as JSON once its interpolations are replaced
// by their JSON text ("[{@body().payments}]", `["matter.created"]`) gives
// that JSON; anything else gives a string.
func propertyValue(t *Template, sc *Scope) (any, error) {
	if e, ok := t.Single(); ok {
		return e.Eval(sc)
	}
	s, err := t.EvalString(sc)
	if err != nil {
		return nil, err
	}
	trim := strings.TrimSpace(t.src)
	if trim == "" || (trim[0] != '[' && trim[0] != '{') {
		return s, nil
	}
	var b strings.Builder
	for _, pt := range t.parts {
		switch pt.kind {
		case partLiteral:
			b.WriteString(pt.text)
		case partExpr:
			v, err := pt.expr.Eval(sc)
			if err != nil {
				return nil, err
			}
			js, err := marshalJSON(v)
			if err != nil {
				return s, nil
			}
			b.WriteString(js)
		}
	}
	if v, err := decodeJSON(b.String()); err == nil {
		return v, nil
	}
	return s, nil
}

// ---- routerequesttoendpoint

type route struct {
	path   *Template
	method string // "" keeps the method
}

func compileRoute(in *instance) error {
	s, err := in.str("newPath", true)
	if err != nil {
		return err
	}
	t, err := ParsePathTemplate(strings.TrimSpace(s))
	if err != nil {
		return in.wrap("newPath", err)
	}
	m, err := in.str("httpMethod", false)
	if err != nil {
		return err
	}
	m = strings.TrimSpace(m)
	if strings.EqualFold(strings.TrimPrefix(m, "@"), originalMethodName) {
		m = ""
	}
	m = strings.ToUpper(m)
	switch m {
	case "", http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodHead:
	default:
		return in.errorf("httpMethod", "%q: want GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD or @Request.OriginalHTTPMethod", m)
	}
	in.data = &route{path: t, method: m}
	in.apply = applyRoute
	return nil
}

func applyRoute(_ context.Context, x *Exchange, in *instance) error {
	p := in.data.(*route)
	sc := scope(x, SectionRequest)
	sc.Placeholder = placeholder(x)
	s, err := p.path.EvalString(sc)
	if err != nil {
		return in.wrap("newPath", err)
	}
	path, query, hasQuery := strings.Cut(s, "?")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	x.Request.Path = path
	if hasQuery && query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return in.errorf("newPath", "bad query string: %v", err)
		}
		for k, v := range q {
			x.Request.Query[k] = v
		}
	}
	if p.method != "" {
		x.Request.Method = p.method
	}
	return nil
}

// placeholder resolves {name} placeholders to the operation's parameter
// values, escaped for the path (per x-ms-url-encoding) or for the query.
func placeholder(x *Exchange) func(name string, inQuery bool) (string, error) {
	return func(name string, inQuery bool) (string, error) {
		v, ok := x.Params[name]
		if !ok || v == nil {
			return "", fmt.Errorf("{%s} refers to parameter %q, which has no value", name, name)
		}
		s := Stringify(v)
		if inQuery {
			return url.QueryEscape(s), nil
		}
		s = url.PathEscape(s)
		if x.Operation != nil {
			if prm, ok := x.Operation.Param(name); ok && strings.EqualFold(prm.URLEncoding, "double") {
				s = url.PathEscape(s)
			}
		}
		return s, nil
	}
}

// ---- dynamichosturl

func compileHost(in *instance) error {
	t, err := in.template("urlTemplate", true)
	if err != nil {
		return err
	}
	in.data = t
	in.apply = applyHost
	return nil
}

func applyHost(_ context.Context, x *Exchange, in *instance) error {
	t := in.data.(*Template)
	s, err := t.EvalString(scope(x, SectionRequest))
	if err != nil {
		return in.wrap("urlTemplate", err)
	}
	s = strings.TrimSpace(s)
	// "https://@connectionParameters('host')" with a host value that has
	// its own scheme: keep the value's scheme.
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://") {
			s = rest
		}
	} else {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		// The value may come from a connection parameter: do not echo it.
		return in.errorf("urlTemplate", "does not evaluate to a URL with a host")
	}
	if u.RawQuery != "" {
		for k, v := range u.Query() {
			if _, ok := x.Request.Query[k]; !ok {
				x.Request.Query[k] = v
			}
		}
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	if u.Path == "" || u.Path == "/" {
		// No path in the template: the swagger's base path survives.
		u.Path, u.RawPath = x.Request.Base.Path, x.Request.Base.RawPath
	}
	x.Request.Base = u
	return nil
}

// ---- setvaluefromurl

type valueFromURL struct {
	inHeader bool
	name     string
	url      *Template
	value    *Expr
	method   string
}

func compileValueFromURL(in *instance) error {
	target, err := in.template("parameterTemplate", true)
	if err != nil {
		return err
	}
	e, ok := target.Single()
	if !ok || (e.Func != fnHeaders && e.Func != fnQueryParameters) {
		return in.errorf("parameterTemplate", "want @headers('name') or @queryParameters('name')")
	}
	s, err := in.str("parameterValueUrl", true)
	if err != nil {
		return err
	}
	u, err := ParsePathTemplate(strings.TrimSpace(s))
	if err != nil {
		return in.wrap("parameterValueUrl", err)
	}
	value, err := in.path("parameterValuePathTemplate", true)
	if err != nil {
		return err
	}
	m, err := in.str("httpMethod", false)
	if err != nil {
		return err
	}
	m = strings.ToUpper(strings.TrimSpace(m))
	switch m {
	case "":
		m = http.MethodGet
	case http.MethodGet, http.MethodPost, http.MethodPut:
	default:
		return in.errorf("httpMethod", "%q: want GET, POST or PUT", m)
	}
	in.data = &valueFromURL{inHeader: e.Func == fnHeaders, name: e.Args[0], url: u, value: value, method: m}
	in.apply = applyValueFromURL
	return nil
}

func applyValueFromURL(ctx context.Context, x *Exchange, in *instance) error {
	p := in.data.(*valueFromURL)
	if x.Send == nil {
		return in.errorf("", "auxiliary calls are not available here")
	}
	sc := scope(x, SectionRequest)
	sc.Placeholder = placeholder(x)
	s, err := p.url.EvalString(sc)
	if err != nil {
		return in.wrap("parameterValueUrl", err)
	}
	aux := x.Request.Clone()
	aux.Method, aux.Body, aux.Raw = p.method, nil, nil
	aux.Header.Del("Content-Type")
	aux.Header.Del("Content-Length")
	aux.Query = url.Values{}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return in.errorf("parameterValueUrl", "not a URL: %v", err)
	}
	if u.IsAbs() {
		if !strings.EqualFold(u.Host, x.Request.Base.Host) {
			return in.errorf("parameterValueUrl", "must be on the backend's host")
		}
		aux.Base = &url.URL{Scheme: u.Scheme, Host: u.Host}
	}
	aux.Path = u.EscapedPath()
	if !strings.HasPrefix(aux.Path, "/") {
		aux.Path = "/" + aux.Path
	}
	aux.Query = u.Query()
	resp, err := x.Send(ctx, aux)
	if err != nil {
		return in.wrap("parameterValueUrl", err)
	}
	if resp.StatusCode >= 400 {
		return in.wrap("parameterValueUrl", &connector.Error{
			Kind: connector.KindForStatus(resp.StatusCode), StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("auxiliary %s call failed", p.method), Body: resp.Body,
		})
	}
	v, ok := GetPath(resp.Body, p.value.Path)
	if !ok || v == nil {
		return in.errorf("parameterValuePathTemplate", "%s not found in the auxiliary response", "@body()"+pathString(p.value.Path))
	}
	if p.inHeader {
		x.Request.Header.Set(p.name, Stringify(v))
	} else {
		x.Request.Query.Set(p.name, Stringify(v))
	}
	return nil
}

// ---- body transformations shared by convert*, string* and encode*

type bodyTransform struct {
	parent *Expr
	sub    []Step
	target *Expr
	// template-specific
	keyName, valueName string
	key                []Step
	retainKey          bool
	from, to           string
	delims             string
	child              string
}

func compileTransform(in *instance, def Section) (*bodyTransform, error) {
	if err := in.sectionOf(def, SectionRequest, SectionResponse); err != nil {
		return nil, err
	}
	parent, err := in.path("propertyParentPath", true)
	if err != nil {
		return nil, err
	}
	sub, err := in.subPath("propertySubPath")
	if err != nil {
		return nil, err
	}
	target, err := in.path("newPropertyPath", true)
	if err != nil {
		return nil, err
	}
	if target.Func == fnTriggerBody {
		return nil, in.errorf("newPropertyPath", "cannot write to @triggerBody()")
	}
	return &bodyTransform{parent: parent, sub: sub, target: target}, nil
}

func compileObjectToArray(in *instance) error {
	p, err := compileTransform(in, SectionResponse)
	if err != nil {
		return err
	}
	if p.keyName, err = in.str("keyName", false); err != nil {
		return err
	}
	if p.valueName, err = in.str("valueName", false); err != nil {
		return err
	}
	if p.keyName == "" {
		p.keyName = "key"
	}
	if p.valueName == "" {
		p.valueName = "value"
	}
	in.data = p
	in.apply = func(_ context.Context, x *Exchange, in *instance) error {
		return eachParent(x, in, p.parent, false, func(parent any, _ *Scope) error {
			src, _ := GetPath(parent, p.sub)
			obj, ok := src.(map[string]any)
			if !ok {
				return nil
			}
			keys := make([]string, 0, len(obj))
			for k := range obj {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			arr := make([]any, 0, len(keys))
			for _, k := range keys {
				arr = append(arr, map[string]any{p.keyName: k, p.valueName: obj[k]})
			}
			return write(x, in, p.target, parent, arr)
		})
	}
	return nil
}

func compileArrayToObject(in *instance) error {
	p, err := compileTransform(in, SectionRequest)
	if err != nil {
		return err
	}
	k, err := in.str("keyWithinCollectionPath", true)
	if err != nil {
		return err
	}
	k = strings.TrimSpace(k)
	if strings.HasPrefix(k, "@") {
		e, err := ParsePath(k)
		if err != nil {
			return in.wrap("keyWithinCollectionPath", err)
		}
		p.key = e.Path
	} else if p.key, err = ParseSubPath(k); err != nil {
		return in.wrap("keyWithinCollectionPath", err)
	}
	if len(p.key) == 0 {
		return in.errorf("keyWithinCollectionPath", "required")
	}
	retain, err := in.str("retainKey", false)
	if err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(retain)) {
	case "", "true":
		p.retainKey = true
	case "false":
	default:
		return in.errorf("retainKey", "%q: want true or false", retain)
	}
	in.data = p
	in.apply = func(_ context.Context, x *Exchange, in *instance) error {
		return eachParent(x, in, p.parent, false, func(parent any, _ *Scope) error {
			src, _ := GetPath(parent, p.sub)
			arr, ok := src.([]any)
			if !ok {
				return nil
			}
			obj := make(map[string]any, len(arr))
			for i, el := range arr {
				kv, ok := GetPath(el, p.key)
				if !ok || kv == nil {
					return in.errorf("keyWithinCollectionPath", "element %d has no %s", i, strings.TrimPrefix(pathString(p.key), "."))
				}
				key := Stringify(kv)
				if _, dup := obj[key]; dup {
					return in.errorf("keyWithinCollectionPath", "key %q occurs twice", key)
				}
				if !p.retainKey {
					if m, ok := el.(map[string]any); ok {
						c := make(map[string]any, len(m))
						for mk, mv := range m {
							c[mk] = mv
						}
						DeletePath(c, p.key)
						el = c
					}
				}
				obj[key] = el
			}
			return write(x, in, p.target, parent, obj)
		})
	}
	return nil
}

func compileStringReplace(in *instance) error {
	p, err := compileTransform(in, SectionRequest)
	if err != nil {
		return err
	}
	if p.from, err = in.str("sourceString", true); err != nil {
		return err
	}
	if v, ok := in.param("replacementString"); !ok || v == nil {
		return in.errorf("replacementString", "required")
	}
	if p.to, err = in.str("replacementString", false); err != nil {
		return err
	}
	in.data = p
	in.apply = stringFunc(p, func(s string) any { return strings.ReplaceAll(s, p.from, p.to) })
	return nil
}

func compileStringToArray(in *instance) error {
	p, err := compileTransform(in, SectionRequest)
	if err != nil {
		return err
	}
	if p.delims, err = in.str("delimiterList", true); err != nil {
		return err
	}
	if p.child, err = in.str("childPropertyName", true); err != nil {
		return err
	}
	in.data = p
	in.apply = stringFunc(p, func(s string) any {
		pieces := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(p.delims, r) })
		arr := make([]any, 0, len(pieces))
		for _, pc := range pieces {
			if pc = strings.TrimSpace(pc); pc != "" {
				arr = append(arr, map[string]any{p.child: pc})
			}
		}
		return arr
	})
	return nil
}

func compileEncode(in *instance) error {
	p, err := compileTransform(in, SectionRequest)
	if err != nil {
		return err
	}
	in.data = p
	in.apply = stringFunc(p, func(s string) any { return url.QueryEscape(s) })
	return nil
}

// stringFunc applies f to the string property of a body transform.
func stringFunc(p *bodyTransform, f func(string) any) applyFunc {
	return func(_ context.Context, x *Exchange, in *instance) error {
		return eachParent(x, in, p.parent, false, func(parent any, _ *Scope) error {
			src, _ := GetPath(parent, p.sub)
			s, ok := src.(string)
			if !ok {
				return nil
			}
			return write(x, in, p.target, parent, f(s))
		})
	}
}

// bodyRef returns the body the section works on.
func bodyRef(x *Exchange, section Section) *any {
	if section == SectionRequest {
		return &x.Request.Body
	}
	return &x.Response.Body
}

// eachParent resolves parent in the section's body and calls fn with it, or
// with each of its elements when it is an array (as @item()). With create, a
// missing parent is created as an empty object.
func eachParent(x *Exchange, in *instance, parent *Expr, create bool, fn func(parent any, sc *Scope) error) error {
	if in.section == SectionRequest && x.Request.Body == nil && x.Request.Raw != nil {
		return nil // not a JSON body
	}
	root := bodyRef(x, in.section)
	sc := scope(x, in.section)
	base := *root
	if parent.Func == fnTriggerBody {
		base = x.TriggerBody
	}
	v, ok := GetPath(base, parent.Path)
	if !ok || v == nil {
		if !create || parent.Func == fnTriggerBody {
			return nil
		}
		switch (*root).(type) {
		case nil, map[string]any, []any:
		default:
			return nil // a text or binary body has no properties
		}
		if err := SetPath(root, parent.Path, map[string]any{}); err != nil {
			return in.wrap("", err)
		}
		v, _ = GetPath(*root, parent.Path)
		sc.Body = *root
	}
	if arr, ok := v.([]any); ok {
		for _, el := range arr {
			isc := *sc
			isc.Item = el
			if err := fn(el, &isc); err != nil {
				return err
			}
		}
		return nil
	}
	sc.Item = v
	return fn(v, sc)
}

// write stores val at target: relative to the current item for @item(),
// to the section's body otherwise.
func write(x *Exchange, in *instance, target *Expr, item, val any) error {
	if target.Func == fnItem {
		if _, ok := item.(map[string]any); !ok || len(target.Path) == 0 {
			return in.errorf("newPropertyPath", "@item() is not an object here")
		}
		h := item
		if err := SetPath(&h, target.Path, val); err != nil {
			return in.wrap("newPropertyPath", err)
		}
		return nil
	}
	if err := SetPath(bodyRef(x, in.section), target.Path, val); err != nil {
		return in.wrap("newPropertyPath", err)
	}
	return nil
}

// ---- moveproperties

// moveProps is the undocumented moveproperties template (Microsoft's
// AzureAD connector): the property at srcParentPath + srcSubPath moves to
// dstParentPath + dstSubPath ("null": none); with copyOnlySubProperties
// "true", its properties move one by one into the destination object, which
// flattens a bag such as customProperties into the body.
type moveProps struct {
	src, dst []Step
	children bool
}

func compileMoveProperties(in *instance) error {
	if err := in.sectionOf(SectionRequest, SectionRequest, SectionResponse); err != nil {
		return err
	}
	full := func(parentName, subName string) ([]Step, error) {
		parent, err := in.path(parentName, true)
		if err != nil {
			return nil, err
		}
		if parent.Func != fnBody {
			return nil, in.errorf(parentName, "must be a path in @body()")
		}
		sub, err := in.str(subName, false)
		if err != nil {
			return nil, err
		}
		steps := append([]Step(nil), parent.Path...)
		if sub = strings.TrimSpace(sub); sub == "" || strings.EqualFold(sub, "null") {
			return steps, nil
		}
		more, err := ParseSubPath(sub)
		if err != nil {
			return nil, in.wrap(subName, err)
		}
		return append(steps, more...), nil
	}
	p := &moveProps{}
	var err error
	if p.src, err = full("srcParentPath", "srcSubPath"); err != nil {
		return err
	}
	if len(p.src) == 0 {
		return in.errorf("srcSubPath", "the source cannot be the whole body")
	}
	if p.dst, err = full("dstParentPath", "dstSubPath"); err != nil {
		return err
	}
	children, err := in.str("copyOnlySubProperties", false)
	if err != nil {
		return err
	}
	p.children = strings.EqualFold(strings.TrimSpace(children), "true")
	in.data = p
	in.apply = func(_ context.Context, x *Exchange, in *instance) error {
		if in.section == SectionRequest && x.Request.Body == nil {
			return nil // no body, or not a JSON one
		}
		root := bodyRef(x, in.section)
		v, ok := GetPath(*root, p.src)
		if !ok || v == nil {
			return nil
		}
		obj, isObj := v.(map[string]any)
		if p.children && !isObj {
			return nil // nothing to flatten
		}
		DeletePath(*root, p.src)
		if !p.children {
			if err := SetPath(root, p.dst, v); err != nil {
				return in.wrap("dstParentPath", err)
			}
			return nil
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := SetPath(root, append(append([]Step(nil), p.dst...), Step{Key: k}), obj[k]); err != nil {
				return in.wrap("dstParentPath", err)
			}
		}
		return nil
	}
	return nil
}

// ---- updatenextlink

type nextLink struct {
	name   string
	parent []Step
}

func compileNextLink(in *instance) error {
	name, err := in.str("nextLinkPropertyName", true)
	if err != nil {
		return err
	}
	pp, err := in.str("nextLinkParentPropertyPath", false)
	if err != nil {
		return err
	}
	p := &nextLink{name: strings.TrimSpace(name)}
	if pp = strings.TrimSpace(pp); strings.HasPrefix(pp, "@") {
		e, err := ParsePath(pp)
		if err != nil {
			return in.wrap("nextLinkParentPropertyPath", err)
		}
		p.parent = e.Path
	} else if p.parent, err = ParseSubPath(pp); err != nil {
		return in.wrap("nextLinkParentPropertyPath", err)
	}
	in.data = p
	in.apply = applyNextLink
	return nil
}

func applyNextLink(_ context.Context, x *Exchange, in *instance) error {
	p := in.data.(*nextLink)
	if x.Response == nil {
		return nil
	}
	parent, _ := GetPath(x.Response.Body, p.parent)
	obj, ok := parent.(map[string]any)
	if !ok {
		return nil
	}
	link, ok := obj[p.name].(string)
	if !ok || link == "" {
		return nil
	}
	ref, err := url.Parse(link)
	if err != nil {
		return nil // leave a link we cannot read alone
	}
	abs := x.Request.URL().ResolveReference(ref).String()
	if x.RewriteNextLink != nil {
		abs = x.RewriteNextLink(abs)
	}
	obj[p.name] = abs
	return nil
}

// ---- setconnectionstatustounauthenticated

func compileUnauthenticated(in *instance) error {
	v, ok := in.param("statusCode")
	if !ok || v == nil {
		return in.errorf("statusCode", "required")
	}
	code, err := strconv.Atoi(strings.TrimSpace(Stringify(v)))
	if err != nil || code < 100 || code > 599 {
		return in.errorf("statusCode", "%q is not an HTTP status code", Stringify(v))
	}
	in.data = code
	in.apply = func(_ context.Context, x *Exchange, in *instance) error {
		if x.Response != nil && x.Response.StatusCode == in.data.(int) {
			x.Unauthenticated = true
		}
		return nil
	}
	return nil
}
