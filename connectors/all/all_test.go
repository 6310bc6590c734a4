// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"testing"

	"github.com/junction-run/junction/connector"
	_ "github.com/junction-run/junction/connectors/all"
)

func TestRegistered(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"file", "sql"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			p, ok := connector.Default().Lookup(id)
			if !ok {
				t.Fatalf("connector %s is not registered", id)
			}
			spec := p.Spec()
			if err := spec.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
