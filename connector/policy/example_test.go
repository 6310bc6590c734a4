// SPDX-License-Identifier: Apache-2.0

package policy_test

import (
	"fmt"

	"github.com/junction-run/junction/connector/policy"
)

func ExampleParseTemplate() {
	t, err := policy.ParseTemplate("https://@connectionParameters('region', 'us').api.example.com/@{body().tenant.id}")
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := t.EvalString(&policy.Scope{
		Conn: map[string]any{"region": "eu"},
		Body: map[string]any{"tenant": map[string]any{"id": "t1"}},
	})
	fmt.Println(s, err)
	// Output: https://eu.api.example.com/t1 <nil>
}
