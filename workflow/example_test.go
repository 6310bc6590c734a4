// SPDX-License-Identifier: Apache-2.0

package workflow_test

import (
	"fmt"

	"github.com/junction-run/junction/workflow"
)

func ExampleDecode() {
	d, err := workflow.Decode([]byte(`{"definition": {
		"triggers": {"manual": {"type": "Request", "kind": "Http"}},
		"actions": {
			"Reply": {"type": "Response", "inputs": {"statusCode": 200, "body": "@outputs('Greeting')"},
				"runAfter": {"Greeting": ["SUCCEEDED"]}},
			"Greeting": {"type": "compose", "inputs": "hello @{triggerBody()?['name']}", "runAfter": {}}
		}}, "kind": "Stateful"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := d.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range d.Actions.Order() {
		fmt.Println(a.Path, a.Canonical, a.RunAfter)
	}
	// Output:
	// $.actions.Greeting Compose map[]
	// $.actions.Reply Response map[Greeting:[Succeeded]]
}

func ExampleDefinition_Problems() {
	d, _ := workflow.Decode([]byte(`{"parameters": {}, "actions": {
		"A": {"type": "Compose", "inputs": "@parameters('missing')", "runAfter": {"B": ["Succeeded"]}},
		"B": {"type": "Xslt", "inputs": {}, "runAfter": {"A": ["Succeeded"]}}}}`))
	for _, p := range d.Problems() {
		fmt.Println(p)
	}
	// Output:
	// $.actions.A.runAfter: runAfter cycle: 'A' -> 'B' -> 'A' [WF2002]
	// $.actions.A.inputs: parameters('missing') names a parameter that is not declared [WF2003]
	// $.actions.B.type: action type 'Xslt' is not supported [WF1003]
}
