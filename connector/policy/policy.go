// SPDX-License-Identifier: Apache-2.0

package policy

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/junction-run/junction/connector"
)

// Request is an outgoing request while request-section policies shape it.
type Request struct {
	Method string
	// Base is the scheme, host and base path the path is appended to.
	Base *url.URL
	// Path is the operation path with its parameters substituted and
	// escaped; it starts with '/' (or is empty).
	Path   string
	Query  url.Values
	Header http.Header
	// Body is a JSON body as decoded values; nil means no JSON body.
	Body any
	// Raw is a non-JSON body (form, multipart, text), sent as is when Body
	// is nil; its Content-Type is in Header.
	Raw []byte
}

// URL returns the full URL of the request.
func (r *Request) URL() *url.URL {
	u := *r.Base
	u.RawQuery = ""
	u.Fragment = ""
	base := strings.TrimRight(u.EscapedPath(), "/")
	p := r.Path
	if p != "" && p[0] != '/' {
		p = "/" + p
	}
	full := base + p
	if full == "" {
		full = "/"
	}
	if pu, err := url.Parse(full); err == nil {
		u.Path, u.RawPath = pu.Path, pu.RawPath
	}
	u.RawQuery = encodeQuery(r.Query)
	return &u
}

// encodeQuery encodes a query like url.Values.Encode (sorted by name) but
// with spaces as %20, which every server reads as a space ('+' is read as a
// space only by form decoders).
func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(esc(k))
			b.WriteByte('=')
			b.WriteString(esc(v))
		}
	}
	return b.String()
}

// Clone returns a deep copy of the request's URL parts and headers (the body
// is shared).
func (r *Request) Clone() *Request {
	c := *r
	b := *r.Base
	c.Base = &b
	c.Query = url.Values{}
	for k, v := range r.Query {
		c.Query[k] = append([]string(nil), v...)
	}
	c.Header = r.Header.Clone()
	return &c
}

// Response is the backend's answer while response-section policies shape it.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is decoded JSON, a string for text, []byte otherwise, nil when
	// empty.
	Body any
}

// Exchange is one call passing through the policies.
type Exchange struct {
	// OperationID is the operation being called.
	OperationID string
	// Operation is its definition, nil when unknown.
	Operation *connector.Operation
	// Conn holds the connection's values for @connectionParameters.
	Conn connector.Connection
	// Params are the operation's parameter values (defaults applied), for
	// {param} placeholders.
	Params map[string]any
	// Request is the outgoing request.
	Request *Request
	// Response is the answer; nil in the request section and after a
	// transport error.
	Response *Response
	// Err is the transport error in the failure section.
	Err error
	// TriggerBody is the last trigger response body (polling state).
	TriggerBody any
	// Env holds environment variables for @environmentVariables.
	Env map[string]string
	// Send makes an auxiliary call to the backend (setvaluefromurl). The
	// request carries the credentials of the main request.
	Send func(ctx context.Context, r *Request) (*Response, error)
	// RewriteNextLink, when set, rewrites a paging link so that it routes
	// through the caller (updatenextlink); links are made absolute first.
	RewriteNextLink func(link string) string
	// Unauthenticated is set by setconnectionstatustounauthenticated when
	// the answer means the connection's credentials no longer work.
	Unauthenticated bool

	originalMethod string
}

// Section is where a policy runs.
type Section string

// Sections of a policy.
const (
	SectionRequest  Section = "request"
	SectionResponse Section = "response"
	SectionFailure  Section = "failure"
)

// Error is a policy that cannot be applied: bad parameters or a failed
// evaluation. Its message names the template, the instance and the
// parameter.
type Error struct {
	TemplateID string
	Title      string
	Index      int    // position in the connector's policy list
	Param      string // template parameter, "" when not about one
	Err        error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("policy %s (#%d", e.TemplateID, e.Index+1)
	if e.Title != "" {
		s += fmt.Sprintf(" %q", e.Title)
	}
	s += ")"
	if e.Param != "" {
		s += ": parameter " + e.Param
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Options configure a [Set].
type Options struct {
	// Logger receives Debug messages (unknown templates); nil discards.
	Logger *slog.Logger
}

// Set is a compiled list of policy instances. It is safe for concurrent use.
type Set struct {
	instances []*instance
	byPhase   []*instance // request section in phase order
	logger    *slog.Logger
	once      sync.Map // unknown template id -> struct{}
}

type applyFunc func(ctx context.Context, x *Exchange, in *instance) error

type instance struct {
	index   int
	id      string // lower-cased template id
	pi      connector.PolicyInstance
	section Section
	phase   int
	apply   applyFunc
	err     error // compile error, reported when the instance applies
	polling *PollingTrigger
	data    any // template-specific compiled parameters
	// bodyFree means applying the instance neither reads nor changes the
	// body (see [Set.UsesBody]).
	bodyFree bool
}

func (in *instance) errorf(param string, format string, args ...any) error {
	return &Error{TemplateID: in.id, Title: in.pi.Title, Index: in.index, Param: param, Err: fmt.Errorf(format, args...)}
}

func (in *instance) wrap(param string, err error) error {
	return &Error{TemplateID: in.id, Title: in.pi.Title, Index: in.index, Param: param, Err: err}
}

// New compiles policy instances. It never fails: an instance with bad
// parameters keeps its error, which [Set.Errors] lists and which is
// returned when the instance would apply.
func New(instances []connector.PolicyInstance, opts Options) *Set {
	s := &Set{logger: opts.Logger}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	for i, pi := range instances {
		in := &instance{index: i, id: strings.ToLower(strings.TrimSpace(pi.TemplateID)), pi: pi}
		compile(in)
		s.instances = append(s.instances, in)
	}
	for _, in := range s.instances {
		if in.section == SectionRequest {
			s.byPhase = append(s.byPhase, in)
		}
	}
	sort.SliceStable(s.byPhase, func(i, j int) bool { return s.byPhase[i].phase < s.byPhase[j].phase })
	return s
}

// Errors lists the instances whose parameters are wrong.
func (s *Set) Errors() []error {
	var errs []error
	for _, in := range s.instances {
		if in.err != nil {
			errs = append(errs, in.err)
		}
	}
	return errs
}

// Request applies the request-section policies in scope of x.OperationID.
func (s *Set) Request(ctx context.Context, x *Exchange) error {
	if x.originalMethod == "" && x.Request != nil {
		x.originalMethod = x.Request.Method
	}
	return s.run(ctx, x, s.byPhase, SectionRequest)
}

// Response applies the response-section policies to x.Response.
func (s *Set) Response(ctx context.Context, x *Exchange) error {
	return s.run(ctx, x, s.instances, SectionResponse)
}

// Failure applies the failure-section policies. x.Response is the error
// answer, or an empty response with status 0 after a transport error.
func (s *Set) Failure(ctx context.Context, x *Exchange) error {
	if x.Response == nil {
		x.Response = &Response{Header: http.Header{}}
	}
	return s.run(ctx, x, s.instances, SectionFailure)
}

func (s *Set) run(ctx context.Context, x *Exchange, list []*instance, section Section) error {
	if s == nil {
		return nil
	}
	for _, in := range list {
		if in.section != section || !in.pi.AppliesTo(x.OperationID) {
			continue
		}
		if in.apply == nil && in.err == nil {
			if _, seen := s.once.LoadOrStore(in.id, struct{}{}); !seen {
				s.logger.Debug("ignoring unknown policy template", slog.String("template", in.pi.TemplateID))
			}
			continue
		}
		if in.err != nil {
			return in.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := in.apply(ctx, x, in); err != nil {
			return err
		}
	}
	return nil
}

// UsesBody reports whether a policy of section that applies to operationID
// may read or change the body (x.Request.Body in the request section,
// x.Response.Body in the response and failure sections). When it reports
// false, a caller may leave the body out of the exchange (Request.Body nil,
// the bytes in Request.Raw; Response.Body nil) and pass the bytes through
// untouched. Unknown templates are never applied, so they use no body.
func (s *Set) UsesBody(operationID string, section Section) bool {
	if s == nil {
		return false
	}
	for _, in := range s.instances {
		if in.section != section || in.bodyFree || (in.apply == nil && in.err == nil) || !in.pi.AppliesTo(operationID) {
			continue
		}
		return true
	}
	return false
}

// PollingTrigger returns the pollingtrigger configuration for the operation,
// or nil when it has none. A pollingtrigger instance with bad parameters
// returns its error.
func (s *Set) PollingTrigger(operationID string) (*PollingTrigger, error) {
	if s == nil {
		return nil, nil
	}
	for _, in := range s.instances {
		if in.id != "pollingtrigger" || !in.pi.AppliesTo(operationID) {
			continue
		}
		if in.err != nil {
			return nil, in.err
		}
		return in.polling, nil
	}
	return nil, nil
}

// param returns a template parameter by name, case-insensitively.
func (in *instance) param(name string) (any, bool) {
	if v, ok := in.pi.Parameters[name]; ok {
		return v, true
	}
	for k, v := range in.pi.Parameters {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// str returns a string parameter; required parameters must be non-empty.
func (in *instance) str(name string, required bool) (string, error) {
	v, ok := in.param(name)
	if !ok || v == nil {
		if required {
			return "", in.errorf(name, "required")
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		s = Stringify(v)
	}
	if required && strings.TrimSpace(s) == "" {
		return "", in.errorf(name, "required")
	}
	return s, nil
}

func (in *instance) template(name string, required bool) (*Template, error) {
	s, err := in.str(name, required)
	if err != nil {
		return nil, err
	}
	t, err := ParseTemplate(s)
	if err != nil {
		return nil, in.wrap(name, err)
	}
	return t, nil
}

func (in *instance) path(name string, required bool) (*Expr, error) {
	s, err := in.str(name, required)
	if err != nil || s == "" {
		return nil, err
	}
	e, err := ParsePath(s)
	if err != nil {
		return nil, in.wrap(name, err)
	}
	return e, nil
}

func (in *instance) subPath(name string) ([]Step, error) {
	s, err := in.str(name, false)
	if err != nil {
		return nil, err
	}
	steps, err := ParseSubPath(s)
	if err != nil {
		return nil, in.wrap(name, err)
	}
	return steps, nil
}

// sectionOf reads the instance's section; def is the template's default and
// allowed the sections it supports.
func (in *instance) sectionOf(def Section, allowed ...Section) error {
	s := Section(strings.ToLower(strings.TrimSpace(in.pi.Section)))
	if s == "" {
		if v, err := in.str("policySection", false); err == nil && v != "" {
			s = Section(strings.ToLower(strings.TrimSpace(v)))
		}
	}
	if s == "" {
		s = def
	}
	for _, a := range allowed {
		if s == a {
			in.section = s
			return nil
		}
	}
	in.section = def
	return in.errorf("policySection", "%q is not supported by this template", in.pi.Section)
}

// scope builds the expression scope for x in the given section.
func scope(x *Exchange, section Section) *Scope {
	sc := &Scope{Conn: x.Conn.Values, Env: x.Env, TriggerBody: x.TriggerBody, Method: x.originalMethod}
	if x.Request != nil {
		sc.Header, sc.Query, sc.Body = x.Request.Header, x.Request.Query, x.Request.Body
		if sc.Method == "" {
			sc.Method = x.Request.Method
		}
	}
	if section != SectionRequest && x.Response != nil {
		sc.Header, sc.Body = x.Response.Header, x.Response.Body
	}
	return sc
}
