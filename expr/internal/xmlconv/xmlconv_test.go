// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/junction-run/junction/expr/value"
)

// mustDecode parses JSON into the value model, keeping key order.
func mustDecode(tb testing.TB, s string) any {
	tb.Helper()
	v, err := value.Decode([]byte(s))
	must.NoError(tb, err, "decoding %s", s)
	return v
}

// jsonText marshals a value with its key order, for exact comparisons.
func jsonText(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	must.NoError(tb, err)
	// value.Object escapes <, > and & for HTML; undo it for readability.
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}

var interTagSpace = regexp.MustCompile(`>\s+<`)

// squeeze removes insignificant whitespace between tags, as the corpus
// README asks for XML comparisons.
func squeeze(s string) string {
	return strings.TrimSpace(interTagSpace.ReplaceAllString(s, "><"))
}

func TestXMLToJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, xml, want string
	}{
		{"text element", `<name>Sophia Owen</name>`, `{"name":"Sophia Owen"}`},
		{"declaration first", `<?xml version="1.0" encoding="utf-8" standalone="yes"?><a>1</a>`,
			`{"?xml":{"@version":"1.0","@encoding":"utf-8","@standalone":"yes"},"a":"1"}`},
		{"numbers stay strings", `<a><n>1</n><b>true</b></a>`, `{"a":{"n":"1","b":"true"}}`},
		{"attributes", `<a id="1" x='y'><b>t</b></a>`, `{"a":{"@id":"1","@x":"y","b":"t"}}`},
		{"attribute and text", `<a id="1">t</a>`, `{"a":{"@id":"1","#text":"t"}}`},
		{"empty self-closing is null", `<a><b/></a>`, `{"a":{"b":null}}`},
		{"empty pair is empty string", `<a><b></b></a>`, `{"a":{"b":""}}`},
		{"whitespace only is empty string", "<a><b>  \n </b></a>", `{"a":{"b":""}}`},
		{"root empty", `<a/>`, `{"a":null}`},
		{"array", `<r><i>1</i><i>2</i><i>3</i></r>`, `{"r":{"i":["1","2","3"]}}`},
		{"array grouped at first place", `<r><i>1</i><j/><i>2</i></r>`, `{"r":{"i":["1","2"],"j":null}}`},
		{"array of objects", `<r><p id="1"><n>a</n></p><p id="2"><n>b</n></p></r>`,
			`{"r":{"p":[{"@id":"1","n":"a"},{"@id":"2","n":"b"}]}}`},
		{"mixed content", `<p>Hello <b>big</b> world</p>`, `{"p":{"#text":["Hello "," world"],"b":"big"}}`},
		{"cdata", `<a><![CDATA[<x> & y]]></a>`, `{"a":{"#cdata-section":"<x> & y"}}`},
		{"cdata and text", `<a>t<![CDATA[c]]></a>`, `{"a":{"#text":"t","#cdata-section":"c"}}`},
		{"comment dropped", `<a><!-- c --><b>1</b></a>`, `{"a":{"b":"1"}}`},
		{"only comment", `<a><!-- c --></a>`, `{"a":{}}`},
		{"two comments", `<a><!--1--><!--2--></a>`, `{"a":{"#comment":[]}}`},
		{"processing instruction", `<a><?pi some data?></a>`, `{"a":{"?pi":"some data"}}`},
		{"default namespace", `<file xmlns="https://contoso.com"><location>Paris</location></file>`,
			`{"file":{"@xmlns":"https://contoso.com","location":"Paris"}}`},
		{"prefixed namespace", `<p:a xmlns:p="urn:p" p:x="1"><p:b>t</p:b></p:a>`,
			`{"p:a":{"@xmlns:p":"urn:p","@p:x":"1","p:b":"t"}}`},
		{"entities decoded", `<a q="&quot;&lt;">&amp;&#65;&#x42;</a>`, `{"a":{"@q":"\"<","#text":"&AB"}}`},
		{"unicode", `<ä ö="ü">日本語 🎉</ä>`, `{"ä":{"@ö":"ü","#text":"日本語 🎉"}}`},
		{"encoded names decoded", `<a_x0020_b>1</a_x0020_b>`, `{"a b":"1"}`},
		{"preserved space", `<a xml:space="preserve"> <b/></a>`,
			`{"a":{"@xml:space":"preserve","#significant-whitespace":" ","b":null}}`},
		{"json:Array forces an array", `<r xmlns:json="http://james.newtonking.com/projects/json"><i json:Array="true">1</i></r>`,
			`{"r":{"i":["1"]}}`},
		{"top-level comment", `<!-- c --><a>1</a>`, `{"a":"1"}`},
		{"byte order mark", "\ufeff<a>1</a>", `{"a":"1"}`},
		{"text keeps surrounding space", "<a>\n  x  \n</a>", `{"a":"\n  x  \n"}`},
		{"crlf normalized", "<a>x\r\ny</a>", `{"a":"x\ny"}`},
		{"attribute value normalized", "<a x='1\n2\t3'/>", `{"a":{"@x":"1 2 3"}}`},
		{"attribute character references kept", "<a x='1&#10;2'/>", `{"a":{"@x":"1\n2"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := XMLToJSON([]byte(tt.xml))
			must.NoError(t, err)
			check.Equal(t, tt.want, jsonText(t, got))
		})
	}
}

func TestJSONToXML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, json, want string
	}{
		{"text element", `{"name":"Sophia Owen"}`, `<name>Sophia Owen</name>`},
		{"key order kept", `{"person":{"name":"Sophia Owen","city":"Seattle"}}`,
			`<person><name>Sophia Owen</name><city>Seattle</city></person>`},
		{"scalars", `{"a":{"i":1,"f":1.5,"big":1e21,"small":0.00001,"t":true,"f2":false,"s":""}}`,
			`<a><i>1</i><f>1.5</f><big>1E+21</big><small>1E-05</small><t>true</t><f2>false</f2><s></s></a>`},
		{"null is empty element", `{"a":{"b":null}}`, `<a><b /></a>`},
		{"empty object is empty element", `{"a":{}}`, `<a />`},
		{"array repeats", `{"r":{"i":[1,2]}}`, `<r><i>1</i><i>2</i></r>`},
		{"nested array", `{"r":{"i":[[1,2],3]}}`, `<r><i><i>1</i><i>2</i></i><i>3</i></r>`},
		{"attributes", `{"a":{"@id":1,"@x":"y\"<","b":"t"}}`, `<a id="1" x="y&quot;&lt;"><b>t</b></a>`},
		{"late attribute", `{"a":{"b":"t","@id":"1"}}`, `<a id="1"><b>t</b></a>`},
		{"null attribute", `{"a":{"@id":null}}`, `<a id="" />`},
		{"text", `{"a":{"@id":"1","#text":"t&<>"}}`, `<a id="1">t&amp;&lt;&gt;</a>`},
		{"text array", `{"a":{"#text":["x","y"],"b":null}}`, `<a>xy<b /></a>`},
		{"cdata", `{"a":{"#cdata-section":"<x>]]>"}}`, `<a><![CDATA[<x>]]]]><![CDATA[>]]></a>`},
		{"comment", `{"a":{"#comment":"c","b":"1"}}`, `<a><!--c--><b>1</b></a>`},
		{"whitespace", `{"a":{"#whitespace":" \n","b":"1"}}`, "<a> \n<b>1</b></a>"},
		{"declaration", `{"?xml":{"@version":"1.0","@encoding":"utf-8"},"a":"1"}`, `<?xml version="1.0" encoding="utf-8"?><a>1</a>`},
		{"processing instruction", `{"a":{"?pi":"data"}}`, `<a><?pi data?></a>`},
		{"default namespace", `{"a":{"@xmlns":"urn:x","b":"1"}}`, `<a xmlns="urn:x"><b>1</b></a>`},
		{"prefixed namespace", `{"p:a":{"@xmlns:p":"urn:p","@p:x":"1","p:b":"t"}}`,
			`<p:a xmlns:p="urn:p" p:x="1"><p:b>t</p:b></p:a>`},
		{"names encoded", `{"a b":{"1x":"v","@c d":"w"}}`, `<a_x0020_b c_x0020_d="w"><_x0031_x>v</_x0031_x></a_x0020_b>`},
		{"metadata ignored", `{"a":{"$id":"1","$type":"T","b":"1"}}`, `<a><b>1</b></a>`},
		{"unicode", `{"ä":{"@ö":"ü","#text":"日本語 🎉"}}`, `<ä ö="ü">日本語 🎉</ä>`},
		{"attribute newline escaped", `{"a":{"@x":"1\n2\t"}}`, `<a x="1&#xA;2&#x9;" />`},
		{"decimal and binary", ``, `<a><d>1.10</d><b>AQI=</b></a>`},
		{"corpus root array", `{"root":{"array":[{ "ID": 1, "Name": "James" },{ "ID": 2, "Name": "John" },{ "ID": 3, "Name": "Sam" }]}}`,
			`<root><array><ID>1</ID><Name>James</Name></array><array><ID>2</ID><Name>John</Name></array><array><ID>3</ID><Name>Sam</Name></array></root>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in any
			if tt.json == "" {
				obj := value.NewObject(1)
				inner := value.NewObject(2)
				inner.Set("d", value.Decimal{Text: "1.10"})
				inner.Set("b", []byte{1, 2})
				obj.Set("a", inner)
				in = obj
			} else {
				in = mustDecode(t, tt.json)
			}
			got, err := JSONToXML(in)
			must.NoError(t, err)
			check.Equal(t, tt.want, string(got))
			must.NoError(t, Parse(got), "output must be well-formed")
		})
	}
}

func TestJSONToXMLErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"two roots", mustDecode(t, `{"a":1,"b":2}`), "root object has multiple properties"},
		{"array at root", mustDecode(t, `{"a":[1,2]}`), "root object has multiple properties"},
		{"no root", mustDecode(t, `{}`), "root"},
		{"only declaration", mustDecode(t, `{"?xml":{"@version":"1.0"}}`), "root"},
		{"top-level array", mustDecode(t, `[{"a":1}]`), "single root property, not an array"},
		{"string", "x", "single root property, not a string"},
		{"nil", nil, "single root property, not null"},
		{"number", int64(1), "single root property, not a number"},
		{"attribute object", mustDecode(t, `{"a":{"@x":{"y":1}}}`), `attribute "@x": cannot get an xml string value from an object`},
		{"text array item object", mustDecode(t, `{"a":{"#text":[{"y":1}]}}`), "cannot get an xml string value from an object"},
		{"empty name", mustDecode(t, `{"a":{"":1}}`), "empty property name"},
		{"undeclared prefix", mustDecode(t, `{"p:a":1}`), `namespace prefix "p" is not declared`},
		{"undeclared attribute prefix", mustDecode(t, `{"a":{"@p:x":1}}`), `namespace prefix "p" is not declared`},
		{"late declaration", mustDecode(t, `{"a":{"b":{"?xml":{"@version":"1.0"}}}}`), "xml declaration must be the first node"},
		{"bad declaration field", mustDecode(t, `{"?xml":{"@foo":"1"},"a":1}`), `unexpected property "@foo"`},
		{"bad comment", mustDecode(t, `{"a":{"#comment":"a--b"}}`), "comment"},
		{"bad whitespace", mustDecode(t, `{"a":{"#whitespace":"x"}}`), "not whitespace"},
		{"doctype", mustDecode(t, `{"!DOCTYPE":{"@name":"a"},"a":1}`), "document type"},
		{"text at root", mustDecode(t, `{"#text":"x","a":1}`), "outside the root element"},
		{"attribute at root", mustDecode(t, `{"@x":"1","a":1}`), "inside an element"},
		{"late default namespace", mustDecode(t, `{"a":{"b":1,"@xmlns":"urn:x"}}`), "must come before"},
		{"nameless attribute", mustDecode(t, `{"a":{"@":1}}`), "without a name"},
		{"empty prefix declaration", mustDecode(t, `{"a":{"@xmlns:p":""}}`), "invalid namespace declaration"},
		{"declaration version", mustDecode(t, `{"?xml":{"@version":"2.0"},"a":1}`), "not 1.0"},
		{"too deep", deepJSON(maxDepth + 1), "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := JSONToXML(tt.in)
			must.Error(t, err, "got %s", got)
			check.Contains(t, err.Error(), tt.want)
			assertStyle(t, err)
		})
	}
}

// deepJSON returns {"a":{"a":...}} nested n deep.
func deepJSON(n int) any {
	var v any = "x"
	for range n {
		o := value.NewObject(1)
		o.Set("a", v)
		v = o
	}
	return v
}

// assertStyle checks the error message convention: lowercase start, no
// trailing punctuation.
func assertStyle(tb testing.TB, err error) {
	tb.Helper()
	msg := err.Error()
	check.NotEmpty(tb, msg)
	check.Equal(tb, strings.ToLower(msg[:1]), msg[:1], "message starts lowercase: %s", msg)
	check.NotContains(tb, ".!?", msg[len(msg)-1:], "no trailing punctuation: %s", msg)
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	// Documents that SerializeXmlNode and DeserializeXmlNode carry through
	// unchanged (mixed content is not among them: text nodes are grouped).
	docs := []string{
		`<name>Sophia Owen</name>`,
		`<?xml version="1.0" encoding="utf-8"?><root><person id="1"><name>Sophia Owen</name><occupation>Engineer</occupation></person><person id="2"><name>John Doe</name><occupation>Engineer</occupation></person></root>`,
		`<a><b /><c></c><d x="1" /></a>`,
		`<a><![CDATA[<x> & y]]></a>`,
		`<file xmlns="https://contoso.com"><location>Paris</location></file>`,
		`<p:a xmlns:p="urn:p" xmlns="urn:d" p:x="1"><p:b>t</p:b><c>u</c></p:a>`,
		`<ä ö="ü">日本語 🎉 &amp; &lt;</ä>`,
		`<a_x0020_b>1</a_x0020_b>`,
		`<a><?pi data?><b>1</b></a>`,
		`<r><i>1</i><i>2</i><i><j>3</j></i></r>`,
		`<a xml:space="preserve"> <b /></a>`,
	}
	for _, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			t.Parallel()
			obj, err := XMLToJSON([]byte(doc))
			must.NoError(t, err)
			back, err := JSONToXML(obj)
			must.NoError(t, err)
			check.Equal(t, doc, string(back))
			norm, err := Normalize([]byte(doc))
			must.NoError(t, err)
			check.Equal(t, doc, string(norm))
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<?xml version='1.0'?>\n<a  x='1'>\n  <b/>\n  <c>t</c>\n</a>\n", `<?xml version="1.0"?><a x="1"><b /><c>t</c></a>`},
		{`<a q="&apos;&quot;">&gt;</a>`, `<a q="'&quot;">&gt;</a>`},
		{`<a><!--c--></a>`, `<a><!--c--></a>`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := Normalize([]byte(tt.in))
			must.NoError(t, err)
			check.Equal(t, tt.want, string(got))
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, xml string
		line, col int
		msg       string
	}{
		{"empty", ``, 1, 1, "no root element"},
		{"only space", "  \n ", 2, 2, "no root element"},
		{"unclosed", "<a>\n<b>", 2, 4, "element <b> is not closed"},
		{"mismatched", "<a>\n  </b>", 2, 3, "end tag </b> does not match start tag <a>"},
		{"stray end", "<a/></a>", 1, 5, "unexpected end tag </a>"},
		{"two roots", "<a/>\n<b/>", 2, 1, "multiple root elements"},
		{"text before root", "hello<a/>", 1, 1, "text is not allowed outside the root element"},
		{"text after root", "<a/>x", 1, 5, "text is not allowed outside the root element"},
		{"late declaration", ` <?xml version="1.0"?><a/>`, 1, 2, "xml declaration must be at the very start"},
		{"doctype", `<!DOCTYPE a><a/>`, 1, 1, "document type declarations are not supported"},
		{"undeclared prefix", `<p:a/>`, 1, 1, `namespace prefix "p" is not declared`},
		{"undeclared attribute prefix", `<a p:x="1"/>`, 1, 1, `namespace prefix "p" is not declared`},
		{"repeated attribute", `<a x="1" x="2"/>`, 1, 1, `attribute "x" is repeated`},
		{"unquoted attribute", `<a x=1/>`, 1, 6, "unquoted or missing attribute value"},
		{"unknown entity", `<a>&nbsp;</a>`, 1, 9, "invalid character entity &nbsp;"},
		{"bare ampersand", `<a>a & b</a>`, 1, 6, "invalid character entity"},
		{"json text", `{"a":1}`, 1, 1, "text is not allowed outside the root element"},
		{"too deep", strings.Repeat("<a>", maxDepth+1), 1, 3*maxDepth + 1, "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Parse([]byte(tt.xml))
			must.Error(t, err)
			var se *SyntaxError
			must.True(t, errors.As(err, &se), "error is a *SyntaxError: %T", err)
			check.Contains(t, se.Msg, tt.msg)
			check.Equal(t, [2]int{tt.line, tt.col}, [2]int{se.Line, se.Column}, "position of %q", err)
			assertStyle(t, err)
			_, err = XMLToJSON([]byte(tt.xml))
			check.Error(t, err)
			_, err = XPath([]byte(tt.xml), "/")
			check.Error(t, err)
		})
	}
}

// produce is the document of the xpath() examples in the Logic Apps
// function reference.
const produce = "<?xml version=\"1.0\"?>\n<produce>\n  <item>\n    <name expired='true' price='12'>Gala</name>\n    <type>apple</type>\n    <count>20</count>\n  </item>\n  <item>\n    <name expired='false' price='40'>Honeycrisp</name>\n    <type>apple</type>\n    <count>10</count>\n  </item>\n</produce>"

const contoso = `<?xml version="1.0"?><file xmlns="https://contoso.com"><location>Paris</location></file>`

func TestXPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, query string
		want             any
	}{
		{"text nodes", produce, "/produce/item/name/text()", []any{"Gala", "Honeycrisp"}},
		{"elements", produce, "/produce/item/name[1]",
			[]any{`<name expired="true" price="12">Gala</name>`, `<name expired="false" price="40">Honeycrisp</name>`}},
		{"last", produce, "/produce/item/name[last()]",
			[]any{`<name expired="true" price="12">Gala</name>`, `<name expired="false" price="40">Honeycrisp</name>`}},
		{"attribute exists", produce, "//name[@expired]/text()", []any{"Gala", "Honeycrisp"}},
		{"attribute equals", produce, "//name[@expired = 'true']/text()", []any{"Gala"}},
		{"attribute compare", produce, "//name[@price>35]", []any{`<name expired="false" price="40">Honeycrisp</name>`}},
		{"sum", produce, "sum(/produce/item/count)", float64(30)},
		{"count", produce, "count(//item)", float64(2)},
		{"boolean", produce, "count(//item) > 1", true},
		{"string", produce, "string(//item[2]/type)", "apple"},
		{"concat", produce, "concat(//item[1]/name, '-', //item[2]/name)", "Gala-Honeycrisp"},
		{"attributes as objects", produce, "//name/@price", []any{
			mustDecode(t, `{"@price":"12"}`), mustDecode(t, `{"@price":"40"}`)}},
		{"no match", produce, "/produce/nothing", []any{}},
		{"element with children", produce, "/produce/item[1]",
			[]any{`<item><name expired="true" price="12">Gala</name><type>apple</type><count>20</count></item>`}},
		{"root", `<a><b/></a>`, "/", []any{`<a><b /></a>`}},
		{"comment", `<a><!--c--></a>`, "/a/comment()", []any{"c"}},
		{"cdata is text", `<a><![CDATA[<x>]]></a>`, "/a/text()", []any{"<x>"}},
		{"name() in default namespace", contoso, `/*[name()="file"]/*[name()="location"]`,
			[]any{`<location xmlns="https://contoso.com">Paris</location>`}},
		{"local-name and namespace-uri", contoso,
			`/*[local-name()="file" and namespace-uri()="https://contoso.com"]/*[local-name()="location"]`,
			[]any{`<location xmlns="https://contoso.com">Paris</location>`}},
		{"string of namespaced", contoso, `string(/*[name()="file"]/*[name()="location"])`, "Paris"},
		{"unprefixed name does not match default namespace", contoso, "/file/location", []any{}},
		{"unprefixed name matches no namespace", `<a xmlns="urn:x"><b xmlns=""><c>1</c></b></a>`, "//b/c/text()", []any{"1"}},
		{"prefixed element keeps declaration", `<r xmlns:p="urn:p"><p:a p:x="1">t</p:a></r>`, `//*[local-name()="a"]`,
			[]any{`<p:a p:x="1" xmlns:p="urn:p">t</p:a>`}},
		{"operators are not names", `<r><a>6</a><b>2</b></r>`, "/r/a div /r/b * 2 - /r/b mod 2", float64(6)},
		{"axes and node tests", `<r><a/><b>t</b></r>`, "count(child::r/descendant-or-self::node()) + count(/r/a/following-sibling::b)", float64(5)},
		{"names with dots and dashes", `<r><a.b-c>1</a.b-c></r>`, "string(/r/a.b-c)", "1"},
		{"star", `<r xmlns="urn:x"><a/><b/></r>`, "count(/*/*)", float64(2)},
		{"union in document order", `<r><a>1</a><b>2</b></r>`, "/r/b | /r/a", []any{"<a>1</a>", "<b>2</b>"}},
		{"not a number", `<r><a>x</a></r>`, "number(/r/a) = number(/r/a)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := XPath([]byte(tt.doc), tt.query)
			must.NoError(t, err)
			check.Equal(t, jsonText(t, tt.want), jsonText(t, got))
		})
	}
}

func TestXPathErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, query, want string }{
		{"empty", "  ", "the xpath expression is empty"},
		{"syntax", "/a[", "invalid xpath expression"},
		{"prefix", "/p:a", `namespace prefix "p" is not declared`},
		{"unknown function", "foo(1)", "invalid xpath expression"},
		{"unterminated string", "string('a)", "invalid xpath expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := XPath([]byte(produce), tt.query)
			must.Error(t, err)
			check.Contains(t, err.Error(), tt.want)
			assertStyle(t, err)
		})
	}
}

// TestCorpus reproduces the xml(), json(xml()) and xpath() entries of the
// shared function corpus (corpus/wdl/functions.json and
// context-examples.json). Entries marked doubtful there print node-set
// results as bare text; here they are checked in the runtime's shape.
func TestCorpus(t *testing.T) {
	t.Parallel()
	t.Run("xml", func(t *testing.T) {
		t.Parallel()
		tests := []struct{ name, json, xml, want string }{
			{"xml('<name>Sophia Owen</name>')", "", `<name>Sophia Owen</name>`, `<name>Sophia Owen</name>`},
			{"xml(json('{ \"name\": \"Sophia Owen\" }'))", `{ "name": "Sophia Owen" }`, "", `<name>Sophia Owen</name>`},
			{"xml(json(person))", `{"person": {"name": "Sophia Owen", "city": "Seattle"}}`, "",
				"<person>\n  <name>Sophia Owen</name>\n  <city>Seattle</city>\n</person>"},
			{"xml(json(root array))", `{"root":{"array":[{ "ID": 1, "Name": "James" },{ "ID": 2, "Name": "John" },{ "ID": 3, "Name": "Sam" }]}}`, "",
				`<root><array><ID>1</ID><Name>James</Name></array><array><ID>2</ID><Name>John</Name></array><array><ID>3</ID><Name>Sam</Name></array></root>`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				var got []byte
				var err error
				if tt.json != "" {
					got, err = JSONToXML(mustDecode(t, tt.json))
				} else {
					got, err = Normalize([]byte(tt.xml))
				}
				must.NoError(t, err)
				check.Equal(t, squeeze(tt.want), squeeze(string(got)))
			})
		}
	})
	t.Run("json(xml)", func(t *testing.T) {
		t.Parallel()
		tests := []struct{ xml, want string }{
			{`<?xml version="1.0"?> <root> <person id="1"> <name>Sophia Owen</name> <occupation>Engineer</occupation> </person> </root>`,
				`{"?xml": {"@version": "1.0"}, "root": {"person": {"@id": "1", "name": "Sophia Owen", "occupation": "Engineer"}}}`},
			{`<?xml version="1.0"?> <root> <person id="1"> <name>Sophia Owen</name> <occupation>Engineer</occupation> </person> <person id="2"> <name>John Doe</name> <occupation>Engineer</occupation> </person> </root>`,
				`{"?xml": {"@version": "1.0"}, "root": {"person": [{"@id": "1", "name": "Sophia Owen", "occupation": "Engineer"}, {"@id": "2", "name": "John Doe", "occupation": "Engineer"}]}}`},
		}
		for _, tt := range tests {
			t.Run(tt.xml, func(t *testing.T) {
				t.Parallel()
				got, err := XMLToJSON([]byte(tt.xml))
				must.NoError(t, err)
				check.Equal(t, jsonText(t, mustDecode(t, tt.want)), jsonText(t, got))
			})
		}
	})
	t.Run("xpath", func(t *testing.T) {
		t.Parallel()
		plain := strings.NewReplacer(" expired='true'", "", " expired='false'", "", " price='12'", "", " price='40'", "").Replace(produce)
		onlyFirstExpired := strings.Replace(strings.Replace(produce, " expired='false'", "", 1), " price='12'", "", 1)
		onlyFirstExpired = strings.Replace(onlyFirstExpired, " price='40'", "", 1)
		expired := strings.NewReplacer(" price='12'", "", " price='40'", "").Replace(produce)
		tests := []struct {
			name, doc, query, want string
		}{
			{"text()", plain, "/produce/item/name/text()", `["Gala","Honeycrisp"]`},
			{"name[1] (doubtful: doc says Gala)", plain, "/produce/item/name[1]", `["<name>Gala</name>","<name>Honeycrisp</name>"]`},
			{"name[last()] (doubtful: doc says Honeycrisp)", plain, "/produce/item/name[last()]", `["<name>Gala</name>","<name>Honeycrisp</name>"]`},
			{"[@expired] (doubtful: doc prints text)", expired, "//name[@expired]",
				`["<name expired=\"true\">Gala</name>","<name expired=\"false\">Honeycrisp</name>"]`},
			{"[@expired = 'true'] (doubtful: doc prints text)", onlyFirstExpired, "//name[@expired = 'true']", `["<name expired=\"true\">Gala</name>"]`},
			{"[@price>35] (doubtful: doc prints text)", produce, "//name[@price>35]", `["<name expired=\"false\" price=\"40\">Honeycrisp</name>"]`},
			{"sum", plain, "sum(/produce/item/count)", `30`},
			{"name()", contoso, `/*[name()="file"]/*[name()="location"]`, `["<location xmlns=\"https://contoso.com\">Paris</location>"]`},
			{"local-name()", contoso, `/*[local-name()="file" and namespace-uri()="https://contoso.com"]/*[local-name()="location"]`,
				`["<location xmlns=\"https://contoso.com\">Paris</location>"]`},
			{"string()", contoso, `string(/*[name()="file"]/*[name()="location"])`, `"Paris"`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				got, err := XPath([]byte(tt.doc), tt.query)
				must.NoError(t, err)
				check.Equal(t, tt.want, jsonText(t, got))
			})
		}
	})
}

func TestXMLNames(t *testing.T) {
	t.Parallel()
	tests := []struct{ decoded, encoded string }{
		{"", ""},
		{"name", "name"},
		{"a b", "a_x0020_b"},
		{"1st", "_x0031_st"},
		{"a:b", "a:b"},
		{"#text", "_x0023_text"},
		{"a_x0020_b", "a_x005F_x0020_b"},
		{"a_b", "a_b"},
		{"a_xyz_", "a_xyz_"},
		{"ä-1.x", "ä-1.x"},
		{"a🎉", "a_x0001F389_"},
		{"Order Number", "Order_x0020_Number"},
	}
	for _, tt := range tests {
		t.Run(tt.decoded, func(t *testing.T) {
			t.Parallel()
			check.Equal(t, tt.encoded, EncodeXMLName(tt.decoded))
			check.Equal(t, tt.decoded, DecodeXMLName(tt.encoded))
		})
	}
	t.Run("decode only", func(t *testing.T) {
		t.Parallel()
		check.Equal(t, "a b", DecodeXMLName("a_X0020_b"))
		check.Equal(t, "_x0020", DecodeXMLName("_x0020"))
		check.Equal(t, "_xFFFFFFFF_", DecodeXMLName("_xFFFFFFFF_"))
		check.Equal(t, "_xD800_", DecodeXMLName("_xD800_"))
	})
}

func TestXMLValues(t *testing.T) {
	t.Parallel()
	tests := []struct{ decoded, encoded string }{
		{"", ""},
		{"plain", "plain"},
		{`<a href="x">Tom & 'Jerry'</a>`, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"},
		{"&amp;", "&amp;amp;"},
	}
	for _, tt := range tests {
		t.Run(tt.decoded, func(t *testing.T) {
			t.Parallel()
			check.Equal(t, tt.encoded, EncodeXMLValue(tt.decoded))
			check.Equal(t, tt.decoded, DecodeXMLValue(tt.encoded))
		})
	}
	t.Run("decode only", func(t *testing.T) {
		t.Parallel()
		check.Equal(t, "AB é", DecodeXMLValue("&#65;&#x42; &#xe9;"))
		check.Equal(t, "&nbsp; & &#xZZ; &#-1; &", DecodeXMLValue("&nbsp; & &#xZZ; &#-1; &"))
	})
}

func TestFormatDouble(t *testing.T) {
	t.Parallel()
	tests := map[float64]string{
		0: "0", 1.5: "1.5", -2: "-2", 1e14: "100000000000000", 1e15: "1E+15", 0.0001: "0.0001",
		0.00001: "1E-05", 1.2345678901234568e20: "1.2345678901234568E+20", 0.30000000000000004: "0.30000000000000004",
	}
	for f, want := range tests {
		t.Run(want, func(t *testing.T) {
			t.Parallel()
			check.Equal(t, want, formatDouble(f))
		})
	}
}
