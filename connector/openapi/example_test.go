// SPDX-License-Identifier: Apache-2.0

package openapi_test

import (
	"fmt"

	"github.com/junction-run/junction/connector/openapi"
)

func ExampleParse() {
	doc := `
swagger: "2.0"
info: {title: Contoso Tickets}
host: api.contoso.example
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Key}
paths:
  /tickets:
    get: {operationId: ListTickets, summary: List tickets, responses: {}}
  /hooks:
    post:
      operationId: OnNewTicket
      x-ms-trigger: single
      parameters:
        - {name: callback, in: query, type: string, x-ms-notification-url: true}
      responses: {}
`
	spec, warnings, err := openapi.Parse([]byte(doc), "contoso.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.ID, spec.BaseURL, spec.Auth[0].Kind, spec.ConnectionParameters[0].Name, len(warnings))
	for _, op := range spec.Operations {
		fmt.Printf("%s %s %q\n", op.ID, op.Kind, op.Trigger)
	}
	// Output:
	// contoso_tickets https://api.contoso.example apiKey api_key 0
	// ListTickets action ""
	// OnNewTicket trigger "push"
}
