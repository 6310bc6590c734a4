// SPDX-License-Identifier: Apache-2.0

// Package xmlconv converts between XML and the expression value model with
// the semantics of the Logic Apps runtime, and evaluates XPath 1.0 queries.
//
// The runtime converts with Newtonsoft.Json's XmlNodeConverter
// (JsonConvert.SerializeXmlNode and DeserializeXmlNode) and evaluates XPath
// with .NET's XPathNavigator over an XmlDocument loaded without preserving
// insignificant whitespace. This package mirrors those rules:
//
//   - [XMLToJSON] (json(xml)): attributes become "@name" properties, the XML
//     declaration becomes "?xml", text is always a string, repeated sibling
//     elements are grouped into an array at the place of the first one,
//     mixed content uses "#text", CDATA "#cdata-section", and an element
//     written <a/> becomes null while <a></a> becomes "".
//   - [JSONToXML] (xml(object)): the inverse, for an object with a single
//     root property.
//   - [XPath] (xpath(xml, query)): XPath 1.0 through github.com/antchfx/xpath
//     on this package's own document model, so that namespaces, CDATA and
//     serialization of result nodes follow .NET.
//
// All entry points parse with encoding/xml in strict mode. Document type
// declarations are rejected, as the runtime does not process DTDs.
package xmlconv
