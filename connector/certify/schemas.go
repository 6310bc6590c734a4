// SPDX-License-Identifier: Apache-2.0

package certify

import (
	"encoding/json"
	"regexp"
	"strings"
)

// checkSchemas walks every schema of the document once (definitions,
// shared parameters and responses, operation bodies and responses) and
// checks $ref pointers everywhere.
func (c *checker) checkSchemas(s *swagger) {
	defs := obj(s.doc["definitions"])
	for _, k := range sortedKeys(defs) {
		c.checkSchema(s, defs[k], ptr("/definitions", k), "definition", 0)
	}
	params := obj(s.doc["parameters"])
	for _, k := range sortedKeys(params) {
		if sc, ok := obj(params[k])["schema"]; ok {
			c.checkSchema(s, sc, ptr("/parameters", k, "schema"), "body", 0)
		}
	}
	resps := obj(s.doc["responses"])
	for _, k := range sortedKeys(resps) {
		if sc, ok := obj(resps[k])["schema"]; ok {
			c.checkSchema(s, sc, ptr("/responses", k, "schema"), "response", 0)
		}
	}
	for _, op := range s.ops {
		for i, p := range arr(op.op["parameters"]) {
			if sc, ok := obj(p)["schema"]; ok {
				c.checkSchema(s, sc, ptr(op.ptr, "parameters", i, "schema"), "body", 0)
			}
		}
		rs := obj(op.op["responses"])
		for _, code := range sortedKeys(rs) {
			if sc, ok := obj(rs[code])["schema"]; ok {
				c.checkSchema(s, sc, ptr(op.ptr, "responses", code, "schema"), "response", 0)
			}
		}
	}
	c.checkRefs(s, s.doc, "", 0)
}

var refTargets = []string{"#/definitions/", "#/parameters/", "#/responses/"}

// checkRefs applies R5 to every $ref of the document.
func (c *checker) checkRefs(s *swagger, v any, p string, depth int) {
	if depth > 128 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			valid := false
			for _, pre := range refTargets {
				if strings.HasPrefix(ref, pre) {
					valid = true
				}
			}
			switch {
			case !valid:
				c.add("ref.resolve", s.file, ptr(p, "$ref"), "$ref %q must point into #/definitions/, #/parameters/ or #/responses/", ref)
			default:
				if _, ok := s.lookup(ref); !ok {
					c.add("ref.resolve", s.file, ptr(p, "$ref"), "$ref %q does not resolve", ref)
				}
			}
			var siblings []string
			for _, k := range sortedKeys(t) {
				if k != "$ref" && !strings.HasPrefix(k, "x-") && k != "description" {
					siblings = append(siblings, k)
				}
			}
			if len(siblings) > 0 {
				c.add("ref.siblings", s.file, p, "keys beside $ref are ignored: %s", strings.Join(siblings, ", "))
			}
		}
		for _, k := range sortedKeys(t) {
			if k == "example" || k == "x-ms-test-value" || k == "default" || k == "examples" {
				continue
			}
			c.checkRefs(s, t[k], ptr(p, k), depth+1)
		}
	case []any:
		for i, e := range t {
			c.checkRefs(s, e, ptr(p, i), depth+1)
		}
	}
}

// checkSchema applies R6, R7 and R8 to a schema and its subschemas.
// role is "body", "response" or "definition"; depth 0 is the root.
func (c *checker) checkSchema(s *swagger, v any, p, role string, depth int) {
	m := obj(v)
	if m == nil || depth > 64 {
		return
	}
	if _, ok := m["$ref"]; ok {
		return // the target is checked where it is defined
	}
	f := s.file
	typ := str(m["type"])
	if r, ok := m["required"]; ok {
		if list, isList := r.([]any); isList {
			props := obj(m["properties"])
			switch {
			case typ != "" && typ != "object":
				c.add("schema.required", f, ptr(p, "required"), "required is only allowed on object schemas, not %s", typ)
			case len(list) == 0:
				c.add("schema.required", f, ptr(p, "required"), "required must not be empty")
			default:
				for i, name := range list {
					if _, ok := props[str(name)]; !ok && props != nil && m["allOf"] == nil {
						c.add("schema.required", f, ptr(p, "required", i), "required property %q is not defined in properties", str(name))
					}
				}
			}
		}
	}
	if typ == "array" && m["items"] == nil {
		c.add("schema.array_items", f, p, "an array schema needs items")
	}
	if typ == "string" && str(m["format"]) == "binary" && depth > 0 && role != "definition" {
		c.add("schema.binary", f, p, "string/binary is only allowed at the top of a body or formData parameter")
	}
	if typ == "file" && !(depth == 0 && (role == "response" || role == "definition")) {
		c.add("schema.file", f, p, "type file is only allowed at the root of a response schema")
	}
	c.checkBounds(f, p, m)
	if en, ok := m["enum"]; ok && len(arr(en)) == 0 {
		c.add("parameter.enum", f, ptr(p, "enum"), "enum must list at least one value")
	}
	props := obj(m["properties"])
	for _, k := range sortedKeys(props) {
		c.checkSchema(s, props[k], ptr(p, "properties", k), role, depth+1)
	}
	if it := obj(m["items"]); it != nil {
		c.checkSchema(s, it, ptr(p, "items"), role, depth+1)
	}
	if ap := obj(m["additionalProperties"]); ap != nil {
		c.checkSchema(s, ap, ptr(p, "additionalProperties"), role, depth+1)
	}
	for i, e := range arr(m["allOf"]) {
		c.checkSchema(s, e, ptr(p, "allOf", i), role, depth+1)
	}
}

// checkBounds applies R8.
func (c *checker) checkBounds(f, p string, m map[string]any) {
	num := func(k string) (float64, bool) {
		n, ok := m[k].(json.Number)
		if !ok {
			return 0, false
		}
		v, err := n.Float64()
		return v, err == nil
	}
	for _, k := range []string{"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"} {
		if v, ok := num(k); ok && v < 0 {
			c.add("schema.bounds", f, ptr(p, k), "%s must not be negative", k)
		}
	}
	for _, pair := range [][2]string{{"minimum", "maximum"}, {"minLength", "maxLength"}, {"minItems", "maxItems"}, {"minProperties", "maxProperties"}} {
		lo, ok1 := num(pair[0])
		hi, ok2 := num(pair[1])
		if ok1 && ok2 && lo > hi {
			c.add("schema.bounds", f, ptr(p, pair[0]), "%s (%v) is greater than %s (%v)", pair[0], lo, pair[1], hi)
		}
	}
	if v, ok := num("multipleOf"); ok && v <= 0 {
		c.add("schema.bounds", f, ptr(p, "multipleOf"), "multipleOf must be greater than 0")
	}
	if _, ok := m["exclusiveMaximum"]; ok && m["maximum"] == nil {
		c.add("schema.bounds", f, ptr(p, "exclusiveMaximum"), "exclusiveMaximum needs maximum")
	}
	if _, ok := m["exclusiveMinimum"]; ok && m["minimum"] == nil {
		c.add("schema.bounds", f, ptr(p, "exclusiveMinimum"), "exclusiveMinimum needs minimum")
	}
	if pat, ok := m["pattern"].(string); ok {
		if _, err := regexp.Compile(goPattern(pat)); err != nil && !ecmaOnly(pat) {
			c.add("schema.bounds", f, ptr(p, "pattern"), "pattern %q is not a valid regular expression", pat)
		}
	}
}

var ecmaUnicodeEscape = regexp.MustCompile(`\\u([0-9a-fA-F]{4})`)

// goPattern rewrites the ECMAScript escape \uXXXX, which RE2 lacks, as
// \x{XXXX}.
func goPattern(pat string) string { return ecmaUnicodeEscape.ReplaceAllString(pat, `\x{$1}`) }

// ecmaOnly reports whether a pattern fails only because Go's RE2 lacks an
// ECMAScript feature (lookaround, backreferences), which the platform has.
func ecmaOnly(pat string) bool {
	return strings.Contains(pat, "(?=") || strings.Contains(pat, "(?!") || strings.Contains(pat, "(?<") || regexp.MustCompile(`\\[1-9]`).MatchString(pat)
}

// checkSecurity applies S1 and S2.
func (c *checker) checkSecurity(s *swagger) {
	f := s.file
	defs := obj(s.doc["securityDefinitions"])
	for _, name := range sortedKeys(defs) {
		d := obj(defs[name])
		p := ptr("/securityDefinitions", name)
		switch typ := str(d["type"]); typ {
		case "apiKey":
			if str(d["name"]) == "" {
				c.add("security.definition", f, p, "apiKey definition %q needs a name", name)
			}
			if in := str(d["in"]); in != "header" && in != "query" {
				c.add("security.definition", f, p, "apiKey definition %q needs in: header or query, not %q", name, in)
			}
		case "basic":
		case "oauth2":
			flow := str(d["flow"])
			needAuth, needToken := false, false
			switch flow {
			case "implicit":
				needAuth = true
			case "accessCode":
				needAuth, needToken = true, true
			case "password", "application":
				needToken = true
			default:
				c.add("security.definition", f, p, "oauth2 definition %q has flow %q; want implicit, password, application or accessCode", name, flow)
			}
			if needAuth && str(d["authorizationUrl"]) == "" {
				c.add("security.definition", f, p, "oauth2 definition %q with flow %s needs authorizationUrl", name, flow)
			}
			if needToken && str(d["tokenUrl"]) == "" {
				c.add("security.definition", f, p, "oauth2 definition %q with flow %s needs tokenUrl", name, flow)
			}
		default:
			c.add("security.definition", f, p, "security definition %q has type %q; want apiKey, basic or oauth2", name, typ)
		}
	}
	check := func(v any, p string) {
		for i, req := range arr(v) {
			rm := obj(req)
			for _, name := range sortedKeys(rm) {
				d, ok := defs[name]
				switch {
				case !ok:
					c.add("security.requirement", f, ptr(p, i, name), "security requirement %q is not defined in securityDefinitions", name)
				case rm[name] == nil:
					c.add("security.requirement", f, ptr(p, i, name), "security requirement %q must have a value", name)
				case str(obj(d)["type"]) != "oauth2" && len(arr(rm[name])) > 0:
					c.add("security.requirement", f, ptr(p, i, name), "a non-OAuth security requirement takes an empty array")
				}
			}
		}
	}
	check(s.doc["security"], "/security")
	for _, op := range s.ops {
		check(op.op["security"], ptr(op.ptr, "security"))
	}
}

// knownExtensions are the x-ms-* keys the platform knows (repo schema and
// the corpus), for catching typos such as x-ms-visibilty.
var knownExtensions = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`x-ms-capabilities x-ms-connector-metadata x-ms-docs x-ms-api-annotation
		x-ms-deployment-version x-ms-notification-content x-ms-no-generic-test x-ms-operation-context
		x-ms-pageable x-ms-safe-operation x-ms-summary x-ms-trigger x-ms-trigger-hint x-ms-trigger-metadata
		x-ms-notification x-ms-visibility x-ms-openai-data x-ms-dynamic-list x-ms-dynamic-values
		x-ms-dynamic-tree x-ms-dynamic-schema x-ms-dynamic-properties x-ms-enum-values
		x-ms-localizeDefaultValue x-ms-test-value x-ms-trigger-value x-ms-url-encoding
		x-ms-notification-url x-ms-media-kind x-ms-editor x-ms-editor-options x-ms-enum
		x-ms-property-name-alias x-ms-dynamic-list x-ms-trigger-value x-ms-sort x-ms-permission
		x-ms-connection-required x-ms-visibility x-ms-apimTemplate-operationName x-ms-apimTemplateParameter
		x-ms-is-trigger x-ms-dynamic-schema x-ms-headers x-ms-keyType x-ms-keyOrder x-ms-api-annotation
		x-ms-explicit-input x-ms-content-hint x-ms-openai-manifest x-ms-openai-data x-ms-multi-language
		x-ms-retry x-ms-connector-name x-ms-contact x-ms-description x-ms-name
		x-ms-identifiers x-ms-client-name x-ms-discriminator-value x-ms-mutability x-ms-parameter-location
		x-ms-long-running-operation x-ms-long-running-operation-options x-ms-examples x-ms-azure-resource
		x-ms-client-flatten x-ms-secret x-ms-parameterized-host x-ms-skip-url-encoding x-ms-error-response
		x-ms-external x-ms-odata x-ms-paths x-ms-client-default x-ms-header-collection-prefix
		x-ms-parameter-grouping x-ms-code-generation-settings x-ms-nullable x-ms-dynamic-tree`) {
		knownExtensions[k] = true
	}
}

// nameMaps are the keys whose object values map names (of properties,
// headers, paths ...) rather than keywords.
var nameMaps = map[string]bool{"properties": true, "headers": true, "definitions": true, "parameters": true, "responses": true, "paths": true, "securityDefinitions": true, "patternProperties": true}

// checkExtensions reports unknown x-ms-* keys (typos are silently ignored
// by the platform, and so is what the author meant).
func (c *checker) checkExtensions(s *swagger) {
	seen := map[string]bool{}
	var walk func(v any, p string, depth int, names bool)
	walk = func(v any, p string, depth int, names bool) {
		if depth > 128 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(t) {
				kp := ptr(p, k)
				if !names && strings.HasPrefix(strings.ToLower(k), "x-ms-") && !knownExtensions[k] && !seen[k] {
					seen[k] = true // one finding per key is enough
					c.add("extension.unknown", s.file, kp, "unknown extension %s (a typo?); the platform ignores it", k)
				}
				if !names && (k == "example" || k == "x-ms-test-value" || k == "default" || k == "examples") {
					continue
				}
				walk(t[k], kp, depth+1, !names && nameMaps[k])
			}
		case []any:
			for i, e := range t {
				walk(e, ptr(p, i), depth+1, false)
			}
		}
	}
	walk(s.doc, "", 0, false)
}
