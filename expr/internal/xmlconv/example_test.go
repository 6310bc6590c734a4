// SPDX-License-Identifier: Apache-2.0

package xmlconv_test

import (
	"encoding/json"
	"fmt"

	"github.com/junction-run/junction/expr/internal/xmlconv"
	"github.com/junction-run/junction/expr/value"
)

func ExampleXMLToJSON() {
	obj, err := xmlconv.XMLToJSON([]byte(`<?xml version="1.0"?>
<root>
  <person id="1"><name>Sophia Owen</name></person>
  <person id="2"><name>John Doe</name></person>
  <empty/>
</root>`))
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(obj)
	fmt.Println(string(b))
	// Output:
	// {"?xml":{"@version":"1.0"},"root":{"person":[{"@id":"1","name":"Sophia Owen"},{"@id":"2","name":"John Doe"}],"empty":null}}
}

func ExampleJSONToXML() {
	v, _ := value.Decode([]byte(`{"person": {"@id": 7, "name": "Sophia Owen", "city": "Seattle", "tags": ["a", "b"]}}`))
	x, err := xmlconv.JSONToXML(v)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(x))
	// Output:
	// <person id="7"><name>Sophia Owen</name><city>Seattle</city><tags>a</tags><tags>b</tags></person>
}

func ExampleXPath() {
	doc := []byte(`<file xmlns="https://contoso.com"><location>Paris</location></file>`)
	for _, q := range []string{
		`/*[name()="file"]/*[name()="location"]`,
		`string(/*[local-name()="file"]/*[local-name()="location"])`,
		`count(/*/*)`,
		`/file/location`, // no match: unprefixed names are in no namespace
	} {
		res, err := xmlconv.XPath(doc, q)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%#v\n", res)
	}
	// Output:
	// []interface {}{"<location xmlns=\"https://contoso.com\">Paris</location>"}
	// "Paris"
	// 1
	// []interface {}{}
}

func ExampleEncodeXMLName() {
	fmt.Println(xmlconv.EncodeXMLName("Order Number"))
	fmt.Println(xmlconv.DecodeXMLName("Order_x0020_Number"))
	// Output:
	// Order_x0020_Number
	// Order Number
}
