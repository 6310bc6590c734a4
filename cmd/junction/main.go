// SPDX-License-Identifier: Apache-2.0

// Command junction is the Junction connector runtime and workflow engine.
package main

import (
	"os"

	"github.com/junction-run/junction/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
