// SPDX-License-Identifier: Apache-2.0

package certify

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// swagger is a decoded swagger document with its operations listed.
type swagger struct {
	doc  map[string]any
	file string
	ops  []*operation
	// opIDs maps operationId to its operations (more than one is an error).
	opIDs map[string][]*operation
}

// operation is one operation of the document.
type operation struct {
	path, method string
	op           map[string]any
	pathItem     map[string]any
	ptr          string
	id           string
	// params are the effective parameters (path-level ones merged), with
	// $ref resolved; ptrs are their pointers.
	params []map[string]any
	ptrs   []string
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch"}

func newSwagger(doc map[string]any, file string) *swagger {
	s := &swagger{doc: doc, file: file, opIDs: map[string][]*operation{}}
	paths := obj(doc["paths"])
	for _, path := range sortedKeys(paths) {
		item := obj(paths[path])
		for _, m := range methods {
			o := obj(item[m])
			if o == nil {
				continue
			}
			op := &operation{path: path, method: m, op: o, pathItem: item, ptr: ptr("/paths", path, m), id: str(o["operationId"])}
			seen := map[string]bool{}
			for i, p := range arr(o["parameters"]) {
				rp := s.resolve(p)
				seen[str(rp["in"])+"\x00"+str(rp["name"])] = true
				op.params = append(op.params, rp)
				op.ptrs = append(op.ptrs, ptr(op.ptr, "parameters", i))
			}
			for i, p := range arr(item["parameters"]) {
				rp := s.resolve(p)
				if seen[str(rp["in"])+"\x00"+str(rp["name"])] {
					continue
				}
				op.params = append(op.params, rp)
				op.ptrs = append(op.ptrs, ptr("/paths", path, "parameters", i))
			}
			s.ops = append(s.ops, op)
			if op.id != "" {
				s.opIDs[op.id] = append(s.opIDs[op.id], op)
			}
		}
	}
	return s
}

// resolve follows a local $ref (one level per hop, at most 8 hops).
func (s *swagger) resolve(v any) map[string]any {
	m := obj(v)
	for i := 0; i < 8 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		target, ok := s.lookup(ref)
		if !ok {
			return m
		}
		m = obj(target)
	}
	return m
}

// lookup resolves a local JSON pointer reference "#/a/b".
func (s *swagger) lookup(ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = s.doc
	for _, seg := range strings.Split(ref[2:], "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		m := obj(cur)
		if m == nil {
			return nil, false
		}
		next, ok := m[seg]
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

func (o *operation) visibility() string { return str(o.op["x-ms-visibility"]) }
func (o *operation) internal() bool     { return o.visibility() == "internal" }
func (o *operation) trigger() string    { return str(o.op["x-ms-trigger"]) }
func (o *operation) deprecated() bool   { return isTrue(o.op["deprecated"]) }

// webhook reports whether the operation subscribes a callback URL.
func (o *operation) webhook(s *swagger) bool {
	for _, p := range o.params {
		if str(p["in"]) == "body" && hasNotificationURL(s, p["schema"], 0) {
			return true
		}
	}
	return false
}

func hasNotificationURL(s *swagger, v any, depth int) bool {
	m := s.resolve(v)
	if m == nil || depth > 8 {
		return false
	}
	if isTrue(m["x-ms-notification-url"]) {
		return true
	}
	props := obj(m["properties"])
	for _, k := range sortedKeys(props) {
		if hasNotificationURL(s, props[k], depth+1) {
			return true
		}
	}
	return false
}

var (
	restrictedTitleWords = regexp.MustCompile(`(?i)\b(api|connector|power ?apps|power ?automate|logic ?apps|microsoft flow|power ?platform|power ?bi)\b`)
	restrictedDescWords  = regexp.MustCompile(`(?i)\b(power ?apps|power ?automate|logic ?apps|microsoft flow|power ?platform)\b`)
	endsAlnum            = regexp.MustCompile(`[\p{L}\p{N})]$`)
	knownCategories      = map[string]bool{
		"ai": true, "business management": true, "business intelligence": true, "collaboration": true,
		"commerce": true, "communication": true, "content and files": true, "finance": true, "data": true,
		"human resources": true, "internet of things": true, "it operations": true,
		"lifestyle and entertainment": true, "marketing": true, "productivity": true, "sales and crm": true,
		"security": true, "social media": true, "website": true,
	}
)

func (c *checker) checkTitle(title, file, p string) {
	if n := len([]rune(title)); n > 30 {
		c.add("swagger.info.title.length", file, p, "the title %q is %d characters long; at most 30 are allowed", title, n)
	}
	if !endsAlnum.MatchString(title) {
		c.add("swagger.info.title.end", file, p, "the title %q must end with a letter, a digit or a closing parenthesis", title)
	}
	if w := restrictedTitleWords.FindString(title); w != "" {
		c.add("swagger.info.title.words", file, p, "the title %q contains the restricted word %q", title, w)
	}
}

func (c *checker) checkDescription(desc, file, p string) {
	if strings.TrimSpace(desc) == "" {
		c.add("swagger.info.description", file, p, "the connector has no description")
		return
	}
	if n := len([]rune(desc)); n < 30 || n > 500 {
		c.add("swagger.info.description.length", file, p, "the description is %d characters long; it must be 30 to 500", n)
	}
	if w := restrictedDescWords.FindString(desc); w != "" {
		c.add("swagger.info.description.words", file, p, "the description names the product %q", w)
	}
}

// checkSwagger runs the swagger rules.
func (c *checker) checkSwagger(s *swagger) {
	f, doc := s.file, s.doc
	if v, ok := doc["openapi"]; ok {
		c.add("swagger.version", f, "/openapi", "OpenAPI %v is not accepted: a connector must be Swagger 2.0", v)
		return
	}
	if v := str(doc["swagger"]); v != "2.0" {
		c.add("swagger.version", f, "/swagger", "swagger must be \"2.0\", not %q", v)
	}
	c.checkInfo(s)
	c.checkHost(s)
	c.checkOperations(s)
	c.checkSchemas(s)
	c.checkSecurity(s)
	c.checkExtensions(s)
}

func (c *checker) checkInfo(s *swagger) {
	f := s.file
	info := obj(s.doc["info"])
	if info == nil {
		c.add("swagger.info.title", f, "/info", "the document has no info object")
		return
	}
	if title := str(info["title"]); strings.TrimSpace(title) == "" {
		c.add("swagger.info.title", f, "/info", "info.title is required")
	} else {
		c.checkTitle(title, f, "/info/title")
	}
	c.checkDescription(str(info["description"]), f, "/info/description")
	contact := obj(info["contact"])
	if contact == nil {
		c.add("swagger.info.contact", f, "/info", "the 'contact' property is required (name, url, email)")
	} else {
		var missing []string
		for _, k := range []string{"name", "url", "email"} {
			if strings.TrimSpace(str(contact[k])) == "" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			c.add("swagger.info.contact.fields", f, "/info/contact", "contact lacks %s", strings.Join(missing, ", "))
		}
		if e := str(contact["email"]); e != "" {
			if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
				c.add("swagger.info.contact.email", f, "/info/contact/email", "%q is not a valid e-mail address", e)
			}
		}
		if u := str(contact["url"]); u != "" {
			c.checkURL(f, "/info/contact/url", u)
		}
	}
	if ann := obj(info["x-ms-api-annotation"]); ann != nil {
		if st := str(ann["status"]); st != "" && st != "Preview" && st != "Production" {
			c.add("swagger.status", f, "/info/x-ms-api-annotation/status", "status must be Preview or Production, not %q", st)
		}
	}
	meta, ok := s.doc["x-ms-connector-metadata"]
	if !ok {
		c.add("swagger.metadata", f, "", "x-ms-connector-metadata (Website, Privacy policy, Categories) is required")
		return
	}
	entries := arr(meta)
	found := map[string]bool{}
	for i, e := range entries {
		m := obj(e)
		name, val := str(m["propertyName"]), str(m["propertyValue"])
		p := ptr("/x-ms-connector-metadata", i)
		found[strings.ToLower(name)] = true
		switch strings.ToLower(name) {
		case "website", "privacy policy":
			c.checkURL(f, p+"/propertyValue", val)
		case "categories":
			cats := strings.Split(val, ";")
			if len(cats) > 2 {
				c.add("swagger.metadata.categories", f, p+"/propertyValue", "%d categories; at most 2 are allowed", len(cats))
			}
			for _, cat := range cats {
				if !knownCategories[strings.ToLower(strings.TrimSpace(cat))] {
					c.add("swagger.metadata.categories", f, p+"/propertyValue", "%q is not a known category", strings.TrimSpace(cat))
				}
			}
		}
	}
	var missing []string
	for _, k := range []string{"Website", "Privacy policy", "Categories"} {
		if !found[strings.ToLower(k)] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		c.add("swagger.metadata", f, "/x-ms-connector-metadata", "x-ms-connector-metadata lacks %s", strings.Join(missing, ", "))
	}
}

func (c *checker) checkURL(f, p, u string) {
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil || !pu.IsAbs() || pu.Host == "" {
		c.add("swagger.url", f, p, "%q is not an absolute URL", u)
	}
}

var hostRE = regexp.MustCompile(`^[A-Za-z0-9\-._~%!$&'()*+,;=\[\]:@{}]+(:\d+)?$`)

func (c *checker) checkHost(s *swagger) {
	f := s.file
	if h, ok := s.doc["host"]; ok {
		host := str(h)
		switch {
		case strings.Contains(host, "://"), strings.Contains(host, "/"), host == "" || !hostRE.MatchString(host):
			c.add("swagger.host", f, "/host", "host %q must be a bare host name with an optional port: no scheme, no path", host)
		default:
			l := strings.ToLower(host)
			if strings.HasPrefix(l, "localhost") || strings.HasPrefix(l, "127.") || strings.Contains(l, "staging") || strings.HasPrefix(l, "dev.") || strings.HasPrefix(l, "test.") {
				c.add("swagger.host.production", f, "/host", "host %q looks like a development host; certified connectors use the production host", host)
			}
		}
	}
	if bp, ok := s.doc["basePath"]; ok && !strings.HasPrefix(str(bp), "/") {
		c.add("swagger.base_path", f, "/basePath", "basePath %q must start with /", str(bp))
	}
	if sc, ok := s.doc["schemes"]; ok {
		list := arr(sc)
		if len(list) == 0 {
			c.add("swagger.schemes", f, "/schemes", "schemes must not be empty")
		}
		https := false
		for i, v := range list {
			switch str(v) {
			case "https":
				https = true
			case "http":
			default:
				c.add("swagger.schemes", f, ptr("/schemes", i), "scheme %q is not supported: use http or https", str(v))
			}
		}
		if len(list) > 0 && !https {
			c.add("swagger.schemes.http_only", f, "/schemes", "the connector only speaks http; use https")
		}
	}
}

// mediaTypeRE matches a MIME type with optional parameters.
var mediaTypeRE = regexp.MustCompile(`^[A-Za-z0-9!#$&^_.+\-*]+/[A-Za-z0-9!#$&^_.+\-*]+(\s*;.*)?$`)

func (c *checker) checkMediaTypes(f, p string, v any) {
	for i, m := range arr(v) {
		if !mediaTypeRE.MatchString(strings.TrimSpace(str(m))) {
			c.add("operation.consumes", f, ptr(p, i), "%q is not a valid MIME type", str(m))
		}
	}
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
