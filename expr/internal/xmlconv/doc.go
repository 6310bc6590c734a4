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
//     written <a/> becomes null while <a></a> becomes "". Names are decoded
//     with [DecodeXMLName]. Comments are left out: Newtonsoft writes them as
//     JSON comments, which the runtime's JSON reader skips.
//   - [JSONToXML] (xml(object)): the inverse, for an object with a single
//     root property; names are encoded with [EncodeXMLName].
//   - [XPath] (xpath(xml, query)): XPath 1.0 through github.com/antchfx/xpath
//     on this package's own document model, so that namespaces, CDATA and
//     the serialization of result nodes follow .NET.
//   - [Normalize] and [Parse] (xml(text)): the document as XmlDocument
//     writes it back, and a well-formedness check.
//
// All entry points parse with encoding/xml in strict mode, without DTD
// processing: a document type declaration is an error. Known differences
// from the runtime: attribute values that mix character references with
// literal line breaks are not whitespace-normalized, processing
// instructions are invisible to XPath, and a few name characters
// that XML 1.0 fifth edition allows but encoding/xml does not (such as CJK
// Extension A) are rejected when parsing and escaped by [EncodeXMLName].
package xmlconv
