// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/rest"
)

// callFlags are the flags of `junction connector call`.
type callFlags struct {
	params  []string
	body    string
	auth    []string
	conn    []string
	baseURL string
	asJSON  bool
	timeout time.Duration
	verbose bool
}

func init() {
	registerConnector(func() *cobra.Command {
		var f callFlags
		c := &cobra.Command{
			Use:   "call PATH OPERATION_ID",
			Short: "Invoke one operation of a connector and print the response",
			Long: `Invoke one operation of an imported connector (a Power Platform folder or an
OpenAPI document) and print the response: the status line, the headers and
the body (pretty JSON, or text).

Parameters are given with --param name=value (text values are converted to the
parameter's declared type), the body with --body JSON or --body @file.
Credentials map onto the connection parameters of the Power Platform
convention:

  --auth apikey=KEY        api_key (placed where the apiKey definition says)
  --auth basic=USER:PASS   username and password
  --auth bearer=TOKEN      token (Authorization: Bearer TOKEN; also oauth2=TOKEN)

--conn name=value sets any other connection parameter (for policies such as
dynamichosturl). --base-url replaces the definition's scheme, host and base
path, handy against a local server. The connector's policies apply.

Exit status 0 on a 2xx/3xx answer; 1 on an HTTP error answer (printed too) or
any other failure.`,
			Example: `  junction connector call ./MyConnector GetItem --param id=42 --auth apikey=$KEY
  junction connector call api.yaml CreateItem --body @item.json --auth basic=me:secret --json`,
			Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runCall(cmd, args[0], args[1], &f)
			},
		}
		fl := c.Flags()
		fl.StringArrayVar(&f.params, "param", nil, "operation parameter `name=value` (repeatable)")
		fl.StringVar(&f.body, "body", "", "request body: JSON text, or @file to read it from a file")
		fl.StringArrayVar(&f.auth, "auth", nil, "credentials: apikey=KEY, basic=USER:PASS or bearer=TOKEN")
		fl.StringArrayVar(&f.conn, "conn", nil, "connection parameter `name=value` (repeatable)")
		fl.StringVar(&f.baseURL, "base-url", "", "override the connector's base URL")
		fl.BoolVar(&f.asJSON, "json", false, `print {"statusCode","headers","body"} as JSON`)
		fl.DurationVar(&f.timeout, "timeout", 100*time.Second, "give up after this long")
		fl.BoolVarP(&f.verbose, "verbose", "v", false, "log the HTTP exchange (without secrets) to stderr")
		return c
	})
}

func runCall(cmd *cobra.Command, path, opID string, f *callFlags) error {
	fail := func(err error) error { return &ExitError{Code: 1, Err: err} }
	spec, _, err := loadConnector(path)
	if err != nil {
		return fail(err)
	}
	op, ok := spec.Operation(opID)
	if !ok {
		return fail(fmt.Errorf("connector %s has no operation %q (see `junction connector inspect %s`)", spec.ID, opID, path))
	}
	in := connector.Input{Parameters: map[string]any{}}
	for _, kv := range f.params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fail(fmt.Errorf("--param %q: want name=value", kv))
		}
		in.Parameters[k] = v
	}
	if f.body != "" {
		if in.Body, err = readBody(f.body, op); err != nil {
			return fail(err)
		}
	}
	conn := connector.Connection{Name: "cli", Values: map[string]any{}}
	for _, kv := range f.conn {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fail(fmt.Errorf("--conn %q: want name=value", kv))
		}
		conn.Values[k] = v
	}
	for _, a := range f.auth {
		if err := applyAuthFlag(cmd.ErrOrStderr(), spec, conn.Values, a); err != nil {
			return fail(err)
		}
	}
	logger := slog.New(slog.DiscardHandler)
	if f.verbose {
		logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	p := rest.New(spec, rest.Options{BaseURL: f.baseURL, Logger: logger, UserAgent: "junction/" + Version})
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	out, callErr := p.Invoke(ctx, conn, opID, in)
	if out.StatusCode != 0 {
		if err := printOutput(cmd.OutOrStdout(), out, f.asJSON); err != nil {
			return fail(fmt.Errorf("writing output: %w", err))
		}
	}
	if callErr != nil {
		return fail(callErr)
	}
	return nil
}

// readBody reads --body: JSON text or @file. For an operation that does not
// take JSON, text that is not JSON is sent as it is.
func readBody(arg string, op *connector.Operation) (any, error) {
	data := []byte(arg)
	if strings.HasPrefix(arg, "@") {
		var err error
		if data, err = os.ReadFile(arg[1:]); err != nil {
			return nil, fmt.Errorf("--body: %w", err)
		}
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	if err == nil && !d.More() {
		return v, nil
	}
	if consumesJSON(op) {
		if err == nil {
			err = errors.New("trailing data after the JSON value")
		}
		return nil, fmt.Errorf("--body is not valid JSON: %w", err)
	}
	return string(data), nil
}

func consumesJSON(op *connector.Operation) bool {
	if len(op.Consumes) == 0 {
		return true
	}
	for _, c := range op.Consumes {
		if strings.Contains(strings.ToLower(c), "json") {
			return true
		}
	}
	return false
}

// applyAuthFlag maps one --auth flag onto connection values, and warns when
// the connector declares no matching security definition.
func applyAuthFlag(stderr io.Writer, spec *connector.Spec, values map[string]any, flag string) error {
	kind, val, ok := strings.Cut(flag, "=")
	if !ok || val == "" {
		return fmt.Errorf("--auth %s: want apikey=KEY, basic=USER:PASS or bearer=TOKEN", strings.SplitN(flag, "=", 2)[0])
	}
	var kinds []connector.AuthKind
	switch strings.ToLower(kind) {
	case "apikey", "api_key", "key":
		values[rest.ParamAPIKey] = val
		for _, a := range spec.Auth {
			if a.Kind == connector.AuthAPIKey && a.Parameter != "" {
				values[a.Parameter] = val
			}
		}
		kinds = []connector.AuthKind{connector.AuthAPIKey}
	case "basic":
		user, pass, ok := strings.Cut(val, ":")
		if !ok {
			return errors.New("--auth basic: want basic=USER:PASS")
		}
		values[rest.ParamUsername], values[rest.ParamPassword] = user, pass
		kinds = []connector.AuthKind{connector.AuthBasic}
	case "bearer", "oauth2", "token":
		values[rest.ParamToken] = val
		for _, a := range spec.Auth {
			if (a.Kind == connector.AuthOAuth2 || a.Kind == connector.AuthBearer) && a.Parameter != "" {
				values[a.Parameter] = val
			}
		}
		kinds = []connector.AuthKind{connector.AuthBearer, connector.AuthOAuth2}
	default:
		return fmt.Errorf("--auth %s: unknown kind (want apikey, basic or bearer)", kind)
	}
	for _, a := range spec.Auth {
		for _, k := range kinds {
			if a.Kind == k {
				return nil
			}
		}
	}
	fmt.Fprintf(stderr, "warning: connector %s declares no %s security definition; --auth %s only reaches policies that read the connection\n", spec.ID, kinds[0], kind)
	return nil
}

// callOutput is the --json document.
type callOutput struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       any               `json:"body"`
}

// printOutput writes the answer: a status line, sorted headers and the
// body, or one JSON object with --json (headers joined with ", " like Logic
// Apps outputs; a binary body is base64).
func printOutput(w io.Writer, out connector.Output, asJSON bool) error {
	if asJSON {
		doc := callOutput{StatusCode: out.StatusCode, Headers: map[string]string{}, Body: out.Body}
		for k, v := range out.Headers {
			doc.Headers[k] = strings.Join(v, ", ")
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(doc)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s\n", out.StatusCode, http.StatusText(out.StatusCode))
	keys := make([]string, 0, len(out.Headers))
	for k := range out.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range out.Headers[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	switch body := out.Body.(type) {
	case nil:
	case string:
		b.WriteString("\n" + body)
		if !strings.HasSuffix(body, "\n") {
			b.WriteByte('\n')
		}
	case []byte:
		if utf8.Valid(body) {
			b.WriteString("\n" + string(body))
			if !bytes.HasSuffix(body, []byte("\n")) {
				b.WriteByte('\n')
			}
		} else {
			fmt.Fprintf(&b, "\n(%d bytes of binary data)\n", len(body))
		}
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return err
		}
		b.WriteString("\n" + buf.String())
	}
	_, err := io.WriteString(w, b.String())
	return err
}
