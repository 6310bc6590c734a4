// SPDX-License-Identifier: Apache-2.0

package certify

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/internal/jsonc"
	"github.com/junction-run/junction/connector/openapi"
	"github.com/junction-run/junction/connector/postman"
)

// maxSwaggerSize is the size above which a swagger file is too large (F2).
const maxSwaggerSize = 1 << 20

// Check checks the connector at path: a Power Platform connector folder
// (apiDefinition.swagger.json + apiProperties.json), a single OpenAPI
// document, or a Postman collection. Problems of the definition, including
// files that cannot be parsed, are findings; the error is for a path that
// cannot be read at all.
func Check(path string, profile Profile) (Report, error) {
	if profile != Platform && profile != Certification {
		return Report{}, fmt.Errorf("checking %s: unknown profile %q", path, profile)
	}
	info, err := os.Stat(path)
	if err != nil {
		return Report{}, fmt.Errorf("checking connector: %w", err)
	}
	c := &checker{profile: profile}
	if !info.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return Report{}, fmt.Errorf("checking connector: %w", err)
		}
		if postman.IsCollection(data) {
			c.checkPostman(data, path)
			return c.report(), nil
		}
	}
	raw, err := openapi.LoadRaw(path)
	var se *connector.SyntaxError
	switch {
	case errors.As(err, &se):
		c.add("json.syntax", se.File, "", "%s", syntaxMessage(se))
	case err != nil && raw == nil:
		if info.IsDir() && strings.Contains(err.Error(), "has no") {
			c.add("file.swagger.missing", filepath.Join(path, openapi.SwaggerFileName), "", "the connector folder has no %s", openapi.SwaggerFileName)
			return c.report(), nil
		}
		return Report{}, fmt.Errorf("checking connector: %w", err)
	case err != nil:
		return Report{}, fmt.Errorf("checking connector: %w", err)
	}
	if raw == nil {
		return c.report(), nil
	}
	c.checkRaw(raw)
	return c.report(), nil
}

// CheckRaw runs every rule over documents already read by
// [openapi.LoadRaw].
func CheckRaw(raw *openapi.Raw, profile Profile) Report {
	c := &checker{profile: profile}
	c.checkRaw(raw)
	return c.report()
}

func (c *checker) checkRaw(raw *openapi.Raw) {
	for _, w := range raw.Warnings {
		file := w.File
		if file == "" {
			file = raw.SwaggerFile
		}
		msg := w.Message
		if w.Line > 0 {
			msg = fmt.Sprintf("line %d, column %d: %s", w.Line, w.Column, msg)
		}
		c.add("json.strict", file, w.Pointer, "%s", msg)
	}
	c.checkFiles(raw)
	var doc, props map[string]any
	if raw.Swagger != nil {
		if v, err := decode(raw.Swagger); err == nil {
			doc = obj(v)
			if doc == nil {
				c.add("json.syntax", raw.SwaggerFile, "", "the document is not a JSON object")
			}
		} else {
			c.add("json.syntax", raw.SwaggerFile, "", "%v", err)
		}
	}
	if raw.Properties != nil {
		if v, err := decode(raw.Properties); err == nil {
			props = obj(v)
			if props == nil {
				c.add("properties.root", raw.PropertiesFile, "", "apiProperties.json is not a JSON object")
			}
		}
	}
	var s *swagger
	if doc != nil {
		s = newSwagger(doc, raw.SwaggerFile)
		c.checkSwagger(s)
	}
	if props != nil {
		c.checkProperties(props, raw.PropertiesFile, s)
	}
}

func syntaxMessage(se *connector.SyntaxError) string {
	if se.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", se.Line, se.Column, se.Msg)
	}
	return se.Msg
}

// checkFiles applies the file-level rules: names, presence, size.
func (c *checker) checkFiles(raw *openapi.Raw) {
	if raw.Dir == "" {
		return
	}
	if base := filepath.Base(raw.SwaggerFile); base != openapi.SwaggerFileName {
		c.add("file.name", raw.SwaggerFile, "", "the swagger file is named %s; name it exactly %s", base, openapi.SwaggerFileName)
	}
	if raw.PropertiesFile == "" {
		c.add("file.properties.missing", filepath.Join(raw.Dir, openapi.PropertiesFileName), "", "the connector folder has no %s (brand colour, connection parameters, publisher)", openapi.PropertiesFileName)
	} else if base := filepath.Base(raw.PropertiesFile); base != openapi.PropertiesFileName {
		c.add("file.name", raw.PropertiesFile, "", "the properties file is named %s; name it exactly %s", base, openapi.PropertiesFileName)
	}
	if fi, err := os.Stat(raw.SwaggerFile); err == nil && fi.Size() > maxSwaggerSize {
		c.add("file.size", raw.SwaggerFile, "", "the swagger file is %d KB; keep it under 1 MB (split the connector)", fi.Size()>>10)
	}
}

// checkPostman checks a Postman collection through its imported spec.
func (c *checker) checkPostman(data []byte, file string) {
	spec, warns, err := postman.Parse(data, file)
	var se *connector.SyntaxError
	if errors.As(err, &se) {
		c.add("json.syntax", file, "", "%s", syntaxMessage(se))
		return
	}
	if err != nil {
		c.add("json.syntax", file, "", "%v", err)
		return
	}
	for _, w := range warns {
		if w.Line > 0 {
			c.add("json.strict", file, w.Pointer, "line %d, column %d: %s", w.Line, w.Column, w.Message)
		}
	}
	c.checkSpec(spec, file, requestPointers(data))
}

// requestPointers lists the JSON pointers of a collection's requests in the
// order the importer turns them into operations (depth first), or nil when
// the collection cannot be decoded.
func requestPointers(data []byte) []string {
	std, _, err := jsonc.Standardize(data, "")
	if err != nil {
		return nil
	}
	v, err := decode(std)
	if err != nil {
		return nil
	}
	var out []string
	var walk func(items any, p string)
	walk = func(items any, p string) {
		for i, it := range arr(items) {
			m := obj(it)
			ip := ptr(p, "item", i)
			switch {
			case m == nil:
			case m["item"] != nil:
				walk(m["item"], ip)
			case m["request"] != nil:
				switch m["request"].(type) {
				case string, map[string]any:
					out = append(out, ip)
				}
			}
		}
	}
	walk(obj(v)["item"], "")
	return out
}

// checkSpec applies the rules that hold for any imported connector: title,
// description, operation summaries and descriptions, response schemas.
// ptrs are the operations' pointers into file, when known.
func (c *checker) checkSpec(spec *connector.Spec, file string, ptrs []string) {
	if spec.Title == "" {
		c.add("swagger.info.title", file, "/info/name", "the connector has no title")
	} else {
		c.checkTitle(spec.Title, file, "/info/name")
	}
	c.checkDescription(spec.Description, file, "/info/description")
	for i, op := range spec.Operations {
		p := ""
		if len(ptrs) == len(spec.Operations) {
			p = ptrs[i]
		}
		c.checkSummary(op.Summary, file, p, op.Visibility == connector.VisibilityInternal)
		if op.Description == "" {
			c.add("operation.description", file, p, "operation %s has no description", op.ID)
		}
		hasSchema := false
		success := false
		for _, r := range op.Responses {
			if strings.HasPrefix(r.Status, "2") {
				success = true
				if len(r.Schema) > 0 {
					hasSchema = true
				}
			}
		}
		switch {
		case len(op.Responses) == 0:
			c.add("operation.responses", file, p, "operation %s has no example response, so no response schema", op.ID)
		case !success:
			c.add("operation.responses.success", file, p, "operation %s has no 2xx example response", op.ID)
		case !hasSchema && op.Method != "DELETE":
			c.add("response.schema", file, p, "operation %s has no JSON example for its success response, so no response schema", op.ID)
		}
		for _, prm := range op.Parameters {
			if prm.Description == "" && prm.In != connector.InBody {
				c.add("parameter.description", file, p, "parameter %s of %s has no description", prm.Name, op.ID)
			}
		}
	}
}
