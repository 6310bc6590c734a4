// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/internal/jsonc"
)

// Power Platform file names; they match case-insensitively.
const (
	SwaggerFileName    = "apiDefinition.swagger.json"
	PropertiesFileName = "apiProperties.json"
)

// Raw is a connector definition as read from disk, before import: the
// documents as standard JSON (UTF-8, no comments, no trailing commas,
// duplicate keys resolved to the last member, YAML converted to JSON) and
// the warnings for what reading them repaired.
//
// It is the input of certification rules (connector/certify), which look
// at the documents themselves; [Raw.Import] turns it into a Spec.
type Raw struct {
	// Dir is the connector folder, "" when the definition is a single file.
	Dir string
	// SwaggerFile is the path of the OpenAPI document.
	SwaggerFile string
	// Swagger is the OpenAPI document as standard JSON.
	Swagger []byte
	// PropertiesFile is the path of apiProperties.json, "" when absent.
	PropertiesFile string
	// Properties is apiProperties.json as standard JSON, nil when absent.
	Properties []byte
	// Warnings are what reading the files repaired (BOM, comments ...).
	Warnings []connector.Warning
}

// LoadRaw reads a connector folder or a single OpenAPI document (JSON or
// YAML) and returns its documents as standard JSON.
//
// When a file cannot be read as a document at all, LoadRaw returns a
// *connector.SyntaxError together with a Raw holding whatever it could
// read (for a folder whose apiProperties.json is broken, the swagger), so
// a certification tool can still report on the rest.
func LoadRaw(path string) (*Raw, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("loading connector: %w", err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("loading connector: %w", err)
		}
		raw := &Raw{SwaggerFile: path}
		raw.Swagger, raw.Warnings, err = standardizeDoc(data, path)
		return raw, err
	}
	swaggerFile, propsFile, err := folderFiles(path)
	if err != nil {
		return nil, err
	}
	raw := &Raw{Dir: path, SwaggerFile: swaggerFile, PropertiesFile: propsFile}
	data, err := os.ReadFile(swaggerFile)
	if err != nil {
		return nil, fmt.Errorf("loading connector: %w", err)
	}
	var swaggerErr error
	raw.Swagger, raw.Warnings, swaggerErr = standardizeDoc(data, swaggerFile)
	if propsFile != "" {
		data, err := os.ReadFile(propsFile)
		if err != nil {
			return raw, fmt.Errorf("loading connector: %w", err)
		}
		props, warns, err := jsonc.Standardize(data, propsFile)
		raw.Warnings = append(raw.Warnings, warns...)
		raw.Properties = props
		if swaggerErr == nil && err != nil {
			return raw, err
		}
	}
	return raw, swaggerErr
}

// folderFiles finds the swagger and properties files of a connector folder,
// matching their names case-insensitively.
func folderFiles(dir string) (swagger, props string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", "", fmt.Errorf("loading connector: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		switch {
		case strings.EqualFold(e.Name(), SwaggerFileName):
			swagger = filepath.Join(dir, e.Name())
		case strings.EqualFold(e.Name(), PropertiesFileName):
			props = filepath.Join(dir, e.Name())
		}
	}
	if swagger == "" {
		return "", "", fmt.Errorf("loading connector: folder %s has no %s", dir, SwaggerFileName)
	}
	return swagger, props, nil
}

// Import turns the documents into a Spec. The Spec's id comes from the
// folder name, or, for a single file, from info.title (the file name when
// the document has no title).
func (r *Raw) Import() (*connector.Spec, []connector.Warning, error) {
	warns := append([]connector.Warning(nil), r.Warnings...)
	doc, err := decodeStd(r.Swagger, r.SwaggerFile)
	if err != nil {
		return nil, warns, err
	}
	if _, ok := doc.get("paths"); !ok && doc.str("swagger") == "" && doc.str("openapi") == "" {
		return nil, warns, fmt.Errorf("%s: not an OpenAPI document: no swagger, openapi or paths member", r.SwaggerFile)
	}
	var props *object
	if r.Properties != nil {
		props, err = decodeStd(r.Properties, r.PropertiesFile)
		if err != nil {
			return nil, warns, err
		}
	}
	spec, more := build(doc, r.SwaggerFile, props, r.PropertiesFile)
	warns = append(warns, more...)
	switch {
	case r.Dir != "":
		spec.ID = connector.SanitizeID(filepath.Base(filepath.Clean(r.Dir)))
	case spec.Title == "" && r.SwaggerFile != "":
		base := filepath.Base(r.SwaggerFile)
		spec.ID = connector.SanitizeID(strings.TrimSuffix(base, filepath.Ext(base)))
	}
	return spec, warns, nil
}

// Load imports a connector folder or a single OpenAPI document (JSON or
// YAML, any version this package reads).
func Load(path string) (*connector.Spec, []connector.Warning, error) {
	raw, err := LoadRaw(path)
	if err != nil {
		var warns []connector.Warning
		if raw != nil {
			warns = raw.Warnings
		}
		return nil, warns, err
	}
	return raw.Import()
}

// Parse imports one OpenAPI document, JSON or YAML. file names it in
// warnings and errors.
func Parse(data []byte, file string) (*connector.Spec, []connector.Warning, error) {
	std, warns, err := standardizeDoc(data, file)
	if err != nil {
		return nil, warns, err
	}
	return (&Raw{SwaggerFile: file, Swagger: std, Warnings: warns}).Import()
}

// ParseFolder imports the two documents of a Power Platform connector
// folder; props may be nil. The Spec's id comes from info.title, since
// there is no folder name.
func ParseFolder(swagger []byte, swaggerFile string, props []byte, propsFile string) (*connector.Spec, []connector.Warning, error) {
	std, warns, err := standardizeDoc(swagger, swaggerFile)
	if err != nil {
		return nil, warns, err
	}
	raw := &Raw{SwaggerFile: swaggerFile, Swagger: std, Warnings: warns, PropertiesFile: propsFile}
	if props != nil {
		p, pw, err := jsonc.Standardize(props, propsFile)
		raw.Warnings = append(raw.Warnings, pw...)
		if err != nil {
			return nil, raw.Warnings, err
		}
		raw.Properties = p
	}
	return raw.Import()
}

// standardizeDoc returns an OpenAPI document as standard JSON: JSON through
// the tolerant reader, anything else as YAML.
func standardizeDoc(data []byte, file string) ([]byte, []connector.Warning, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	if len(trimmed) == 0 {
		return nil, nil, &connector.SyntaxError{File: file, Line: 1, Column: 1, Msg: "empty document"}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return jsonc.Standardize(data, file)
	}
	return yamlToJSON(data, file)
}

// decodeStd decodes a standardized document, which must be an object.
func decodeStd(data []byte, file string) (*object, error) {
	v, err := decode(data)
	if err != nil {
		off := 0
		var oe *offsetError
		if errors.As(err, &oe) {
			off = oe.off
		}
		line, col := jsonc.Position(data, off)
		return nil, &connector.SyntaxError{File: file, Line: line, Column: col, Msg: "invalid JSON: " + err.Error()}
	}
	o, ok := v.(*object)
	if !ok {
		return nil, &connector.SyntaxError{File: file, Line: 1, Column: 1, Msg: errNotObject.Error()}
	}
	return o, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// maxAliasExpansions bounds YAML alias expansion (billion laughs).
const maxAliasExpansions = 10000

func yamlToJSON(data []byte, file string) ([]byte, []connector.Warning, error) {
	var warns []connector.Warning
	if bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		data = data[3:]
		warns = append(warns, connector.Warning{File: file, Message: "file starts with a UTF-8 byte order mark"})
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		col := 1
		if line == 0 {
			line = 1
		} else {
			col = firstColumn(data, line)
		}
		return nil, warns, &connector.SyntaxError{File: file, Line: line, Column: col, Msg: "invalid YAML: " + msg}
	}
	c := &yamlConv{file: file}
	v, err := c.value(&n, 0)
	if err != nil {
		return nil, warns, err
	}
	if _, ok := v.(*object); !ok {
		return nil, warns, &connector.SyntaxError{File: file, Line: 1, Column: 1, Msg: "document is not a mapping"}
	}
	return encode(v), warns, nil
}

// firstColumn is the column of the first non-blank character of a line.
func firstColumn(data []byte, line int) int {
	lines := bytes.Split(data, []byte{'\n'})
	if line-1 >= len(lines) {
		return 1
	}
	l := lines[line-1]
	return 1 + len(l) - len(bytes.TrimLeft(l, " "))
}

type yamlConv struct {
	file     string
	aliases  int
	visiting map[*yaml.Node]bool
}

func (c *yamlConv) fail(n *yaml.Node, format string, args ...any) error {
	return &connector.SyntaxError{File: c.file, Line: n.Line, Column: n.Column, Msg: "invalid YAML: " + fmt.Sprintf(format, args...)}
}

func (c *yamlConv) value(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, c.fail(n, "document nested too deeply")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, c.fail(n, "empty document")
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		c.aliases++
		if c.aliases > maxAliasExpansions || n.Alias == nil {
			return nil, c.fail(n, "too many alias expansions")
		}
		if c.visiting[n.Alias] {
			return nil, c.fail(n, "alias refers to itself")
		}
		if c.visiting == nil {
			c.visiting = map[*yaml.Node]bool{}
		}
		c.visiting[n.Alias] = true
		defer delete(c.visiting, n.Alias)
		return c.value(n.Alias, depth+1)
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case yaml.MappingNode:
		o := &object{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, c.fail(k, "mapping key is not a scalar")
			}
			val, err := c.value(v, depth+1)
			if err != nil {
				return nil, err
			}
			if k.Tag == "!!merge" {
				if m, ok := val.(*object); ok {
					for _, mb := range m.members {
						if _, dup := o.get(mb.key); !dup {
							o.members = append(o.members, mb)
						}
					}
					continue
				}
			}
			o.set(k.Value, val)
		}
		return o, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, c.fail(n, "unsupported YAML node")
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return jsonNumber(strconv.FormatInt(i, 10))
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !isInfOrNaN(f) {
			return jsonNumber(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.Value
}
