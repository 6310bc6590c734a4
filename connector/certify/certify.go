// SPDX-License-Identifier: Apache-2.0

// Package certify checks a connector definition against the rules a
// public connector catalogue applies before it accepts a connector: the
// Power Platform swagger validator (base and certification modes), the
// apiProperties.json constraints and the de facto rules every recently
// certified connector follows (reference/CERTIFICATION.md).
//
// Rules work on the documents themselves, as decoded JSON, so that every
// [Finding] carries a JSON pointer into the file it is about. Each rule has
// a stable id and a severity per [Profile]: [Platform] holds what any
// custom connector must pass to be saved, [Certification] adds the content
// quality rules of certification review. [Rules] lists them all.
//
// Postman collections are checked too: they are imported with
// connector/postman and the rules that apply to any connector (summaries,
// descriptions, response schemas) run on the imported spec.
package certify

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Severity says how bad a finding is. Only errors fail a check.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
	// none marks a rule that a profile does not report.
	none Severity = ""
)

// Profile selects which rules run and how severe their findings are.
type Profile string

// Profiles.
const (
	// Platform is what any custom connector must pass to be saved; the
	// certification content rules are reported as warnings.
	Platform Profile = "platform"
	// Certification adds the content-quality rules of certification
	// review, as errors.
	Certification Profile = "certification"
)

// ParseProfile returns the profile named s.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(strings.ToLower(s)); p {
	case Platform, Certification:
		return p, nil
	}
	return "", fmt.Errorf("unknown profile %q: want platform or certification", s)
}

// Finding is one rule violation.
type Finding struct {
	Severity Severity `json:"severity"`
	// Rule is the rule's stable id, e.g. "swagger.info.contact".
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Pointer is a JSON pointer (RFC 6901) into File; "" is the whole file.
	Pointer string `json:"pointer"`
	File    string `json:"file"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s %s %s#%s: %s", strings.ToUpper(string(f.Severity)), f.Rule, f.File, f.Pointer, f.Message)
}

// Report is the result of a check.
type Report struct {
	Profile Profile `json:"profile"`
	// Findings are sorted by file, then pointer (numeric segments in
	// numeric order), then rule.
	Findings []Finding `json:"findings"`
}

// HasErrors reports whether any finding is an error.
func (r Report) HasErrors() bool { return r.Count(SeverityError) > 0 }

// Count returns the number of findings of severity s.
func (r Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// ByRule returns the findings of one rule.
func (r Report) ByRule(rule string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// Rule describes one check.
type Rule struct {
	ID string `json:"id"`
	// Ref is the rule's number in reference/CERTIFICATION.md ("M4"), or a
	// short note on where it comes from.
	Ref string `json:"ref"`
	// Platform and Certification are the severities in each profile;
	// "" means the profile does not report the rule.
	Platform      Severity `json:"platform,omitempty"`
	Certification Severity `json:"certification,omitempty"`
	// Doc says what the rule checks.
	Doc string `json:"doc"`
}

// Severity returns the rule's severity in profile p.
func (r Rule) Severity(p Profile) Severity {
	if p == Platform {
		return r.Platform
	}
	return r.Certification
}

// Rules returns the catalogue of rules, sorted by id.
func Rules() []Rule {
	out := append([]Rule(nil), catalogue...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

var ruleIndex = func() map[string]Rule {
	m := make(map[string]Rule, len(catalogue))
	for _, r := range catalogue {
		if _, dup := m[r.ID]; dup {
			panic("certify: duplicate rule " + r.ID)
		}
		m[r.ID] = r
	}
	return m
}()

// checker collects findings for one profile.
type checker struct {
	profile  Profile
	findings []Finding
}

// add records a finding of rule at pointer in file, at the rule's severity
// for the profile; rules the profile does not report are dropped.
func (c *checker) add(rule, file, pointer, format string, args ...any) {
	r, ok := ruleIndex[rule]
	if !ok {
		panic("certify: unknown rule " + rule) // programmer error: every rule is catalogued
	}
	sev := r.Severity(c.profile)
	if sev == none {
		return
	}
	c.findings = append(c.findings, Finding{Severity: sev, Rule: rule, Message: fmt.Sprintf(format, args...), Pointer: pointer, File: file})
}

func (c *checker) report() Report {
	sort.SliceStable(c.findings, func(i, j int) bool {
		a, b := c.findings[i], c.findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if cmp := comparePointers(a.Pointer, b.Pointer); cmp != 0 {
			return cmp < 0
		}
		return a.Rule < b.Rule
	})
	if c.findings == nil {
		c.findings = []Finding{}
	}
	return Report{Profile: c.profile, Findings: c.findings}
}

// comparePointers orders JSON pointers segment by segment, numeric
// segments by value, so /parameters/2 comes before /parameters/10.
func comparePointers(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		if aerr == nil && berr == nil {
			if an < bn {
				return -1
			}
			return 1
		}
		if as[i] < bs[i] {
			return -1
		}
		return 1
	}
	return len(as) - len(bs)
}

// ptr appends escaped segments to a JSON pointer.
func ptr(base string, segs ...any) string {
	var b strings.Builder
	b.WriteString(base)
	for _, s := range segs {
		b.WriteByte('/')
		switch t := s.(type) {
		case int:
			b.WriteString(strconv.Itoa(t))
		case string:
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
		}
	}
	return b.String()
}

// decode reads standard JSON into generic values with json.Number numbers.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return v, nil
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func isTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}

// sortedKeys returns m's keys in order, for deterministic walks.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
