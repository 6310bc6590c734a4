// SPDX-License-Identifier: Apache-2.0

package postman

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/internal/jsonc"
)

// Schema versions of the collection format.
const (
	V20 = "2.0"
	V21 = "2.1"
)

// ErrNotCollection is returned (wrapped) when a JSON document is not a
// Postman collection of a supported version.
var ErrNotCollection = errors.New("not a Postman v2.0/v2.1 collection")

// Load reads the Postman collection at path and imports it.
func Load(path string) (*connector.Spec, []connector.Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading postman collection: %w", err)
	}
	return Parse(data, path)
}

// IsCollection reports whether data is a Postman collection: a JSON object
// (comments and other repairs allowed) with "info" and "item" members and no
// "swagger" or "openapi" member. It is for dispatching files between
// importers.
func IsCollection(data []byte) bool {
	std, _, err := jsonc.Standardize(data, "")
	if err != nil {
		return false
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(std, &doc) != nil {
		return false
	}
	_, info := doc["info"]
	_, item := doc["item"]
	_, swagger := doc["swagger"]
	_, openapi := doc["openapi"]
	return info && item && !swagger && !openapi
}

// Parse imports a Postman collection from data; file names it in warnings
// and errors. Unreadable JSON returns a *connector.SyntaxError; a JSON
// document that is not a v2.x collection returns an error wrapping
// [ErrNotCollection].
func Parse(data []byte, file string) (*connector.Spec, []connector.Warning, error) {
	std, warns, err := jsonc.Standardize(data, file)
	if err != nil {
		return nil, warns, err
	}
	dec := json.NewDecoder(bytes.NewReader(std))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		line, col := 1, 1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col = jsonc.Position(std, int(se.Offset))
		}
		return nil, warns, &connector.SyntaxError{File: file, Line: line, Column: col, Msg: "invalid JSON: " + err.Error()}
	}
	doc, ok := root.(map[string]any)
	if !ok {
		return nil, warns, fmt.Errorf("%s: %w: the document is not a JSON object", file, ErrNotCollection)
	}
	version, err := detectVersion(doc)
	if err != nil {
		return nil, warns, fmt.Errorf("%s: %w", file, err)
	}
	im := newImporter(file, version)
	im.warns = warns
	spec := im.run(doc)
	return spec, im.warns, nil
}

func detectVersion(doc map[string]any) (string, error) {
	info := obj(doc["info"])
	schema := str(info["schema"])
	switch {
	case strings.Contains(schema, "v2.1"):
		return V21, nil
	case strings.Contains(schema, "v2.0"):
		return V20, nil
	case strings.Contains(schema, "v1"):
		return "", fmt.Errorf("%w: collection format v1 (%s); export it again as v2.1", ErrNotCollection, schema)
	case doc["requests"] != nil && doc["item"] == nil:
		return "", fmt.Errorf("%w: collection format v1; export it again as v2.1", ErrNotCollection)
	case info == nil || (doc["item"] == nil && schema == ""):
		return "", fmt.Errorf("%w: no info and item members", ErrNotCollection)
	}
	// No schema URL: tell v2.0 from v2.1 by the auth representation.
	if v2, ok := authShape(doc); ok {
		return v2, nil
	}
	return V21, nil
}

// authShape finds the first auth block and says which version its shape is.
func authShape(v any) (string, bool) {
	switch t := v.(type) {
	case map[string]any:
		if a := obj(t["auth"]); a != nil {
			typ := str(a["type"])
			switch a[typ].(type) {
			case []any:
				return V21, true
			case map[string]any:
				return V20, true
			}
		}
		for _, it := range arr(t["item"]) {
			if s, ok := authShape(it); ok {
				return s, true
			}
		}
		if r := obj(t["request"]); r != nil {
			return authShape(r)
		}
	}
	return "", false
}

// variable is a collection (or folder) variable.
type variable struct {
	name        string
	value       any
	typ         string
	description string
	declared    bool
	// usedAuth and usedOther record where it is referenced.
	usedAuth, usedOther, usedPath bool
}

type importer struct {
	file    string
	version string
	warns   []connector.Warning
	spec    *connector.Spec

	vars     map[string]*variable
	varOrder []string

	ids map[string]bool

	// bases counts the base URL templates (scheme + host as written) used
	// by requests, to pick the connector's base URL.
	bases     map[string]int
	baseOrder []string
	opBase    [][2]string // per operation, its base template and item pointer

	auths      map[string]string // auth signature -> auth name
	authParams []connector.ConnectionParameter
	policies   map[string]int // policy key -> index in spec.Policies
	tags       map[string]bool
}

func newImporter(file, version string) *importer {
	return &importer{
		file:     file,
		version:  version,
		vars:     map[string]*variable{},
		ids:      map[string]bool{},
		bases:    map[string]int{},
		auths:    map[string]string{},
		policies: map[string]int{},
		tags:     map[string]bool{},
	}
}

func (im *importer) warn(ptr, format string, args ...any) {
	im.warns = append(im.warns, connector.Warning{File: im.file, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func (im *importer) run(doc map[string]any) *connector.Spec {
	info := obj(doc["info"])
	name := strings.TrimSpace(str(info["name"]))
	if name == "" {
		name = "Postman collection"
		im.warn("/info/name", "collection has no name; using %q", name)
	}
	im.spec = &connector.Spec{
		ID:           connector.SanitizeID(name),
		Title:        name,
		Description:  description(info["description"]),
		Version:      version(info["version"]),
		Capabilities: []string{"actions"},
		Operations:   []connector.Operation{},
	}
	im.declareVars(doc["variable"], "/variable")
	im.events(doc, "")
	var root *authDef
	if a, ok := im.parseAuth(doc["auth"], "/auth"); ok {
		root = a
	}
	for i, it := range arr(doc["item"]) {
		im.item(it, fmt.Sprintf("/item/%d", i), nil, root)
	}
	if len(im.spec.Operations) == 0 {
		im.warn("/item", "collection has no requests")
	}
	im.finishBase()
	im.finishParams()
	im.finishPolicies()
	return im.spec
}

// events warns about scripts, which the importer cannot run.
func (im *importer) events(m map[string]any, ptr string) {
	for i, e := range arr(m["event"]) {
		eo := obj(e)
		script := obj(eo["script"])
		if len(arr(script["exec"])) == 0 && str(script["exec"]) == "" {
			continue
		}
		im.warn(fmt.Sprintf("%s/event/%d", ptr, i), "%s script skipped: scripts are not run by the connector", orDefault(str(eo["listen"]), "event"))
	}
}

func (im *importer) declareVars(v any, ptr string) {
	for i, e := range arr(v) {
		m := obj(e)
		name := str(m["key"])
		if name == "" {
			name = str(m["id"])
		}
		p := fmt.Sprintf("%s/%d", ptr, i)
		if name == "" {
			im.warn(p, "variable without a key skipped")
			continue
		}
		if b, _ := m["disabled"].(bool); b {
			im.warn(p, "disabled variable %q skipped", name)
			continue
		}
		if old, ok := im.vars[name]; ok && old.declared {
			im.warn(p, "variable %q declared again; the later value wins", name)
			old.value, old.typ, old.description = m["value"], str(m["type"]), description(m["description"])
			continue
		}
		vr := im.variable(name)
		vr.declared = true
		vr.value = m["value"]
		vr.typ = str(m["type"])
		vr.description = description(m["description"])
	}
}

// variable returns the variable named name, creating an undeclared one.
func (im *importer) variable(name string) *variable {
	if v, ok := im.vars[name]; ok {
		return v
	}
	v := &variable{name: name}
	im.vars[name] = v
	im.varOrder = append(im.varOrder, name)
	return v
}

// item imports a folder or a request.
func (im *importer) item(v any, ptr string, folders []string, auth *authDef) {
	m := obj(v)
	if m == nil {
		im.warn(ptr, "item is not an object; skipped")
		return
	}
	if a, ok := im.parseAuth(m["auth"], ptr+"/auth"); ok {
		auth = a
	}
	im.events(m, ptr)
	if _, isFolder := m["item"]; isFolder {
		name := strings.TrimSpace(str(m["name"]))
		if name == "" {
			name = "Folder " + strconv.Itoa(len(im.tags)+1)
		}
		im.declareVars(m["variable"], ptr+"/variable")
		path := append(append([]string(nil), folders...), name)
		tag := strings.Join(path, " / ")
		if !im.tags[tag] {
			im.tags[tag] = true
			im.spec.Tags = append(im.spec.Tags, connector.Tag{Name: tag, Description: description(m["description"])})
		}
		for i, it := range arr(m["item"]) {
			im.item(it, fmt.Sprintf("%s/item/%d", ptr, i), path, auth)
		}
		return
	}
	if _, ok := m["request"]; !ok {
		im.warn(ptr, "item is neither a folder nor a request; skipped")
		return
	}
	im.request(m, ptr, folders, auth)
}

// description reads a description: a string or {content, type}.
func description(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		return strings.TrimSpace(str(t["content"]))
	}
	return ""
}

func version(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case map[string]any:
		if t["major"] == nil {
			return ""
		}
		s := fmt.Sprintf("%v.%v.%v", t["major"], orZero(t["minor"]), orZero(t["patch"]))
		if id := str(t["identifier"]); id != "" {
			s += "-" + id
		}
		return s
	}
	return ""
}

func orZero(v any) any {
	if v == nil {
		return 0
	}
	return v
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

// str returns v as text: strings as they are, numbers and booleans
// formatted, anything else "".
func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// finishParams adds the connection parameters: auth ones first, then the
// variables used by requests, in declaration order.
func (im *importer) finishParams() {
	params := append([]connector.ConnectionParameter(nil), im.authParams...)
	taken := map[string]bool{}
	for _, p := range params {
		taken[p.Name] = true
	}
	for _, name := range im.varOrder {
		v := im.vars[name]
		switch {
		case v.usedOther:
		case v.usedAuth || v.usedPath:
			continue // replaced by the auth parameter / a path parameter
		case v.declared:
			im.warn("/variable", "variable %q is not used by any request; skipped", name)
			continue
		default:
			continue
		}
		pname := paramName(name)
		if taken[pname] {
			continue
		}
		taken[pname] = true
		cp := connector.ConnectionParameter{
			Name:        pname,
			Type:        connector.TypeString,
			Required:    true,
			DisplayName: humanize(name),
			Description: v.description,
		}
		if !v.declared {
			im.warn("", "variable %q is used but not declared in the collection (an environment variable?); it becomes a connection parameter", name)
		}
		switch {
		case v.typ == "secret" || looksSecret(name):
			cp.Type = connector.TypeSecureString
		case v.typ == "boolean":
			cp.Type = connector.TypeBool
			cp.Default = v.value
		case v.typ == "number":
			if n, ok := v.value.(json.Number); ok {
				if i, err := n.Int64(); err == nil {
					cp.Type = connector.TypeInt
					cp.Default = i
					break
				}
			}
			cp.Default = str(v.value)
		default:
			if s := str(v.value); s != "" {
				cp.Default = s
			}
		}
		if cp.Description == "" {
			cp.Description = "Value of the collection variable " + name + "."
		}
		params = append(params, cp)
	}
	im.spec.ConnectionParameters = params
}

func looksSecret(name string) bool {
	l := strings.ToLower(name)
	for _, w := range []string{"secret", "password", "token", "apikey", "api_key", "api-key"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// paramName makes a valid connection parameter name (^[0-9a-zA-Z_]+$).
func paramName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "value"
	}
	return b.String()
}

// humanize turns baseUrl, api_key or tenant-id into "Base URL", "API Key",
// "Tenant ID".
func humanize(s string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = nil
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == ' ' || r == '.':
			flush()
		case r >= 'A' && r <= 'Z' && i > 0 && (rs[i-1] >= 'a' && rs[i-1] <= 'z' || i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	for i, w := range words {
		switch lw := strings.ToLower(w); lw {
		case "url", "id", "api", "uri", "ip", "oauth":
			if lw == "oauth" {
				words[i] = "OAuth"
			} else {
				words[i] = strings.ToUpper(lw)
			}
		default:
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// finishPolicies clears the operation scope of policies that apply to every
// operation and sorts nothing: policies keep discovery order.
func (im *importer) finishPolicies() {
	n := len(im.spec.Operations)
	for i := range im.spec.Policies {
		p := &im.spec.Policies[i]
		if len(p.Operations) == n && n > 0 && p.TemplateID != "dynamichosturl" {
			p.Operations = nil
		}
		sort.Strings(p.Operations)
	}
}

// addPolicy adds opID to the policy identified by key, creating it.
func (im *importer) addPolicy(key string, p connector.PolicyInstance, opID string) {
	if i, ok := im.policies[key]; ok {
		q := &im.spec.Policies[i]
		for _, id := range q.Operations {
			if id == opID {
				return
			}
		}
		q.Operations = append(q.Operations, opID)
		return
	}
	if opID != "" {
		p.Operations = []string{opID}
	}
	im.policies[key] = len(im.spec.Policies)
	im.spec.Policies = append(im.spec.Policies, p)
}
