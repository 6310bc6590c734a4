// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/junction-run/junction/expr/value"
)

var fuzzDocs = []string{
	produce,
	contoso,
	`<a x="1">t<b/>u<b></b><![CDATA[<c>]]><!--k--><p:b xmlns:p="urn:p" p:z="2"/></a>`,
	`<?xml version="1.0" encoding="utf-8"?><r><i>1</i><i>2</i></r>`,
	`<a xml:space="preserve"> <b>&amp;&#65;</b><?pi x?></a>`,
	`<a_x0020_b>1</a_x0020_b>`,
	`<a><b>`,
	`<!DOCTYPE a><a/>`,
}

// FuzzXMLToJSON checks that parsing never panics, that only *SyntaxError
// comes back, and that what converts back to XML is well-formed.
func FuzzXMLToJSON(f *testing.F) {
	for _, d := range fuzzDocs {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		obj, err := XMLToJSON(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, not *SyntaxError: %v", err, err)
			}
			return
		}
		norm, err := Normalize(data)
		if err != nil {
			t.Fatalf("Normalize fails where XMLToJSON did not: %v", err)
		}
		again, err := Normalize(norm)
		if err != nil {
			t.Fatalf("normalized text does not parse: %v\n%s", err, norm)
		}
		if !bytes.Equal(norm, again) {
			t.Fatalf("Normalize is not idempotent:\n%s\n%s", norm, again)
		}
		if out, err := JSONToXML(obj); err == nil {
			if err := Parse(out); err != nil {
				t.Fatalf("JSONToXML output does not parse: %v\n%s", err, out)
			}
		}
	})
}

// FuzzJSONToXML checks that conversion never panics and that its output is
// well-formed XML that converts back.
func FuzzJSONToXML(f *testing.F) {
	for _, s := range []string{
		`{"person":{"name":"Sophia Owen","city":"Seattle"}}`,
		`{"?xml":{"@version":"1.0"},"r":{"@xmlns":"urn:x","i":[1,2.5,null,true,{"@a":"b","#text":"t"}]}}`,
		`{"p:a":{"@xmlns:p":"urn:p","#cdata-section":"]]>","#comment":"c","?pi":"d"}}`,
		`{"a b":{"1":[[1],[]]}}`,
		`{"a":1,"b":2}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		v, err := value.Decode([]byte(s))
		if err != nil {
			return
		}
		out, err := JSONToXML(v)
		if err != nil {
			return
		}
		if _, err := XMLToJSON(out); err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, out)
		}
	})
}

// FuzzXPath checks that no query panics or loops on a fixed document.
func FuzzXPath(f *testing.F) {
	for _, q := range []string{
		"/produce/item/name/text()", "//name[@price>35]", "sum(/produce/item/count)",
		`/*[local-name()="produce"]/*[1]`, "count(//*) div 0", "//@*", "/p:a", "/a[", "string(/)",
		"//item[name='Gala']/following::*", "$x", "a and b or c mod d div e * f",
	} {
		f.Add(q)
	}
	doc := []byte(produce)
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 256 {
			return
		}
		_, _ = XPath(doc, q)
	})
}

// FuzzXMLNames checks that decoding undoes encoding.
func FuzzXMLNames(f *testing.F) {
	for _, s := range []string{"a b", "_x0020_", "1st", "a🎉", "#text", "_X0041__x00000041_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		if got := DecodeXMLName(EncodeXMLName(s)); got != s {
			t.Fatalf("DecodeXMLName(EncodeXMLName(%q)) = %q", s, got)
		}
		if got := DecodeXMLValue(EncodeXMLValue(s)); got != s {
			t.Fatalf("DecodeXMLValue(EncodeXMLValue(%q)) = %q", s, got)
		}
	})
}
