// SPDX-License-Identifier: Apache-2.0

package certify

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	sanitizedIDRE  = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	pathVarRE      = regexp.MustCompile(`\{([^{}]*)\}`)
	restrictedSumm = regexp.MustCompile(`[/\\<>*%&?]`)
	statusRE       = regexp.MustCompile(`^[1-5][0-9][0-9]$`)
)

// maxOperations is the operation count above which a connector is unusually
// large (a 2020 limit for custom connectors; certified ones go beyond).
const maxOperations = 128

func (c *checker) checkOperations(s *swagger) {
	f := s.file
	paths := obj(s.doc["paths"])
	if paths == nil {
		c.add("path.template", f, "", "the document has no paths object")
	}
	// O4, O5, O6: path keys.
	lower := map[string]string{}
	shapes := map[string]string{}
	for _, path := range sortedKeys(paths) {
		p := ptr("/paths", path)
		item := obj(paths[path])
		if _, ok := item["$ref"]; ok {
			c.add("path.ref", f, p, "$ref is not allowed on a path item")
		}
		c.checkPathTemplate(f, p, path)
		if prev, ok := lower[strings.ToLower(path)]; ok {
			c.add("path.duplicate", f, p, "path %q differs from %q only in case", path, prev)
		} else {
			lower[strings.ToLower(path)] = path
		}
		for _, m := range methods {
			if item[m] == nil {
				continue
			}
			shape := m + " " + strings.ToLower(pathVarRE.ReplaceAllString(path, "{}"))
			if prev, ok := shapes[shape]; ok && !strings.EqualFold(prev, path) {
				c.add("path.ambiguous", f, ptr(p, m), "%s %s cannot be told apart from %s %s: the same static segments with variables in the same places", strings.ToUpper(m), path, strings.ToUpper(m), prev)
			} else if !ok {
				shapes[shape] = path
			}
		}
	}
	if len(s.ops) > maxOperations {
		c.add("operation.count", f, "/paths", "%d operations; custom connectors are limited to %d", len(s.ops), maxOperations)
	}
	// O1, O2.
	for _, op := range s.ops {
		if op.id == "" {
			c.add("operation.id", f, op.ptr, "the operation has no operationId")
			continue
		}
		if others := s.opIDs[op.id]; len(others) > 1 && others[0] != op {
			c.add("operation.id.unique", f, ptr(op.ptr, "operationId"), "operationId %q is also used by %s %s", op.id, strings.ToUpper(others[0].method), others[0].path)
		}
		if !sanitizedIDRE.MatchString(op.id) {
			c.add("operation.id.sanitized", f, ptr(op.ptr, "operationId"), "operationId %q has characters other than letters, digits and _", op.id)
		}
	}
	rootConsumes := s.doc["consumes"]
	c.checkMediaTypes(f, "/consumes", rootConsumes)
	for _, op := range s.ops {
		c.checkOperation(s, op, rootConsumes)
	}
	c.checkFamilies(s)
	c.checkDynamicRefs(s)
}

func (c *checker) checkPathTemplate(f, p, path string) {
	switch {
	case !strings.HasPrefix(path, "/"):
		c.add("path.template", f, p, "path %q must start with /", path)
	case strings.ContainsAny(path, "?#"):
		c.add("path.template", f, p, "path %q contains ? or #; percent-encode them", path)
	}
	depth := 0
	for _, r := range path {
		switch r {
		case '{':
			depth++
		case '}':
			depth--
		case '/':
			if depth != 0 {
				c.add("path.template", f, p, "a variable of path %q spans segments", path)
				return
			}
		}
		if depth < 0 || depth > 1 {
			c.add("path.template", f, p, "path %q has unbalanced braces", path)
			return
		}
	}
	if depth != 0 {
		c.add("path.template", f, p, "path %q has unbalanced braces", path)
		return
	}
	for _, m := range pathVarRE.FindAllStringSubmatch(path, -1) {
		if strings.Contains(m[1], "=") || m[1] == "" {
			c.add("path.template", f, p, "path variable {%s} is empty or has a default", m[1])
		}
	}
}

func (c *checker) checkSummary(summary, f, p string, internal bool) {
	if strings.TrimSpace(summary) == "" {
		if !internal {
			c.add("operation.summary", f, p, "a visible operation needs a summary")
		}
		return
	}
	sp := ptr(p, "summary")
	n := len([]rune(summary))
	switch {
	case n >= 120:
		c.add("operation.summary.length", f, sp, "the summary is %d characters long; the limit is 120", n)
	case n > 80:
		c.add("operation.summary.length_80", f, sp, "the summary is %d characters long; keep it to 80", n)
	}
	if m := restrictedSumm.FindString(summary); m != "" {
		c.add("operation.summary.characters", f, sp, "the summary contains the restricted character %q", m)
	}
	if strings.HasSuffix(summary, ".") || strings.HasSuffix(summary, "!") {
		c.add("operation.summary.punctuation", f, sp, "the summary ends with punctuation; it is a phrase, not a sentence")
	}
}

func (c *checker) checkOperation(s *swagger, op *operation, rootConsumes any) {
	f, o := s.file, op.op
	internal := op.internal()
	c.checkSummary(str(o["summary"]), f, op.ptr, internal)
	desc := str(o["description"])
	if strings.TrimSpace(desc) == "" {
		if !internal {
			c.add("operation.description", f, op.ptr, "a visible operation needs a description")
		}
	} else if strings.EqualFold(strings.TrimSpace(desc), strings.TrimSpace(str(o["summary"]))) {
		c.add("operation.description.summary", f, ptr(op.ptr, "description"), "the description repeats the summary; say more")
	}
	if v, ok := o["x-ms-visibility"]; ok {
		if vs := str(v); vs != "" && vs != "important" && vs != "advanced" && vs != "internal" {
			c.add("operation.visibility", f, ptr(op.ptr, "x-ms-visibility"), "x-ms-visibility must be important, advanced or internal, not %q", vs)
		}
	}
	if t, ok := o["x-ms-trigger"]; ok {
		if ts := str(t); ts != "single" && ts != "batch" {
			c.add("trigger.kind", f, ptr(op.ptr, "x-ms-trigger"), "x-ms-trigger must be single or batch, not %v", t)
		}
	}
	if pg := obj(o["x-ms-pageable"]); pg != nil {
		if n, ok := pg["nextLinkName"]; ok {
			if ns := str(n); ns != "nextLink" && ns != "@odata.nextLink" && ns != "" {
				c.add("operation.pageable", f, ptr(op.ptr, "x-ms-pageable", "nextLinkName"), "nextLinkName should be nextLink or @odata.nextLink, not %q", ns)
			}
		}
	}
	if ann := obj(o["x-ms-api-annotation"]); ann != nil {
		if rep := obj(ann["replacement"]); rep != nil {
			if !op.deprecated() {
				c.add("family.replacement", f, ptr(op.ptr, "x-ms-api-annotation", "replacement"), "replacement is only allowed on a deprecated operation")
			}
			if str(rep["api"]) == "" || str(rep["operationId"]) == "" {
				c.add("family.replacement", f, ptr(op.ptr, "x-ms-api-annotation", "replacement"), "replacement needs both api and operationId")
			}
		}
		if st := str(ann["status"]); st == "Production" {
			if cs := str(obj(obj(s.doc["info"])["x-ms-api-annotation"])["status"]); cs == "Preview" {
				c.add("swagger.status", f, ptr(op.ptr, "x-ms-api-annotation", "status"), "the operation cannot be Production while the connector is Preview")
			}
		}
	}
	c.checkMediaTypes(f, ptr(op.ptr, "consumes"), o["consumes"])
	c.checkParameters(s, op, rootConsumes)
	c.checkResponses(s, op)
	c.checkWebhook(s, op)
}

func (c *checker) checkParameters(s *swagger, op *operation, rootConsumes any) {
	f := s.file
	vars := map[string]bool{}
	for _, m := range pathVarRE.FindAllStringSubmatch(op.path, -1) {
		vars[m[1]] = true
	}
	pathParams := map[string]bool{}
	bodies, forms := 0, 0
	seen := map[string]bool{}
	visibleOp := !op.internal()
	for i, p := range op.params {
		pp := op.ptrs[i]
		if p == nil {
			c.add("ref.resolve", f, pp, "the parameter reference does not resolve")
			continue
		}
		name, in := str(p["name"]), str(p["in"])
		key := in + "\x00" + name
		if seen[key] {
			c.add("parameter.duplicate", f, pp, "parameter %q in %s is declared twice", name, in)
		}
		seen[key] = true
		if strings.EqualFold(name, "connectionId") {
			c.add("parameter.reserved", f, pp, "a parameter may not be named connectionId")
		}
		typ := str(p["type"])
		switch in {
		case "body":
			bodies++
			if _, ok := p["schema"]; !ok {
				c.add("parameter.body.schema", f, pp, "body parameter %q has no schema", name)
			}
			for _, k := range []string{"type", "format", "items", "collectionFormat", "enum", "default"} {
				if _, ok := p[k]; ok {
					c.add("parameter.body.schema", f, ptr(pp, k), "%s belongs in the body parameter's schema, not on the parameter", k)
				}
			}
		case "formData":
			forms++
		case "path":
			pathParams[name] = true
			if !vars[name] {
				c.add("parameter.path.undefined", f, pp, "path parameter %q does not appear in the path %s", name, op.path)
			}
			if !isTrue(p["required"]) {
				c.add("parameter.path.required", f, pp, "path parameter %q must be required", name)
			}
			if _, ok := p["x-ms-url-encoding"]; !ok && visibleOp {
				c.add("parameter.path.encoding", f, pp, "path parameter %q should declare x-ms-url-encoding (single)", name)
			}
		case "query", "header":
		default:
			c.add("parameter.in", f, ptr(pp, "in"), "parameter location %q is not valid", in)
		}
		if in != "body" {
			if _, ok := p["schema"]; ok {
				c.add("parameter.body.schema", f, ptr(pp, "schema"), "only body parameters may have a schema")
			}
		}
		if in == "query" {
			if _, ok := p["x-ms-url-encoding"]; ok {
				c.add("parameter.query.encoding", f, ptr(pp, "x-ms-url-encoding"), "query parameters are always single-encoded; drop x-ms-url-encoding")
			}
		}
		if typ == "file" && in != "formData" {
			c.add("parameter.file", f, pp, "type file is only allowed for formData parameters")
		}
		if _, ok := p["allowEmptyValue"]; ok && in != "query" && in != "formData" {
			c.add("parameter.allow_empty_value", f, pp, "allowEmptyValue is only valid for query and formData parameters")
		}
		if cf := str(p["collectionFormat"]); cf != "" && cf != "csv" {
			c.add("parameter.collection_format", f, ptr(pp, "collectionFormat"), "collectionFormat %q is not supported; use csv", cf)
		}
		pvis := str(p["x-ms-visibility"])
		if pvis == "internal" && p["default"] != nil && !isTrue(p["required"]) {
			c.add("parameter.internal_default", f, pp, "internal parameter %q has a default but is optional, so its value is dropped; make it required", name)
		}
		if visibleOp && pvis != "internal" && in != "body" {
			if strings.TrimSpace(str(p["x-ms-summary"])) == "" {
				c.add("parameter.summary", f, pp, "visible parameter %q needs an x-ms-summary", name)
			} else if n := len([]rune(str(p["x-ms-summary"]))); n > 80 {
				c.add("parameter.summary", f, ptr(pp, "x-ms-summary"), "x-ms-summary is %d characters long; keep it to 80", n)
			}
			if strings.TrimSpace(str(p["description"])) == "" {
				c.add("parameter.description", f, pp, "visible parameter %q needs a description", name)
			}
		}
		if in != "body" {
			c.checkEnum(f, pp, p)
		}
	}
	for v := range vars {
		if !pathParams[v] {
			c.add("parameter.path.missing", f, op.ptr, "path variable {%s} has no path parameter", v)
		}
	}
	if bodies > 1 {
		c.add("parameter.body.multiple", f, ptr(op.ptr, "parameters"), "%d body parameters; at most one is allowed", bodies)
	}
	if bodies > 0 && forms > 0 {
		c.add("parameter.body.multiple", f, ptr(op.ptr, "parameters"), "body and formData parameters cannot be mixed")
	}
	if (bodies > 0 || forms > 0) && op.method == "get" {
		c.add("operation.get_body", f, op.ptr, "a GET operation should not take body or formData parameters")
	}
	if (bodies > 0 || forms > 0) && len(arr(op.op["consumes"])) == 0 && len(arr(rootConsumes)) == 0 {
		c.add("operation.consumes", f, op.ptr, "the operation sends a body but declares no consumes MIME type")
	}
}

// checkEnum applies P11 to a non-body parameter or a schema.
func (c *checker) checkEnum(f, p string, m map[string]any) {
	typ := str(m["type"])
	if e, ok := m["enum"]; ok {
		list := arr(e)
		if len(list) == 0 {
			c.add("parameter.enum", f, ptr(p, "enum"), "enum must list at least one value")
		}
		for i, v := range list {
			if !matchesType(v, typ) {
				c.add("parameter.enum", f, ptr(p, "enum", i), "enum value %v is not of type %s", v, typ)
			}
		}
	}
	if d, ok := m["default"]; ok && !matchesType(d, typ) {
		c.add("parameter.default", f, ptr(p, "default"), "default %v is not of type %s", d, typ)
	}
	if ev, ok := m["x-ms-enum-values"]; ok {
		values := map[string]bool{}
		enum := map[string]bool{}
		for _, v := range arr(m["enum"]) {
			enum[jsonText(v)] = true
		}
		for i, e := range arr(ev) {
			em := obj(e)
			vt := jsonText(em["value"])
			if str(em["displayName"]) == "" {
				c.add("parameter.enum", f, ptr(p, "x-ms-enum-values", i), "x-ms-enum-values entry needs a displayName")
			}
			if values[vt] {
				c.add("parameter.enum", f, ptr(p, "x-ms-enum-values", i), "x-ms-enum-values repeats the value %s", vt)
			}
			values[vt] = true
			if len(enum) > 0 && !enum[vt] {
				c.add("parameter.enum", f, ptr(p, "x-ms-enum-values", i), "x-ms-enum-values value %s is not in enum", vt)
			}
		}
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// matchesType reports whether the JSON value v fits the swagger type typ.
// Strings holding a number or boolean are tolerated for those types: the
// platform reads them leniently.
func matchesType(v any, typ string) bool {
	if v == nil {
		return true
	}
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		switch t := v.(type) {
		case json.Number:
			_, err := t.Int64()
			return err == nil
		case string:
			_, err := strconv.ParseInt(t, 10, 64)
			return err == nil
		}
		return false
	case "number":
		switch t := v.(type) {
		case json.Number:
			return true
		case string:
			_, err := strconv.ParseFloat(t, 64)
			return err == nil
		}
		return false
	case "boolean":
		switch t := v.(type) {
		case bool:
			return true
		case string:
			return t == "true" || t == "false"
		}
		return false
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return true
}

func (c *checker) checkResponses(s *swagger, op *operation) {
	f := s.file
	rp := ptr(op.ptr, "responses")
	resps := obj(op.op["responses"])
	if len(resps) == 0 {
		c.add("operation.responses", f, op.ptr, "the operation declares no response")
		return
	}
	success, withSchema := false, 0
	var successSchema bool
	for _, code := range sortedKeys(resps) {
		p := ptr(rp, code)
		if code != "default" && !statusRE.MatchString(code) {
			c.add("response.status", f, p, "response key %q is neither an HTTP status code nor default", code)
			continue
		}
		r := s.resolve(resps[code])
		if r == nil {
			c.add("ref.resolve", f, p, "the response reference does not resolve")
			continue
		}
		schema, has := r["schema"]
		if has {
			withSchema++
		}
		if code == "default" && has {
			c.add("response.default_schema", f, ptr(p, "schema"), "the default response must not carry a schema")
		}
		if strings.HasPrefix(code, "2") {
			success = true
			if has && !emptySchema(s, schema) {
				successSchema = true
				if !op.internal() {
					c.checkResponseSummaries(s, schema, ptr(p, "schema"))
				}
			}
		}
	}
	if !success {
		c.add("operation.responses.success", f, rp, "the operation declares no 2xx response")
	}
	if withSchema > 1 {
		c.add("response.many_schemas", f, rp, "%d responses carry a schema; the designer uses only one", withSchema)
	}
	if op.internal() || successSchema || op.method == "delete" {
		return
	}
	switch {
	case op.trigger() != "" && !op.webhook(s):
		c.add("response.schema.trigger", f, rp, "a polling trigger without a 2xx response schema is invisible in the designer")
	case op.trigger() == "" && success:
		c.add("response.schema", f, rp, "the action's success response has no schema")
	}
}

// emptySchema reports whether a schema says nothing: {} or an object
// without properties.
func emptySchema(s *swagger, v any) bool {
	m := s.resolve(v)
	if len(m) == 0 {
		return true
	}
	if str(m["type"]) == "object" && len(obj(m["properties"])) == 0 && m["additionalProperties"] == nil && m["x-ms-dynamic-schema"] == nil && m["x-ms-dynamic-properties"] == nil && m["allOf"] == nil {
		return true
	}
	return false
}

// checkResponseSummaries reports, once per response, the properties of a
// success response schema that have no x-ms-summary.
func (c *checker) checkResponseSummaries(s *swagger, schema any, p string) {
	var missing []string
	seen := map[string]bool{}
	var walk func(v any, prefix string, depth int)
	walk = func(v any, prefix string, depth int) {
		if depth > 4 {
			return
		}
		if m := obj(v); m != nil {
			if ref, ok := m["$ref"].(string); ok {
				if seen[ref] {
					return
				}
				seen[ref] = true
				defer delete(seen, ref)
			}
		}
		m := s.resolve(v)
		if m == nil {
			return
		}
		if it := m["items"]; it != nil {
			walk(it, prefix, depth+1)
		}
		props := obj(m["properties"])
		for _, k := range sortedKeys(props) {
			pm := s.resolve(props[k])
			if pm == nil || str(pm["x-ms-visibility"]) == "internal" {
				continue
			}
			if str(pm["x-ms-summary"]) == "" {
				missing = append(missing, prefix+k)
			}
			walk(props[k], prefix+k+".", depth+1)
		}
	}
	walk(schema, "", 0)
	if len(missing) == 0 {
		return
	}
	sort.Strings(missing)
	shown := missing
	if len(shown) > 5 {
		shown = shown[:5]
	}
	more := ""
	if len(missing) > 5 {
		more = " and " + strconv.Itoa(len(missing)-5) + " more"
	}
	c.add("response.property.summary", s.file, p, "%d response properties lack x-ms-summary: %s%s", len(missing), strings.Join(shown, ", "), more)
}

func (c *checker) checkWebhook(s *swagger, op *operation) {
	f := s.file
	for i, p := range op.params {
		if str(p["in"]) != "body" {
			continue
		}
		// The body parameter itself may be optional (all 650 corpus webhooks
		// conform only if required is counted from the schema root).
		c.checkNotificationURL(s, p["schema"], ptr(op.ptrs[i], "schema"), true, true, str(p["x-ms-visibility"]) == "internal", 0)
	}
	if !op.webhook(s) {
		return
	}
	if op.op["x-ms-notification-content"] == nil && op.pathItem["x-ms-notification-content"] == nil {
		c.add("webhook.notification_content", f, op.ptr, "a webhook operation needs x-ms-notification-content (the callback payload schema)")
	}
}

// checkNotificationURL applies T3 along the body schema: the property must
// be a string, required at every level and internal.
func (c *checker) checkNotificationURL(s *swagger, v any, p string, required, reqOK, internal bool, depth int) {
	if depth > 8 {
		return
	}
	m := s.resolve(v)
	if m == nil {
		return
	}
	internal = internal || str(m["x-ms-visibility"]) == "internal"
	if isTrue(m["x-ms-notification-url"]) {
		if str(m["type"]) != "string" {
			c.add("webhook.notification_url", s.file, p, "the notification URL property must be of type string")
		}
		if !reqOK {
			c.add("webhook.notification_url", s.file, p, "the notification URL property must be required at every level")
		}
		if !internal {
			c.add("webhook.notification_url", s.file, p, "the notification URL property must be internal (itself or an ancestor)")
		}
	}
	req := map[string]bool{}
	for _, r := range arr(m["required"]) {
		req[str(r)] = true
	}
	props := obj(m["properties"])
	for _, k := range sortedKeys(props) {
		c.checkNotificationURL(s, props[k], ptr(p, "properties", k), required, reqOK && req[k], internal, depth+1)
	}
}

// checkFamilies applies V1 to operation families.
func (c *checker) checkFamilies(s *swagger) {
	type member struct {
		op       *operation
		revision string
	}
	fams := map[string][]member{}
	for _, op := range s.ops {
		ann := obj(op.op["x-ms-api-annotation"])
		fam := str(ann["family"])
		if fam == "" {
			continue
		}
		rev := ""
		if r, ok := ann["revision"]; ok {
			rev = jsonText(r)
			if rev == `""` || rev == "null" {
				rev = ""
			}
		}
		fams[fam] = append(fams[fam], member{op, rev})
	}
	for _, fam := range sortedFamilyKeys(fams) {
		ms := fams[fam]
		revs := map[string]bool{}
		empty, active := 0, 0
		for _, m := range ms {
			p := ptr(m.op.ptr, "x-ms-api-annotation")
			if m.revision == "" {
				empty++
				if len(ms) > 1 {
					c.add("family.revision", s.file, p, "operation %s of family %s has no revision", m.op.id, fam)
				}
			} else if revs[m.revision] {
				c.add("family.revision", s.file, p, "family %s has revision %s twice", fam, m.revision)
			}
			revs[m.revision] = true
			if !m.op.deprecated() {
				active++
			}
		}
		if active > 2 {
			c.add("family.active", s.file, ms[0].op.ptr, "family %s has %d operations that are not deprecated; at most 2 are allowed", fam, active)
		}
	}
}

func sortedFamilyKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkDynamicRefs applies D1: operationIds named by dynamic extensions,
// x-ms-capabilities and x-ms-notification must exist.
func (c *checker) checkDynamicRefs(s *swagger) {
	var walk func(v any, p string, depth int)
	walk = func(v any, p string, depth int) {
		if depth > 64 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(t) {
				kp := ptr(p, k)
				switch k {
				case "x-ms-dynamic-values", "x-ms-dynamic-list", "x-ms-dynamic-schema", "x-ms-dynamic-properties", "x-ms-notification":
					m := obj(t[k])
					id := str(m["operationId"])
					if id == "" {
						if k == "x-ms-notification" {
							continue
						}
						id = str(m["operationId"])
					}
					if id != "" && len(s.opIDs[id]) == 0 {
						c.add("dynamic.operation", s.file, ptr(kp, "operationId"), "%s names operation %q, which does not exist", k, id)
					}
				}
				walk(t[k], kp, depth+1)
			}
		case []any:
			for i, e := range t {
				walk(e, ptr(p, i), depth+1)
			}
		}
	}
	walk(s.doc, "", 0)
}
