// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/connector/certify"
)

// validateOutput is the --json output of `junction connector validate`.
type validateOutput struct {
	Profile  certify.Profile   `json:"profile"`
	Findings []certify.Finding `json:"findings"`
	Errors   int               `json:"errors"`
	Warnings int               `json:"warnings"`
}

func init() {
	registerConnector(func() *cobra.Command {
		var asJSON bool
		var profile string
		c := &cobra.Command{
			Use:   "validate PATH",
			Short: "Check a connector against the certification rules",
			Long: `Check a connector definition against the rules a public connector catalogue
applies: a Power Platform connector folder (apiDefinition.swagger.json +
apiProperties.json), a single OpenAPI document, or a Postman collection.

Each finding prints as

  SEVERITY rule file#pointer: message

where pointer is a JSON pointer into the file. Profiles:

  certification  (default) everything certification review demands: metadata,
                 contact, summaries, descriptions, publisher... as errors
  platform       what any custom connector must pass to be saved; the
                 certification content rules are reported as warnings

The exit status is 1 when any finding is an error, 0 otherwise (warnings and
infos allowed). docs/certification.md lists every rule.`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				p, err := certify.ParseProfile(profile)
				if err != nil {
					return &ExitError{Code: 1, Err: err}
				}
				rep, err := certify.Check(args[0], p)
				if err != nil {
					return &ExitError{Code: 1, Err: err}
				}
				out := cmd.OutOrStdout()
				errs, warns := rep.Count(certify.SeverityError), rep.Count(certify.SeverityWarning)
				if asJSON {
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					if err := enc.Encode(validateOutput{Profile: p, Findings: rep.Findings, Errors: errs, Warnings: warns}); err != nil {
						return &ExitError{Code: 1, Err: fmt.Errorf("writing findings: %w", err)}
					}
				} else {
					for _, f := range rep.Findings {
						fmt.Fprintln(out, f.String())
					}
					fmt.Fprintf(out, "%d errors, %d warnings, %d infos (%s profile)\n", errs, warns, rep.Count(certify.SeverityInfo), p)
				}
				if rep.HasErrors() {
					return &ExitError{Code: 1}
				}
				return nil
			},
		}
		c.Flags().BoolVar(&asJSON, "json", false, `print {"findings": [...], "errors": n, "warnings": n} as JSON`)
		c.Flags().StringVar(&profile, "profile", string(certify.Certification), "rule profile: platform or certification")
		return c
	})
}
