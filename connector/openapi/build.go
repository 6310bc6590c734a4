// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
)

// methods are the operation keys of a path item.
var methods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

// builder turns a decoded OpenAPI document into a Spec.
type builder struct {
	doc   *object
	file  string
	v3    bool
	res   *resolver
	warns []connector.Warning
}

func (b *builder) warn(ptr, format string, args ...any) {
	b.warns = append(b.warns, connector.Warning{File: b.file, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

// build imports a decoded OpenAPI document and, when props is not nil, a
// decoded apiProperties.json.
func build(doc *object, file string, props *object, propsFile string) (*connector.Spec, []connector.Warning) {
	b := &builder{doc: doc, file: file}
	b.res = newResolver(doc, b.warn)
	spec := &connector.Spec{Operations: []connector.Operation{}}
	switch {
	case doc.str("swagger") != "":
		if v := doc.str("swagger"); v != "2.0" {
			b.warn("/swagger", "swagger version %q is not 2.0; read as 2.0", v)
		}
	case doc.str("openapi") != "":
		b.v3 = true
		if v := doc.str("openapi"); !strings.HasPrefix(v, "3.0") && !strings.HasPrefix(v, "3.1") {
			b.warn("/openapi", "openapi version %q is not 3.0 or 3.1; read as 3.1", v)
		}
	default:
		b.warn("", "document has neither a swagger nor an openapi version; read as OpenAPI 2.0")
	}
	info := doc.obj("info")
	spec.Title = info.str("title")
	spec.Description = info.str("description")
	spec.Version = info.str("version")
	spec.ID = connector.SanitizeID(spec.Title)
	if spec.Title == "" {
		b.warn("/info/title", "document has no title")
	}
	spec.Extensions = extensions(info, nil)
	for k, v := range extensions(doc, nil) {
		if spec.Extensions == nil {
			spec.Extensions = map[string]json.RawMessage{}
		}
		spec.Extensions[k] = v
	}
	spec.BaseURL = b.baseURL()
	spec.Auth = b.auth()
	for _, t := range doc.arr("tags") {
		if to, ok := t.(*object); ok && to.str("name") != "" {
			spec.Tags = append(spec.Tags, connector.Tag{Name: to.str("name"), Description: to.str("description")})
		}
	}
	b.operations(spec)
	if wh := b.doc.obj("webhooks"); len(wh.list()) > 0 {
		b.warn("/webhooks", "webhooks are not imported (%d found)", len(wh.members))
	}
	if props != nil {
		applyProperties(spec, props, propsFile, &b.warns)
	} else {
		spec.ConnectionParameters = paramsFromAuth(spec.Auth)
	}
	return spec, b.warns
}

// baseURL reads host/basePath/schemes (2.0) or servers[0] (3.x).
func (b *builder) baseURL() string {
	if b.v3 {
		servers := b.doc.arr("servers")
		if len(servers) == 0 {
			return ""
		}
		s, _ := servers[0].(*object)
		u := s.str("url")
		for _, m := range s.obj("variables").list() {
			if vo, ok := m.val.(*object); ok {
				u = strings.ReplaceAll(u, "{"+m.key+"}", fmt.Sprint(plain(mustGet(vo, "default"))))
			}
		}
		return u
	}
	host := b.doc.str("host")
	basePath := b.doc.str("basePath")
	if basePath == "/" {
		basePath = ""
	}
	if host == "" {
		return basePath
	}
	scheme := "https"
	if schemes := b.doc.arr("schemes"); len(schemes) > 0 {
		scheme = ""
		for _, s := range schemes {
			if str, _ := s.(string); strings.EqualFold(str, "https") {
				scheme = "https"
			}
		}
		if scheme == "" {
			scheme, _ = schemes[0].(string)
			scheme = strings.ToLower(scheme)
		}
	}
	if scheme == "" {
		scheme = "https"
	}
	return scheme + "://" + host + basePath
}

func mustGet(o *object, key string) any {
	v, _ := o.get(key)
	return v
}

// auth reads securityDefinitions (2.0) or components.securitySchemes (3.x).
func (b *builder) auth() []connector.Auth {
	defs := b.doc.obj("securityDefinitions")
	ptr := "/securityDefinitions/"
	if b.v3 {
		defs = b.doc.obj("components").obj("securitySchemes")
		ptr = "/components/securitySchemes/"
	}
	var out []connector.Auth
	for _, m := range defs.list() {
		d := b.res.deref(m.val, ptr+escapePtr(m.key))
		if d == nil {
			continue
		}
		a := connector.Auth{Name: m.key, Description: d.str("description")}
		switch typ := d.str("type"); strings.ToLower(typ) {
		case "apikey":
			a.Kind, a.In, a.ParamName, a.Parameter = connector.AuthAPIKey, d.str("in"), d.str("name"), "api_key"
		case "basic":
			a.Kind = connector.AuthBasic
		case "http":
			switch strings.ToLower(d.str("scheme")) {
			case "basic":
				a.Kind = connector.AuthBasic
			case "bearer":
				a.Kind, a.Parameter = connector.AuthBearer, "token"
			default:
				b.warn(ptr+escapePtr(m.key), "http authentication scheme %q is not supported", d.str("scheme"))
				continue
			}
		case "oauth2":
			a.Kind, a.Parameter = connector.AuthOAuth2, "token"
			if b.v3 {
				oauthFlowV3(&a, d.obj("flows"))
			} else {
				a.Flow, a.AuthorizationURL, a.TokenURL = d.str("flow"), d.str("authorizationUrl"), d.str("tokenUrl")
				a.Scopes = keys(d.obj("scopes"))
			}
		case "openidconnect":
			a.Kind, a.Parameter, a.Flow = connector.AuthOAuth2, "token", "openIdConnect"
			a.AuthorizationURL = d.str("openIdConnectUrl")
		default:
			b.warn(ptr+escapePtr(m.key), "security scheme type %q is not supported", typ)
			continue
		}
		out = append(out, a)
	}
	return out
}

// oauthFlowV3 takes the first flow of an OpenAPI 3 oauth2 scheme, naming it
// as OpenAPI 2 does (accessCode, implicit, password, application).
func oauthFlowV3(a *connector.Auth, flows *object) {
	names := map[string]string{"authorizationCode": "accessCode", "implicit": "implicit", "password": "password", "clientCredentials": "application"}
	for _, m := range flows.list() {
		f, ok := m.val.(*object)
		if !ok {
			continue
		}
		a.Flow = names[m.key]
		if a.Flow == "" {
			a.Flow = m.key
		}
		a.AuthorizationURL, a.TokenURL, a.RefreshURL = f.str("authorizationUrl"), f.str("tokenUrl"), f.str("refreshUrl")
		a.Scopes = keys(f.obj("scopes"))
		return
	}
}

func keys(o *object) []string {
	if o == nil || len(o.members) == 0 {
		return nil
	}
	out := make([]string, len(o.members))
	for i, m := range o.list() {
		out[i] = m.key
	}
	return out
}

// paramsFromAuth derives connection parameters from the security
// definitions of a document that comes without apiProperties.json, by the
// Power Platform convention.
func paramsFromAuth(auth []connector.Auth) []connector.ConnectionParameter {
	var out []connector.ConnectionParameter
	have := map[string]bool{}
	add := func(p connector.ConnectionParameter) {
		if !have[p.Name] {
			have[p.Name] = true
			out = append(out, p)
		}
	}
	for _, a := range auth {
		switch a.Kind {
		case connector.AuthAPIKey:
			add(connector.ConnectionParameter{Name: "api_key", Type: connector.TypeSecureString, Required: true, DisplayName: a.ParamName, Description: a.Description})
		case connector.AuthBasic:
			add(connector.ConnectionParameter{Name: "username", Type: connector.TypeString, Required: true, DisplayName: "Username"})
			add(connector.ConnectionParameter{Name: "password", Type: connector.TypeSecureString, Required: true, DisplayName: "Password"})
		case connector.AuthBearer:
			add(connector.ConnectionParameter{Name: "token", Type: connector.TypeSecureString, Required: true, DisplayName: "Token"})
		case connector.AuthOAuth2:
			add(connector.ConnectionParameter{Name: "token", Type: connector.TypeOAuthSetting, Required: true, OAuth: &connector.OAuthSetting{
				IdentityProvider: "oauth2", Scopes: a.Scopes, AuthorizationURL: a.AuthorizationURL, TokenURL: a.TokenURL, RefreshURL: a.RefreshURL,
			}})
		}
	}
	return out
}

func escapePtr(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// extensions collects the x-* members of o, leaving out the skip keys.
func extensions(o *object, skip map[string]bool) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for _, m := range o.list() {
		if !strings.HasPrefix(m.key, "x-") || skip[m.key] {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[m.key] = encode(m.val)
	}
	return out
}

type paramKey struct{ name, in string }

// operations adds one Operation for every (path, method) pair.
func (b *builder) operations(spec *connector.Spec) {
	ids := map[string]int{}
	globalConsumes, globalProduces := strs(b.doc.arr("consumes")), strs(b.doc.arr("produces"))
	for _, pm := range b.doc.obj("paths").list() {
		pathPtr := "/paths/" + escapePtr(pm.key)
		item := b.res.deref(pm.val, pathPtr)
		if item == nil {
			b.warn(pathPtr, "path item is not an object")
			continue
		}
		pathParams := item.arr("parameters")
		for _, om := range item.list() {
			if !methods[strings.ToLower(om.key)] {
				continue
			}
			opPtr := pathPtr + "/" + escapePtr(om.key)
			o, ok := om.val.(*object)
			if !ok {
				b.warn(opPtr, "operation is not an object")
				o = &object{}
			}
			op := b.operation(pm.key, strings.ToUpper(om.key), o, opPtr, pathParams)
			if len(op.Consumes) == 0 && !b.v3 {
				op.Consumes = slices.Clone(globalConsumes)
			}
			if len(op.Produces) == 0 && !b.v3 {
				op.Produces = slices.Clone(globalProduces)
			}
			if op.ID == "" {
				op.ID = synthID(op.Method, op.Path)
				b.warn(opPtr, "operation has no operationId; using %q", op.ID)
			}
			if n := ids[op.ID]; n > 0 {
				base := op.ID
				for ids[op.ID] > 0 {
					n++
					op.ID = base + "_" + strconv.Itoa(n)
				}
				ids[base] = n
				b.warn(opPtr, "operationId %q is used more than once; this one is %q", base, op.ID)
			}
			ids[op.ID]++
			spec.Operations = append(spec.Operations, op)
		}
	}
}

func strs(a []any) []string {
	var out []string
	for _, v := range a {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// synthID makes an operation id from its method and path: GET
// /users/{id}/posts gives "get_users_id_posts".
func synthID(method, path string) string {
	var sb strings.Builder
	sb.WriteString(strings.ToLower(method))
	sep := true
	for _, r := range path {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			if sep {
				sb.WriteByte('_')
			}
			sep = false
			sb.WriteRune(r)
		} else {
			sep = true
		}
	}
	return sb.String()
}

func (b *builder) operation(path, method string, o *object, ptr string, pathParams []any) connector.Operation {
	op := connector.Operation{
		ID:          o.str("operationId"),
		Kind:        connector.KindAction,
		Method:      method,
		Path:        path,
		Summary:     o.str("summary"),
		Description: o.str("description"),
		Tags:        strs(o.arr("tags")),
		Visibility:  visibility(o.str("x-ms-visibility")),
		Deprecated:  o.boolean("deprecated"),
		TriggerHint: o.str("x-ms-trigger-hint"),
		Extensions:  extensions(o, nil),
	}
	if !b.v3 {
		op.Consumes, op.Produces = strs(o.arr("consumes")), strs(o.arr("produces"))
	}
	// Path-level parameters first, replaced by operation-level ones with the
	// same name and location.
	var params []connector.Param
	at := map[paramKey]int{}
	addParams := func(list []any, lptr string) {
		for i, pv := range list {
			p, ok := b.param(pv, lptr+"/"+strconv.Itoa(i))
			if !ok {
				continue
			}
			k := paramKey{p.Name, string(p.In)}
			if j, dup := at[k]; dup {
				params[j] = p
				continue
			}
			at[k] = len(params)
			params = append(params, p)
		}
	}
	addParams(pathParams, "/paths/"+escapePtr(path)+"/parameters")
	addParams(o.arr("parameters"), ptr+"/parameters")
	if b.v3 {
		if rbv, ok := o.get("requestBody"); ok {
			var consumes []string
			params, consumes = b.requestBody(rbv, ptr+"/requestBody", params)
			op.Consumes = consumes
		}
	}
	op.Parameters = params
	op.Responses, op.Produces = b.responses(o.obj("responses"), ptr+"/responses", op.Produces)
	if pg, ok := o.get("x-ms-pageable"); ok {
		op.Pagination = &connector.Pagination{ItemsName: "value"}
		if po, isObj := pg.(*object); isObj {
			op.Pagination.NextLinkName = po.str("nextLinkName")
			if n := po.str("itemName"); n != "" {
				op.Pagination.ItemsName = n
			}
		}
	}
	if _, ok := o.get("x-ms-trigger"); ok {
		op.Kind, op.Trigger = connector.KindTrigger, connector.TriggerPoll
		for _, p := range op.Parameters {
			if p.CallbackURL || (p.In == connector.InBody && hasNotificationURL(p.Schema)) {
				op.Trigger = connector.TriggerPush
				break
			}
		}
	}
	return op
}

func visibility(s string) connector.Visibility {
	switch v := connector.Visibility(strings.ToLower(s)); v {
	case connector.VisibilityImportant, connector.VisibilityAdvanced, connector.VisibilityInternal:
		return v
	}
	return connector.VisibilityNone
}

// schemaKeys are the members of an OpenAPI 2 non-body parameter (or header)
// that describe its value; they become the parameter's schema.
var schemaKeys = []string{
	"type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
	"exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
	"uniqueItems", "multipleOf", "x-nullable",
}

// paramFields are the x-ms-* members that have a field of their own.
var paramFields = map[string]bool{
	"x-ms-summary": true, "x-ms-visibility": true, "x-ms-url-encoding": true,
	"x-ms-notification-url": true, "x-ms-dynamic-values": true, "x-ms-dynamic-schema": true,
	"x-ms-dynamic-properties": true, "x-ms-dynamic-list": true, "x-ms-dynamic-tree": true,
}

func (b *builder) param(v any, ptr string) (connector.Param, bool) {
	p := b.res.deref(v, ptr)
	if p == nil {
		b.warn(ptr, "parameter is not an object")
		return connector.Param{}, false
	}
	if _, isRef := p.get("$ref"); isRef {
		return connector.Param{}, false // unresolved; warned already
	}
	out := connector.Param{
		Name:             p.str("name"),
		In:               connector.Location(p.str("in")),
		Required:         p.boolean("required"),
		Summary:          p.str("x-ms-summary"),
		Description:      p.str("description"),
		Visibility:       visibility(p.str("x-ms-visibility")),
		URLEncoding:      p.str("x-ms-url-encoding"),
		CollectionFormat: p.str("collectionFormat"),
		CallbackURL:      p.boolean("x-ms-notification-url"),
		Extensions:       extensions(p, paramFields),
	}
	if out.Name == "" {
		b.warn(ptr, "parameter has no name")
	}
	for key, dst := range map[string]*json.RawMessage{
		"x-ms-dynamic-values": &out.DynamicValues, "x-ms-dynamic-schema": &out.DynamicSchema,
		"x-ms-dynamic-properties": &out.DynamicProperties, "x-ms-dynamic-list": &out.DynamicList,
		"x-ms-dynamic-tree": &out.DynamicTree,
	} {
		if dv, ok := p.get(key); ok {
			*dst = encode(dv)
		}
	}
	if s, ok := p.get("schema"); ok {
		out.Schema = encode(b.res.inline(s, ptr+"/schema", 0))
	} else if _, media := pickMedia(p.obj("content")); b.v3 && media != nil {
		if s, ok := media.get("schema"); ok {
			out.Schema = encode(b.res.inline(s, ptr+"/content", 0))
		}
	} else if !b.v3 && out.In != connector.InBody {
		schema := &object{}
		for _, k := range schemaKeys {
			if sv, ok := p.get(k); ok {
				schema.members = append(schema.members, member{k, b.res.inline(sv, ptr, 0)})
			}
		}
		if len(schema.members) > 0 {
			out.Schema = encode(schema)
		}
	}
	if d, ok := p.get("default"); ok {
		out.Default = plain(d)
	} else if s, ok := p.obj("schema").get("default"); ok && b.v3 {
		out.Default = plain(s)
	}
	if out.In == connector.InPath {
		out.Required = true
	}
	return out, true
}

// formTypes are request body media types whose properties become formData
// parameters.
func isForm(mediaType string) bool {
	mt := strings.ToLower(mediaType)
	return strings.HasPrefix(mt, "application/x-www-form-urlencoded") || strings.HasPrefix(mt, "multipart/form-data")
}

// requestBody turns an OpenAPI 3 request body into a body parameter, or
// into formData parameters for a form media type.
func (b *builder) requestBody(v any, ptr string, params []connector.Param) ([]connector.Param, []string) {
	rb := b.res.deref(v, ptr)
	if rb == nil {
		return params, nil
	}
	content := rb.obj("content")
	consumes := keys(content)
	mt, media := pickMedia(content)
	schema := b.res.inline(mustGet(media, "schema"), ptr+"/content", 0)
	if isForm(mt) {
		so, _ := schema.(*object)
		required := map[string]bool{}
		for _, r := range strs(so.arr("required")) {
			required[r] = true
		}
		for _, m := range so.obj("properties").list() {
			po, _ := m.val.(*object)
			params = append(params, connector.Param{
				Name: m.key, In: connector.InFormData, Required: required[m.key],
				Summary: po.str("x-ms-summary"), Description: po.str("description"),
				Visibility: visibility(po.str("x-ms-visibility")), Schema: encode(m.val),
			})
		}
		return params, consumes
	}
	name := rb.str("x-ms-requestBody-name")
	if name == "" {
		name = "body"
	}
	p := connector.Param{
		Name: name, In: connector.InBody, Required: rb.boolean("required"),
		Description: rb.str("description"), Summary: rb.str("x-ms-summary"),
		Visibility: visibility(rb.str("x-ms-visibility")), Extensions: extensions(rb, paramFields),
	}
	if schema != nil {
		p.Schema = encode(schema)
	}
	return append(params, p), consumes
}

// pickMedia chooses the JSON media type of a content map, else the first.
func pickMedia(content *object) (string, *object) {
	if content == nil || len(content.members) == 0 {
		return "", nil
	}
	for _, m := range content.list() {
		mt := strings.ToLower(m.key)
		if strings.Contains(mt, "json") {
			o, _ := m.val.(*object)
			return m.key, o
		}
	}
	o, _ := content.members[0].val.(*object)
	return content.members[0].key, o
}

func (b *builder) responses(rs *object, ptr string, produces []string) ([]connector.Response, []string) {
	var out []connector.Response
	seen := map[string]bool{}
	for _, p := range produces {
		seen[p] = true
	}
	for _, m := range rs.list() {
		if strings.HasPrefix(m.key, "x-") {
			continue
		}
		rptr := ptr + "/" + escapePtr(m.key)
		r := b.res.deref(m.val, rptr)
		if r == nil {
			continue
		}
		resp := connector.Response{Status: m.key, Description: r.str("description")}
		schema, hasSchema := r.get("schema")
		if b.v3 {
			content := r.obj("content")
			for _, mt := range keys(content) {
				if !seen[mt] {
					seen[mt] = true
					produces = append(produces, mt)
				}
			}
			_, media := pickMedia(content)
			schema, hasSchema = media.get("schema")
		}
		if hasSchema {
			resp.Schema = encode(b.res.inline(schema, rptr, 0))
		}
		for _, h := range r.obj("headers").list() {
			ho := b.res.deref(h.val, rptr+"/headers/"+escapePtr(h.key))
			if ho == nil {
				continue
			}
			hs := any(ho)
			if s, ok := ho.get("schema"); ok {
				hs = s
			}
			if resp.Headers == nil {
				resp.Headers = map[string]json.RawMessage{}
			}
			resp.Headers[h.key] = encode(b.res.inline(hs, rptr, 0))
		}
		out = append(out, resp)
	}
	sort.SliceStable(out, func(i, j int) bool { return statusRank(out[i].Status) < statusRank(out[j].Status) })
	return out, produces
}

// statusRank orders responses by status code, "default" last.
func statusRank(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return 1000
}

// hasNotificationURL reports whether a body schema has a property, at any
// depth, marked x-ms-notification-url.
func hasNotificationURL(schema json.RawMessage) bool {
	if len(schema) == 0 || !strings.Contains(string(schema), "x-ms-notification-url") {
		return false
	}
	v, err := decode(schema)
	if err != nil {
		return false
	}
	return notificationIn(v, 0)
}

func notificationIn(v any, depth int) bool {
	o, ok := v.(*object)
	if !ok || depth > maxInlineDepth {
		return false
	}
	if o.boolean("x-ms-notification-url") {
		return true
	}
	for _, m := range o.obj("properties").list() {
		if notificationIn(m.val, depth+1) {
			return true
		}
	}
	for _, k := range []string{"items", "allOf"} {
		switch c := mustGet(o, k).(type) {
		case *object:
			if notificationIn(c, depth+1) {
				return true
			}
		case []any:
			for _, e := range c {
				if notificationIn(e, depth+1) {
					return true
				}
			}
		}
	}
	return false
}
