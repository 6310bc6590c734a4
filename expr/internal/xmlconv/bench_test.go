// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"fmt"
	"strings"
	"testing"
)

// benchDoc is a ~10 KB order document with attributes, arrays and text.
func benchDoc() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><orders xmlns:x="urn:example">`)
	for i := 0; b.Len() < 10*1024; i++ {
		fmt.Fprintf(&b, `<order id="%d" x:status="open"><customer><name>Customer %d</name><city>Seattle</city></customer>`, i, i)
		for j := range 3 {
			fmt.Fprintf(&b, `<line sku="SKU-%d-%d"><qty>%d</qty><price>%d.99</price></line>`, i, j, j+1, 10+j)
		}
		b.WriteString(`<note><![CDATA[fragile & <handle> with care]]></note></order>`)
	}
	b.WriteString(`</orders>`)
	return []byte(b.String())
}

func BenchmarkXMLToJSON(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := XMLToJSON(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONToXML(b *testing.B) {
	doc := benchDoc()
	obj, err := XMLToJSON(doc)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JSONToXML(obj); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXPath(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := XPath(doc, "sum(//line/qty)"); err != nil {
			b.Fatal(err)
		}
	}
}
