// SPDX-License-Identifier: Apache-2.0

package xmlconv

import "github.com/junction-run/junction/expr/value"

// propName is XmlNodeConverter.GetPropertyName.
func propName(n *node) string {
	switch n.kind {
	case kindAttr:
		if n.ns == nsJSON {
			return "$" + n.local
		}
		return "@" + fullName(n)
	case kindCDATA:
		return "#cdata-section"
	case kindComment:
		return "#comment"
	case kindPI:
		return "?" + n.local
	case kindDecl:
		return "?xml"
	case kindSigWS:
		return "#significant-whitespace"
	case kindText:
		return "#text"
	case kindWS:
		return "#whitespace"
	default:
		return fullName(n)
	}
}

func fullName(n *node) string {
	if n.prefix == "" {
		return DecodeXMLName(n.local)
	}
	return n.prefix + ":" + DecodeXMLName(n.local)
}

// isJSONArray reports whether an element carries json:Array="true", which
// makes Newtonsoft write it as an array even when it is alone.
func isJSONArray(n *node) bool {
	for _, a := range n.attrs {
		if a.ns == nsJSON && a.local == "Array" {
			return a.data == "true"
		}
	}
	return false
}

// skipAttr reports attributes Newtonsoft leaves out of the JSON.
func skipAttr(a *node) bool {
	return (a.ns == nsXMLNS && a.data == nsJSON) || (a.ns == nsJSON && a.local == "Array")
}

// groupChildren is SerializeGroupedNodes: children with the same property
// name become one array, placed where the first of them is.
func groupChildren(obj *value.Object, children []*node) {
	if len(children) == 0 {
		return
	}
	var order []string
	groups := make(map[string][]*node, len(children))
	for _, c := range children {
		name := propName(c)
		if _, ok := groups[name]; !ok {
			order = append(order, name)
		}
		groups[name] = append(groups[name], c)
	}
	for _, name := range order {
		g := groups[name]
		if len(g) == 1 && !(g[0].kind == kindElem && isJSONArray(g[0])) {
			// A comment is written as a JSON comment, which parsing drops.
			if g[0].kind != kindComment {
				obj.Set(name, nodeValue(g[0]))
			}
			continue
		}
		arr := make([]any, 0, len(g))
		for _, c := range g {
			// Without a property name Newtonsoft writes nothing for a
			// comment, so a group of comments is an empty array.
			if c.kind != kindComment {
				arr = append(arr, nodeValue(c))
			}
		}
		obj.Set(name, arr)
	}
}

// nodeValue is the JSON value SerializeNode writes for n.
func nodeValue(n *node) any {
	switch n.kind {
	case kindDoc:
		obj := value.NewObject(len(n.children))
		groupChildren(obj, n.children)
		return obj
	case kindElem:
		valueAttrs := false
		for _, a := range n.attrs {
			if !skipAttr(a) && a.ns != nsJSON {
				valueAttrs = true
				break
			}
		}
		if !valueAttrs && len(n.children) == 1 && n.children[0].kind == kindText {
			return n.children[0].data
		}
		if len(n.children) == 0 && len(n.attrs) == 0 {
			if n.empty {
				return nil
			}
			return ""
		}
		obj := value.NewObject(len(n.attrs) + len(n.children))
		for _, a := range n.attrs {
			if !skipAttr(a) {
				obj.Set(propName(a), a.data)
			}
		}
		groupChildren(obj, n.children)
		return obj
	case kindDecl:
		obj := value.NewObject(3)
		if n.version != "" {
			obj.Set("@version", n.version)
		}
		if n.encoding != "" {
			obj.Set("@encoding", n.encoding)
		}
		if n.standalone != "" {
			obj.Set("@standalone", n.standalone)
		}
		return obj
	default:
		return n.data
	}
}

// XMLToJSON converts an XML document to a JSON object the way
// JsonConvert.SerializeXmlNode does (see the package documentation). Keys
// follow document order. Values are strings, nil, []any and *value.Object
// only. Comments are dropped: Newtonsoft writes them as JSON comments,
// which the runtime's JSON parser skips.
func XMLToJSON(data []byte) (*value.Object, error) {
	doc, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	return nodeValue(doc).(*value.Object), nil
}
