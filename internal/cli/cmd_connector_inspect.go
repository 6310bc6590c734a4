// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/connector"
)

func init() {
	registerConnector(func() *cobra.Command {
		var asJSON bool
		c := &cobra.Command{
			Use:   "inspect PATH",
			Short: "Import a connector definition and show what it contains",
			Long: `Import a connector definition and show what it contains: title, base URL,
authentication, connection parameters, policies and operations, with the
warnings the import produced.

PATH is a Power Platform connector folder (apiDefinition.swagger.json and an
optional apiProperties.json), an OpenAPI 2.0/3.x document (JSON or YAML) or a
Postman collection. Exit status 0 when it imported (warnings allowed), 1 when
it cannot be read.`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				spec, warns, err := loadConnector(args[0])
				if err != nil {
					return &ExitError{Code: 1, Err: err}
				}
				out := newInspectOutput(spec, warns)
				if asJSON {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					enc.SetEscapeHTML(false)
					if err := enc.Encode(out); err != nil {
						return &ExitError{Code: 1, Err: fmt.Errorf("writing output: %w", err)}
					}
					return nil
				}
				if err := out.writeText(cmd.OutOrStdout()); err != nil {
					return &ExitError{Code: 1, Err: fmt.Errorf("writing output: %w", err)}
				}
				return nil
			},
		}
		c.Flags().BoolVar(&asJSON, "json", false, "print the imported connector as one JSON object")
		return c
	})
}

// inspectOutput is the `connector inspect --json` document. Its keys are a
// fixed contract (DESIGN.md): change them only additively.
type inspectOutput struct {
	ID                   string             `json:"id"`
	Title                string             `json:"title"`
	Description          string             `json:"description"`
	BaseURL              string             `json:"baseUrl"`
	Auth                 []inspectAuth      `json:"auth"`
	ConnectionParameters []inspectConnParam `json:"connectionParameters"`
	Policies             []inspectPolicy    `json:"policies"`
	Operations           []inspectOperation `json:"operations"`
	Warnings             []string           `json:"warnings"`
}

type inspectAuth struct {
	Kind      string   `json:"kind"`
	Name      string   `json:"name,omitempty"`
	In        string   `json:"in,omitempty"`
	ParamName string   `json:"paramName,omitempty"`
	Flow      string   `json:"flow,omitempty"`
	AuthURL   string   `json:"authorizationUrl,omitempty"`
	TokenURL  string   `json:"tokenUrl,omitempty"`
	Scopes    []string `json:"scopes,omitempty"`
	Parameter string   `json:"parameter,omitempty"`
}

type inspectConnParam struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
	// Set names the connection parameter set, "" outside sets.
	Set string `json:"set,omitempty"`
}

type inspectPolicy struct {
	TemplateID string   `json:"templateId"`
	Operations []string `json:"operations"`
}

type inspectOperation struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Trigger    string `json:"trigger"`
	Method     string `json:"method"`
	Path       string `json:"path"`
	Summary    string `json:"summary"`
	Visibility string `json:"visibility"`
	Deprecated bool   `json:"deprecated"`
}

func newInspectOutput(spec *connector.Spec, warns []connector.Warning) *inspectOutput {
	out := &inspectOutput{
		ID: spec.ID, Title: spec.Title, Description: spec.Description, BaseURL: spec.BaseURL,
		Auth: []inspectAuth{}, ConnectionParameters: []inspectConnParam{}, Policies: []inspectPolicy{},
		Operations: []inspectOperation{}, Warnings: []string{},
	}
	for _, a := range spec.Auth {
		out.Auth = append(out.Auth, inspectAuth{
			Kind: string(a.Kind), Name: a.Name, In: a.In, ParamName: a.ParamName, Flow: a.Flow,
			AuthURL: a.AuthorizationURL, TokenURL: a.TokenURL, Scopes: a.Scopes, Parameter: a.Parameter,
		})
	}
	for _, p := range spec.ConnectionParameters {
		out.ConnectionParameters = append(out.ConnectionParameters, inspectConnParam{Name: p.Name, Type: string(p.Type), Required: p.Required})
	}
	for _, set := range spec.ParameterSets {
		for _, p := range set.Parameters {
			out.ConnectionParameters = append(out.ConnectionParameters, inspectConnParam{Name: p.Name, Type: string(p.Type), Required: p.Required, Set: set.Name})
		}
	}
	for _, p := range spec.Policies {
		ops := p.Operations
		if ops == nil {
			ops = []string{}
		}
		out.Policies = append(out.Policies, inspectPolicy{TemplateID: p.TemplateID, Operations: ops})
	}
	for _, op := range spec.Operations {
		out.Operations = append(out.Operations, inspectOperation{
			ID: op.ID, Kind: string(op.Kind), Trigger: string(op.Trigger), Method: op.Method, Path: op.Path,
			Summary: op.Summary, Visibility: string(op.Visibility), Deprecated: op.Deprecated,
		})
	}
	for _, w := range warns {
		out.Warnings = append(out.Warnings, w.String())
	}
	return out
}

// writeText prints a readable summary.
func (o *inspectOutput) writeText(w io.Writer) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (%s)\n", o.Title, o.ID)
	if o.Description != "" {
		fmt.Fprintf(&sb, "  %s\n", firstLine(o.Description))
	}
	fmt.Fprintf(&sb, "Base URL: %s\n", orNone(o.BaseURL))
	if len(o.Auth) == 0 {
		sb.WriteString("Auth: none\n")
	} else {
		sb.WriteString("Auth:\n")
		for _, a := range o.Auth {
			detail := ""
			switch {
			case a.In != "":
				detail = fmt.Sprintf(" (%s %s)", a.In, a.ParamName)
			case a.Flow != "":
				detail = fmt.Sprintf(" (%s flow)", a.Flow)
			}
			fmt.Fprintf(&sb, "  %s%s\n", a.Kind, detail)
		}
	}
	if len(o.ConnectionParameters) == 0 {
		sb.WriteString("Connection parameters: none\n")
	} else {
		sb.WriteString("Connection parameters:\n")
		for _, p := range o.ConnectionParameters {
			req := ""
			if p.Required {
				req = ", required"
			}
			set := ""
			if p.Set != "" {
				set = " [set " + p.Set + "]"
			}
			fmt.Fprintf(&sb, "  %s (%s%s)%s\n", p.Name, p.Type, req, set)
		}
	}
	if len(o.Policies) > 0 {
		sb.WriteString("Policies:\n")
		for _, p := range o.Policies {
			scope := "all operations"
			if len(p.Operations) > 0 {
				scope = strings.Join(p.Operations, ", ")
			}
			fmt.Fprintf(&sb, "  %s: %s\n", p.TemplateID, scope)
		}
	}
	fmt.Fprintf(&sb, "Operations (%d):\n", len(o.Operations))
	if _, err := io.WriteString(w, sb.String()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tKIND\tMETHOD\tPATH\tSUMMARY")
	for _, op := range o.Operations {
		kind := op.Kind
		if op.Trigger != "" {
			kind += "/" + op.Trigger
		}
		if op.Deprecated {
			kind += " (deprecated)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", op.ID, kind, op.Method, op.Path, firstLine(op.Summary))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(o.Warnings) > 0 {
		fmt.Fprintf(w, "Warnings (%d):\n", len(o.Warnings))
		for _, m := range o.Warnings {
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
