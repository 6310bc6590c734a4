// SPDX-License-Identifier: Apache-2.0

package postman

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
)

// varRE matches a Postman variable reference, {{name}}.
var varRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// pmURL is a request URL, from the string (v2.0) or object (v2.0/v2.1) form.
type pmURL struct {
	base  string   // scheme://host[:port] as written, with {{vars}}
	path  []string // path segments as written
	query []any    // query entries {key, value, description, disabled}
	vars  []any    // path variable entries {key, value, description}
}

func parseURL(v any) pmURL {
	switch t := v.(type) {
	case string:
		return parseRawURL(t)
	case map[string]any:
		raw := str(t["raw"])
		u := parseRawURL(raw)
		if h, ok := t["host"]; ok {
			var host string
			switch hv := h.(type) {
			case []any:
				parts := make([]string, 0, len(hv))
				for _, p := range hv {
					parts = append(parts, str(p))
				}
				host = strings.Join(parts, ".")
			default:
				host = str(hv)
			}
			if port := str(t["port"]); port != "" {
				host += ":" + port
			}
			if proto := str(t["protocol"]); proto != "" {
				host = proto + "://" + host
			} else if i := strings.Index(u.base, "://"); i >= 0 {
				host = u.base[:i+3] + host
			}
			u.base = host
		}
		if p, ok := t["path"]; ok {
			u.path = nil
			switch pv := p.(type) {
			case []any:
				for _, s := range pv {
					switch sv := s.(type) {
					case map[string]any: // v2.0 allows {type, value}
						u.path = append(u.path, str(sv["value"]))
					default:
						u.path = append(u.path, str(sv))
					}
				}
			default:
				u.path = splitPath(str(pv))
			}
		}
		if q, ok := t["query"]; ok {
			u.query = arr(q)
		}
		u.vars = arr(t["variable"])
		return u
	}
	return pmURL{}
}

func parseRawURL(raw string) pmURL {
	var u pmURL
	raw = strings.TrimSpace(raw)
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		for _, kv := range strings.Split(raw[i+1:], "&") {
			if kv == "" {
				continue
			}
			k, val, _ := strings.Cut(kv, "=")
			u.query = append(u.query, map[string]any{"key": k, "value": val})
		}
		raw = raw[:i]
	}
	scheme := ""
	if i := strings.Index(raw, "://"); i >= 0 && !strings.Contains(raw[:i], "/") {
		scheme, raw = raw[:i+3], raw[i+3:]
	}
	host, path, _ := strings.Cut(raw, "/")
	u.base = scheme + host
	u.path = splitPath(path)
	return u
}

func splitPath(p string) []string {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

// request imports one request as an action.
func (im *importer) request(m map[string]any, ptr string, folders []string, auth *authDef) {
	var req map[string]any
	switch r := m["request"].(type) {
	case string:
		req = map[string]any{"url": r, "method": "GET"}
	case map[string]any:
		req = r
	default:
		im.warn(ptr+"/request", "request is neither a URL nor an object; skipped")
		return
	}
	rptr := ptr + "/request"
	if a, ok := im.parseAuth(req["auth"], rptr+"/auth"); ok {
		auth = a
	}
	name := strings.TrimSpace(str(m["name"]))
	method := strings.ToUpper(strings.TrimSpace(str(req["method"])))
	if method == "" {
		method = "GET"
	}
	u := parseURL(req["url"])
	op := connector.Operation{
		Kind:        connector.KindAction,
		Method:      method,
		Summary:     name,
		Description: description(req["description"]),
	}
	if op.Description == "" {
		op.Description = description(m["description"])
	}
	if len(folders) > 0 {
		op.Tags = []string{strings.Join(folders, " / ")}
	}
	op.ID = im.uniqueID(name, method, u.path)
	if name == "" {
		op.Summary = method + " /" + strings.Join(u.path, "/")
		im.warn(ptr, "request has no name; its id is %q", op.ID)
	}
	im.path(&op, u, rptr+"/url")
	im.query(&op, u.query, rptr+"/url/query")
	im.headers(&op, req["header"], rptr+"/header", auth)
	im.body(&op, req["body"], rptr+"/body")
	im.responses(&op, m["response"], ptr+"/response")
	if auth != nil {
		im.applyAuth(&op, auth)
	}
	im.registerBase(u.base, ptr)
	im.spec.Operations = append(im.spec.Operations, op)
}

// uniqueID makes the operation id from the request name (snake case), or
// from the method and path when the request has no name.
func (im *importer) uniqueID(name, method string, path []string) string {
	base := name
	if base == "" {
		base = strings.ToLower(method) + " " + strings.Join(path, " ")
	}
	id := connector.SanitizeID(base)
	if !hasAlnum(base) {
		id = strings.ToLower(method)
	}
	cand := id
	for n := 2; im.ids[cand]; n++ {
		cand = id + "_" + strconv.Itoa(n)
	}
	im.ids[cand] = true
	return cand
}

func hasAlnum(s string) bool {
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return true
		}
	}
	return false
}

// path builds the operation path: ":name" and "{{name}}" segments (also
// inside a segment) become path parameters {name}.
func (im *importer) path(op *connector.Operation, u pmURL, ptr string) {
	descs := map[string]map[string]any{}
	for _, v := range u.vars {
		vm := obj(v)
		if k := str(vm["key"]); k != "" {
			descs[k] = vm
		} else if k := str(vm["id"]); k != "" {
			descs[k] = vm
		}
	}
	var b strings.Builder
	seen := map[string]bool{}
	add := func(raw string, fromVar bool) string {
		name := paramName(raw)
		if seen[name] {
			return name
		}
		seen[name] = true
		p := connector.Param{Name: name, In: connector.InPath, Required: true, Summary: humanize(raw), URLEncoding: "single"}
		schema := map[string]any{"type": "string"}
		if d, ok := descs[raw]; ok {
			p.Description = description(d["description"])
			if val := str(d["value"]); val != "" && !varRE.MatchString(val) {
				p.Default = val
			}
		}
		if fromVar {
			vr := im.variable(raw)
			vr.usedPath = true
			if p.Description == "" {
				p.Description = vr.description
			}
			if val := str(vr.value); val != "" && vr.typ != "secret" && !looksSecret(raw) {
				p.Default = val
			}
		}
		if p.Default != nil {
			schema["default"] = p.Default
		}
		if p.Description == "" {
			p.Description = "The " + strings.ToLower(humanize(raw)) + "."
		}
		p.Schema = mustJSON(schema)
		op.Parameters = append(op.Parameters, p)
		return name
	}
	for _, seg := range u.path {
		b.WriteByte('/')
		switch {
		case strings.HasPrefix(seg, ":") && len(seg) > 1:
			b.WriteString("{" + add(seg[1:], false) + "}")
		default:
			b.WriteString(varRE.ReplaceAllStringFunc(seg, func(s string) string {
				name := varRE.FindStringSubmatch(s)[1]
				if strings.HasPrefix(name, "$") {
					im.warn(ptr, "dynamic variable {{%s}} in the path becomes a path parameter", name)
				}
				return "{" + add(name, true) + "}"
			}))
		}
	}
	op.Path = b.String()
	if op.Path == "" {
		op.Path = "/"
	}
}

// query adds query parameters. A query entry whose value is a collection
// variable is filled in from the connection by a setqueryparameter policy.
func (im *importer) query(op *connector.Operation, entries []any, ptr string) {
	for i, e := range entries {
		m := obj(e)
		p := fmt.Sprintf("%s/%d", ptr, i)
		key := str(m["key"])
		if key == "" {
			if m != nil && m["value"] != nil {
				im.warn(p, "query entry without a key skipped")
			}
			continue
		}
		val := str(m["value"])
		disabled, _ := m["disabled"].(bool)
		if _, whole := wholeVar(val); whole && !disabled {
			im.useVarsIn(val)
			im.addPolicy("setqueryparameter\x00"+key+"\x00"+val, connector.PolicyInstance{
				TemplateID: "setqueryparameter",
				Title:      "Set query parameter " + key,
				Parameters: map[string]any{"name": key, "value": connParamExpr(val), "existsAction": "override"},
			}, op.ID)
			continue
		}
		if _, dup := op.Param(key); dup {
			im.warn(p, "query parameter %q repeated; the first one is kept", key)
			continue
		}
		param := connector.Param{
			Name:        key,
			In:          connector.InQuery,
			Summary:     humanize(key),
			Description: description(m["description"]),
		}
		schema := map[string]any{"type": "string"}
		if val != "" {
			if varRE.MatchString(val) {
				im.useVarsIn(val)
				im.warn(p, "query parameter %q has a value with variables (%s); kept as its default", key, val)
			}
			param.Default = val
			schema["default"] = val
		}
		if disabled {
			param.Visibility = connector.VisibilityAdvanced
		}
		if param.Description == "" {
			param.Description = "The " + strings.ToLower(humanize(key)) + "."
		}
		param.Schema = mustJSON(schema)
		op.Parameters = append(op.Parameters, param)
	}
}

// wholeVar reports whether s references variables and nothing but them
// plus literal text (any value built from variables only comes from the
// connection). It returns the first variable name.
func wholeVar(s string) (string, bool) {
	m := varRE.FindStringSubmatch(s)
	if m == nil || strings.HasPrefix(m[1], "$") {
		return "", false
	}
	return m[1], true
}

// connParamExpr turns "Bearer {{token}}" into "Bearer @connectionParameters('token')".
func connParamExpr(s string) string {
	return varRE.ReplaceAllStringFunc(s, func(v string) string {
		name := varRE.FindStringSubmatch(v)[1]
		return "@connectionParameters('" + paramName(name) + "')"
	})
}

// useVarsIn marks every variable s references as used by a request.
func (im *importer) useVarsIn(s string) {
	for _, m := range varRE.FindAllStringSubmatch(s, -1) {
		if strings.HasPrefix(m[1], "$") {
			continue
		}
		im.variable(m[1]).usedOther = true
	}
}

var skipHeaders = map[string]bool{"content-length": true, "host": true, "connection": true, "user-agent": true, "accept-encoding": true, "cookie": true}

// headers adds header parameters, except Content-Type and Accept (which
// set consumes/produces) and headers the auth scheme sets.
func (im *importer) headers(op *connector.Operation, v any, ptr string, auth *authDef) {
	var entries []any
	switch t := v.(type) {
	case []any:
		entries = t
	case string: // v2.0 allows a raw header block
		for _, line := range strings.Split(t, "\n") {
			k, val, ok := strings.Cut(line, ":")
			if ok {
				entries = append(entries, map[string]any{"key": strings.TrimSpace(k), "value": strings.TrimSpace(val)})
			}
		}
	}
	for i, e := range entries {
		m := obj(e)
		p := fmt.Sprintf("%s/%d", ptr, i)
		key := strings.TrimSpace(str(m["key"]))
		val := str(m["value"])
		disabled, _ := m["disabled"].(bool)
		lk := strings.ToLower(key)
		switch {
		case key == "":
			continue
		case lk == "content-type":
			if !disabled && val != "" {
				op.Consumes = appendUnique(op.Consumes, mediaType(val))
			}
			continue
		case lk == "accept":
			if !disabled && val != "" && val != "*/*" {
				op.Produces = appendUnique(op.Produces, mediaType(val))
			}
			continue
		case skipHeaders[lk]:
			im.warn(p, "header %s skipped: set by the HTTP client", key)
			continue
		case lk == "authorization":
			if auth == nil || auth.kind == connector.AuthNone {
				im.warn(p, "Authorization header skipped: declare the collection's auth instead (its value %q becomes a policy)", val)
				if !disabled && varRE.MatchString(val) {
					im.useVarsIn(val)
					im.addPolicy("setheader\x00"+key+"\x00"+val, connector.PolicyInstance{
						TemplateID: "setheader", Title: "Set header " + key,
						Parameters: map[string]any{"name": key, "value": connParamExpr(val), "existsAction": "override"},
					}, op.ID)
				}
			}
			continue
		case auth != nil && auth.kind == connector.AuthAPIKey && auth.in == "header" && strings.EqualFold(auth.paramName, key):
			continue
		}
		if _, whole := wholeVar(val); whole && !disabled {
			im.useVarsIn(val)
			im.addPolicy("setheader\x00"+key+"\x00"+val, connector.PolicyInstance{
				TemplateID: "setheader", Title: "Set header " + key,
				Parameters: map[string]any{"name": key, "value": connParamExpr(val), "existsAction": "override"},
			}, op.ID)
			continue
		}
		if _, dup := op.Param(key); dup {
			im.warn(p, "header %q repeated; the first one is kept", key)
			continue
		}
		param := connector.Param{Name: key, In: connector.InHeader, Summary: humanize(key), Description: description(m["description"])}
		schema := map[string]any{"type": "string"}
		if val != "" {
			param.Default = val
			schema["default"] = val
		}
		if disabled {
			param.Visibility = connector.VisibilityAdvanced
		}
		if param.Description == "" {
			param.Description = "The " + key + " header."
		}
		param.Schema = mustJSON(schema)
		op.Parameters = append(op.Parameters, param)
	}
}

func mediaType(v string) string {
	mt, _, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

var rawLanguages = map[string]string{
	"json":       "application/json",
	"xml":        "application/xml",
	"html":       "text/html",
	"text":       "text/plain",
	"javascript": "application/javascript",
}

// body adds the body parameter(s) for the body modes.
func (im *importer) body(op *connector.Operation, v any, ptr string) {
	b := obj(v)
	if b == nil {
		return
	}
	if d, _ := b["disabled"].(bool); d {
		return
	}
	mode := str(b["mode"])
	switch mode {
	case "raw":
		raw := str(b["raw"])
		if strings.TrimSpace(raw) == "" {
			return
		}
		lang := str(obj(obj(b["options"])["raw"])["language"])
		ct := rawLanguages[lang]
		if len(op.Consumes) > 0 {
			ct = op.Consumes[0]
		}
		var schema map[string]any
		if val, ok := parseExample(raw); ok && (ct == "" || strings.Contains(ct, "json")) {
			schema = infer(val)
			if ct == "" {
				ct = "application/json"
			}
		} else {
			if lang == "json" || strings.Contains(ct, "json") {
				im.warn(ptr+"/raw", "raw JSON body could not be parsed; its schema is left open")
				schema = map[string]any{"type": "object"}
			} else {
				schema = map[string]any{"type": "string"}
			}
			if ct == "" {
				ct = "text/plain"
			}
		}
		im.useVarsIn(raw)
		op.Consumes = appendUnique(op.Consumes, ct)
		op.Parameters = append(op.Parameters, connector.Param{
			Name: "body", In: connector.InBody, Required: true, Summary: "Body",
			Description: "The request body.", Schema: mustJSON(schema),
		})
	case "urlencoded", "formdata":
		ct := "application/x-www-form-urlencoded"
		if mode == "formdata" {
			ct = "multipart/form-data"
		}
		op.Consumes = []string{ct}
		for i, e := range arr(b[mode]) {
			m := obj(e)
			p := fmt.Sprintf("%s/%s/%d", ptr, mode, i)
			key := str(m["key"])
			if key == "" {
				continue
			}
			if _, dup := op.Param(key); dup {
				im.warn(p, "form field %q repeated; the first one is kept", key)
				continue
			}
			param := connector.Param{Name: key, In: connector.InFormData, Summary: humanize(key), Description: description(m["description"])}
			schema := map[string]any{"type": "string"}
			if str(m["type"]) == "file" {
				if mode == "urlencoded" {
					im.warn(p, "file field %q in a urlencoded body becomes a string", key)
				} else {
					schema["type"] = "file"
				}
			} else if val := str(m["value"]); val != "" {
				im.useVarsIn(val)
				param.Default = val
				schema["default"] = val
			}
			if d, _ := m["disabled"].(bool); d {
				param.Visibility = connector.VisibilityAdvanced
			}
			if param.Description == "" {
				param.Description = "The " + strings.ToLower(humanize(key)) + "."
			}
			param.Schema = mustJSON(schema)
			op.Parameters = append(op.Parameters, param)
		}
	case "file":
		ct := "application/octet-stream"
		if len(op.Consumes) > 0 {
			ct = op.Consumes[0]
		}
		op.Consumes = appendUnique(op.Consumes, ct)
		op.Parameters = append(op.Parameters, connector.Param{
			Name: "body", In: connector.InBody, Required: true, Summary: "File content",
			Description: "The file content to send.", Schema: mustJSON(map[string]any{"type": "string", "format": "binary"}),
		})
	case "graphql":
		g := obj(b["graphql"])
		query := str(g["query"])
		props := map[string]any{"query": map[string]any{"type": "string", "description": "The GraphQL query."}}
		if query != "" {
			props["query"].(map[string]any)["default"] = query
		}
		vars := map[string]any{"type": "object", "description": "The GraphQL variables."}
		if vs := str(g["variables"]); strings.TrimSpace(vs) != "" {
			if val, ok := parseExample(vs); ok {
				vars = infer(val)
				vars["description"] = "The GraphQL variables."
			} else {
				im.warn(ptr+"/graphql/variables", "GraphQL variables are not valid JSON; their schema is left open")
			}
		}
		props["variables"] = vars
		op.Consumes = appendUnique(op.Consumes, "application/json")
		op.Parameters = append(op.Parameters, connector.Param{
			Name: "body", In: connector.InBody, Required: true, Summary: "GraphQL request",
			Description: "The GraphQL query and its variables.",
			Schema:      mustJSON(map[string]any{"type": "object", "required": []string{"query"}, "properties": props}),
		})
	case "":
		if len(b) > 0 {
			im.warn(ptr, "body without a mode skipped")
		}
	default:
		im.warn(ptr, "body mode %q is not supported; skipped", mode)
	}
}

var noiseHeaders = map[string]bool{
	"date": true, "content-length": true, "connection": true, "keep-alive": true, "transfer-encoding": true,
	"server": true, "vary": true, "via": true, "x-powered-by": true, "content-encoding": true, "set-cookie": true,
	"strict-transport-security": true, "access-control-allow-origin": true, "cache-control": true, "expires": true,
	"pragma": true, "alt-svc": true, "cf-ray": true, "age": true, "content-type": true,
}

// responses turns saved example responses into responses.
func (im *importer) responses(op *connector.Operation, v any, ptr string) {
	byStatus := map[string]int{}
	for i, e := range arr(v) {
		m := obj(e)
		p := fmt.Sprintf("%s/%d", ptr, i)
		if m == nil {
			im.warn(p, "example response is not an object; skipped")
			continue
		}
		status := "default"
		if c, ok := m["code"].(json.Number); ok {
			if n, err := c.Int64(); err == nil && n >= 100 && n <= 599 {
				status = strconv.FormatInt(n, 10)
			}
		}
		desc := strings.TrimSpace(str(m["status"]))
		if name := strings.TrimSpace(str(m["name"])); name != "" {
			if desc != "" {
				desc = name + " (" + desc + ")"
			} else {
				desc = name
			}
		}
		if desc == "" {
			desc = "Response " + status
		}
		var schema json.RawMessage
		ct := ""
		headers := map[string]json.RawMessage{}
		for _, h := range arr(m["header"]) {
			hm := obj(h)
			k := str(hm["key"])
			if strings.EqualFold(k, "content-type") {
				ct = mediaType(str(hm["value"]))
			}
			if k == "" || noiseHeaders[strings.ToLower(k)] {
				continue
			}
			headers[k] = mustJSON(map[string]any{"type": "string"})
		}
		body := str(m["body"])
		lang := str(m["_postman_previewlanguage"])
		if strings.TrimSpace(body) != "" {
			if val, ok := parseExample(body); ok && (ct == "" || strings.Contains(ct, "json")) {
				schema = mustJSON(infer(val))
				if ct == "" {
					ct = "application/json"
				}
			} else if ct != "" || lang != "" {
				schema = mustJSON(map[string]any{"type": "string"})
			}
		}
		if ct == "" && lang != "" {
			ct = rawLanguages[lang]
		}
		if ct != "" && schema != nil {
			op.Produces = appendUnique(op.Produces, ct)
		}
		if j, dup := byStatus[status]; dup {
			r := &op.Responses[j]
			if r.Schema == nil && schema != nil {
				r.Schema = schema
			} else {
				im.warn(p, "another example for status %s skipped: the first one defines the response", status)
			}
			continue
		}
		byStatus[status] = len(op.Responses)
		resp := connector.Response{Status: status, Description: desc, Schema: schema}
		if len(headers) > 0 {
			resp.Headers = headers
		}
		op.Responses = append(op.Responses, resp)
	}
	sort.SliceStable(op.Responses, func(i, j int) bool { return op.Responses[i].Status < op.Responses[j].Status })
}

// parseExample parses a JSON example, tolerating unquoted {{variables}}.
func parseExample(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" || (s[0] != '{' && s[0] != '[') {
		return nil, false
	}
	if v, ok := decode(s); ok {
		return v, true
	}
	// Unquoted variables ({"n": {{count}}}) are common in raw bodies.
	replaced := varRE.ReplaceAllStringFunc(s, func(m string) string { return "null" })
	return decode(replaced)
}

func decode(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if dec.More() {
		return nil, false
	}
	return v, true
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("postman: marshalling a schema: %v", err)) // only plain maps reach here
	}
	return b
}
