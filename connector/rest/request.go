// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/policy"
)

// operation is an operation with its lazily compiled parameter schemas.
type operation struct {
	op      *connector.Operation
	once    sync.Once
	schemas []*paramSchema // parallel to op.Parameters
}

// prepare applies defaults, checks required and unknown parameters, coerces
// text values to their declared types and validates every value against
// its schema. It returns the parameter values and the body.
func (o *operation) prepare(in connector.Input) (map[string]any, any, error) {
	o.once.Do(o.compile)
	op := o.op
	params := make(map[string]any, len(op.Parameters))
	for k, v := range in.Parameters {
		if _, ok := op.Param(k); !ok {
			return nil, nil, connector.Errorf(connector.KindBadRequest, "operation %s has no parameter %q", op.ID, k)
		}
		params[k] = v
	}
	body := in.Body
	for i := range op.Parameters {
		prm := &op.Parameters[i]
		ps := o.schemas[i]
		if prm.In == connector.InBody {
			if body == nil {
				if v, ok := params[prm.Name]; ok && v != nil {
					body = v
				}
			}
			delete(params, prm.Name)
			if body == nil && prm.Default != nil {
				body = prm.Default
			}
			if body == nil {
				if prm.Required {
					return nil, nil, connector.Errorf(connector.KindBadRequest, "operation %s: missing required parameter %q (the body)", op.ID, prm.Name)
				}
				continue
			}
			if raw, ok := body.(json.RawMessage); ok {
				v, err := decodeJSON(raw)
				if err != nil {
					return nil, nil, connector.Errorf(connector.KindBadRequest, "operation %s: parameter %q: body is not valid JSON: %v", op.ID, prm.Name, err)
				}
				body = v
			}
			nb, err := ps.check(op.ID, prm, body)
			if err != nil {
				return nil, nil, err
			}
			body = nb
			continue
		}
		v, ok := params[prm.Name]
		if !ok || v == nil {
			if prm.Default == nil {
				if prm.Required || prm.In == connector.InPath {
					return nil, nil, connector.Errorf(connector.KindBadRequest, "operation %s: missing required parameter %q (in %s)", op.ID, prm.Name, prm.In)
				}
				delete(params, prm.Name)
				continue
			}
			v = prm.Default
		}
		v = ps.coerce(v, prm.CollectionFormat)
		nv, err := ps.check(op.ID, prm, v)
		if err != nil {
			return nil, nil, err
		}
		params[prm.Name] = nv
	}
	if body != nil && !hasBodyParam(op) {
		return nil, nil, connector.Errorf(connector.KindBadRequest, "operation %s takes no body", op.ID)
	}
	return params, body, nil
}

func hasBodyParam(op *connector.Operation) bool {
	for i := range op.Parameters {
		if op.Parameters[i].In == connector.InBody {
			return true
		}
	}
	return false
}

func hasFormData(op *connector.Operation) bool {
	for i := range op.Parameters {
		if op.Parameters[i].In == connector.InFormData {
			return true
		}
	}
	return false
}

func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// build makes the request for an operation from prepared values.
func (p *Provider) build(op *connector.Operation, params map[string]any, body any) (*policy.Request, error) {
	base := *p.base
	r := &policy.Request{
		Method: strings.ToUpper(op.Method),
		Base:   &base,
		Query:  url.Values{},
		Header: http.Header{},
	}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	path, err := substitutePath(op, params)
	if err != nil {
		return nil, err
	}
	r.Path = path
	form := url.Values{}
	var files []formFile
	for i := range op.Parameters {
		prm := &op.Parameters[i]
		v, ok := params[prm.Name]
		if !ok || v == nil {
			continue
		}
		switch prm.In {
		case connector.InQuery:
			addValues(r.Query, prm.Name, v, prm.CollectionFormat)
		case connector.InHeader:
			r.Header.Set(prm.Name, joinValues(v, prm.CollectionFormat))
		case connector.InCookie:
			r.Header.Add("Cookie", (&http.Cookie{Name: prm.Name, Value: joinValues(v, "csv")}).String())
		case connector.InFormData:
			if isFileParam(prm) {
				files = append(files, formFile{name: prm.Name, data: fileBytes(v)})
			} else {
				addValues(form, prm.Name, v, prm.CollectionFormat)
			}
		}
	}
	ct := contentType(op)
	switch {
	case hasFormData(op):
		if len(files) > 0 || strings.HasPrefix(ct, "multipart/") {
			raw, mct, err := multipartBody(form, files)
			if err != nil {
				return nil, connector.Errorf(connector.KindBadRequest, "operation %s: encoding the form: %v", op.ID, err)
			}
			r.Raw = raw
			r.Header.Set("Content-Type", mct)
		} else {
			r.Raw = []byte(form.Encode())
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	case body != nil:
		if isJSONType(ct) {
			switch b := body.(type) {
			case []byte:
				if v, err := decodeJSON(b); err == nil {
					r.Body = v
				} else {
					r.Raw = b
				}
			default:
				r.Body = body
			}
		} else {
			switch b := body.(type) {
			case string:
				r.Raw = []byte(b)
			case []byte:
				r.Raw = b
			default:
				raw, err := json.Marshal(b)
				if err != nil {
					return nil, connector.Errorf(connector.KindBadRequest, "operation %s: encoding the body: %v", op.ID, err)
				}
				r.Raw = raw
			}
		}
		if r.Header.Get("Content-Type") == "" { // a Content-Type header parameter wins
			r.Header.Set("Content-Type", ct)
		}
	}
	return r, nil
}

// contentType picks the request media type: JSON when the operation
// consumes it (or declares nothing), else the first declared type.
func contentType(op *connector.Operation) string {
	for _, c := range op.Consumes {
		if isJSONType(c) {
			return c
		}
	}
	if len(op.Consumes) > 0 && strings.TrimSpace(op.Consumes[0]) != "" {
		return op.Consumes[0]
	}
	return "application/json"
}

func isJSONType(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	return isJSON(strings.TrimSpace(mt))
}

// substitutePath replaces {name} in the operation path with escaped values:
// once for x-ms-url-encoding single (the default), twice for double.
func substitutePath(op *connector.Operation, params map[string]any) (string, error) {
	path := op.Path
	if !strings.Contains(path, "{") {
		return path, nil
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			b.WriteString(path)
			break
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			b.WriteString(path)
			break
		}
		b.WriteString(path[:i])
		name := path[i+1 : i+j]
		v, ok := params[name]
		if !ok || v == nil {
			return "", connector.Errorf(connector.KindBadRequest, "operation %s: missing required parameter %q (in path)", op.ID, name)
		}
		cf := ""
		double := false
		if prm, ok := op.Param(name); ok {
			cf = prm.CollectionFormat
			double = strings.EqualFold(prm.URLEncoding, "double")
		}
		s := url.PathEscape(joinValues(v, cf))
		if double {
			s = url.PathEscape(s)
		}
		b.WriteString(s)
		path = path[i+j+1:]
	}
	return b.String(), nil
}

// separator returns the delimiter of an OpenAPI 2 collectionFormat.
func separator(cf string) string {
	switch strings.ToLower(cf) {
	case "ssv":
		return " "
	case "tsv":
		return "\t"
	case "pipes":
		return "|"
	}
	return ","
}

// joinValues turns a value into text; arrays are joined per the format.
func joinValues(v any, cf string) string {
	if arr, ok := v.([]any); ok {
		parts := make([]string, len(arr))
		for i, e := range arr {
			parts[i] = policy.Stringify(e)
		}
		return strings.Join(parts, separator(cf))
	}
	return policy.Stringify(v)
}

// addValues adds a query or form value; "multi" arrays repeat the name.
func addValues(q url.Values, name string, v any, cf string) {
	if arr, ok := v.([]any); ok && strings.EqualFold(cf, "multi") {
		for _, e := range arr {
			q.Add(name, policy.Stringify(e))
		}
		return
	}
	q.Add(name, joinValues(v, cf))
}

type formFile struct {
	name string
	data []byte
}

func isFileParam(prm *connector.Param) bool {
	var s struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(prm.Schema, &s)
	return s.Type == "file"
}

func fileBytes(v any) []byte {
	switch b := v.(type) {
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	return []byte(policy.Stringify(v))
}

func multipartBody(form url.Values, files []formFile) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range form[k] {
			if err := w.WriteField(k, v); err != nil {
				return nil, "", err
			}
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.name, f.name)
		if err != nil {
			return nil, "", err
		}
		if _, err := fw.Write(f.data); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
