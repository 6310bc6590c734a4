// SPDX-License-Identifier: Apache-2.0

package workflow

// Problems returns every problem of the definition, errors and warnings,
// sorted by path. It runs the checks each time it is called.
func (d *Definition) Problems() []Problem {
	ps := append(problems(nil), d.problems...)
	return ps
}

// Validate returns a *[ValidationError] listing every problem (warnings
// included) when at least one is an error, and nil otherwise.
func (d *Definition) Validate() error {
	ps := d.Problems()
	for _, p := range ps {
		if p.Severity == SeverityError {
			return &ValidationError{Problems: ps}
		}
	}
	return nil
}
