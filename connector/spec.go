// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Status says how far a connector is from stable.
type Status string

// Statuses of a connector.
const (
	StatusAlpha  Status = "alpha"
	StatusBeta   Status = "beta"
	StatusStable Status = "stable"
)

// Spec describes a connector. It is the single source of truth for decoding,
// validation, UI forms and generated docs.
type Spec struct {
	// ID is lowercase, with '_' inside a word and '.' for namespaces.
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version,omitempty"`
	Status      Status `json:"status,omitempty"`
	Publisher   string `json:"publisher,omitempty"`
	// BrandColor is the icon brand colour, "#rrggbb".
	BrandColor string `json:"brandColor,omitempty"`
	IconURL    string `json:"iconUrl,omitempty"`
	// BaseURL is where operation paths are resolved against, from
	// host/basePath/schemes (OpenAPI 2) or servers (OpenAPI 3).
	BaseURL string `json:"baseUrl,omitempty"`
	// Auth lists the authentication kinds the service accepts.
	Auth []Auth `json:"auth,omitempty"`
	// ConnectionParameters are the values a connection holds.
	ConnectionParameters []ConnectionParameter `json:"connectionParameters,omitempty"`
	// ParameterSets, when present, replace ConnectionParameters: a connection
	// picks one set.
	ParameterSets []ParameterSet `json:"parameterSets,omitempty"`
	// Capabilities are the apiProperties capabilities ("actions", "triggers"...).
	Capabilities []string    `json:"capabilities,omitempty"`
	Operations   []Operation `json:"operations"`
	// Policies are policy template instances applied at the gateway.
	Policies []PolicyInstance `json:"policies,omitempty"`
	// Tags group operations (OpenAPI tags, Postman folders).
	Tags []Tag `json:"tags,omitempty"`
	// Extensions keeps document-level x-ms-* values as data.
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

// Tag names a group of operations.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// AuthKind is a kind of authentication.
type AuthKind string

// Authentication kinds.
const (
	AuthNone   AuthKind = "none"
	AuthAPIKey AuthKind = "apiKey"
	AuthBasic  AuthKind = "basic"
	AuthBearer AuthKind = "bearer"
	AuthOAuth2 AuthKind = "oauth2"
)

// Auth is one way to authenticate to the service.
type Auth struct {
	// Name is the security definition's name in the source document.
	Name string   `json:"name,omitempty"`
	Kind AuthKind `json:"kind"`
	// In and ParamName place an API key: In is "header" or "query".
	In        string `json:"in,omitempty"`
	ParamName string `json:"paramName,omitempty"`
	// Flow, AuthorizationURL, TokenURL and Scopes describe OAuth 2.0.
	Flow             string   `json:"flow,omitempty"`
	AuthorizationURL string   `json:"authorizationUrl,omitempty"`
	TokenURL         string   `json:"tokenUrl,omitempty"`
	RefreshURL       string   `json:"refreshUrl,omitempty"`
	Scopes           []string `json:"scopes,omitempty"`
	Description      string   `json:"description,omitempty"`
	// Parameter is the connection parameter holding the credential: by the
	// Power Platform convention "api_key" for apiKey, "token" for oauth2;
	// basic uses "username" and "password".
	Parameter string `json:"parameter,omitempty"`
}

// ParamType is the type of a connection parameter.
type ParamType string

// Connection parameter types.
const (
	TypeString       ParamType = "string"
	TypeSecureString ParamType = "securestring"
	TypeBool         ParamType = "bool"
	TypeInt          ParamType = "int"
	TypeOAuthSetting ParamType = "oauthSetting"
	TypeGateway      ParamType = "gatewaySetting"
)

// ConnectionParameter is one value a connection holds.
type ConnectionParameter struct {
	Name        string    `json:"name"`
	Type        ParamType `json:"type"`
	Required    bool      `json:"required"`
	DisplayName string    `json:"displayName,omitempty"`
	Description string    `json:"description,omitempty"`
	Tooltip     string    `json:"tooltip,omitempty"`
	Hidden      bool      `json:"hidden,omitempty"`
	Default     any       `json:"default,omitempty"`
	// AllowedValues restricts the value; empty means any.
	AllowedValues []any `json:"allowedValues,omitempty"`
	// OAuth is set for TypeOAuthSetting.
	OAuth *OAuthSetting `json:"oauth,omitempty"`
	// Advanced marks a parameter a form may fold away.
	Advanced bool `json:"advanced,omitempty"`
}

// Secret reports whether the parameter's value must never be shown or logged.
func (p ConnectionParameter) Secret() bool {
	return p.Type == TypeSecureString || p.Type == TypeOAuthSetting
}

// OAuthSetting is the oAuthSettings block of a Power Platform oauthSetting
// connection parameter.
type OAuthSetting struct {
	IdentityProvider string   `json:"identityProvider,omitempty"`
	ClientID         string   `json:"clientId,omitempty"`
	Scopes           []string `json:"scopes,omitempty"`
	RedirectMode     string   `json:"redirectMode,omitempty"`
	RedirectURL      string   `json:"redirectUrl,omitempty"`
	AuthorizationURL string   `json:"authorizationUrl,omitempty"`
	TokenURL         string   `json:"tokenUrl,omitempty"`
	RefreshURL       string   `json:"refreshUrl,omitempty"`
	// CustomParameters keeps the provider-specific values (tenantId,
	// resourceUri, authorizationUrlTemplate ...) by name.
	CustomParameters map[string]string `json:"customParameters,omitempty"`
	// Properties keeps the raw "properties" block.
	Properties map[string]any `json:"properties,omitempty"`
}

// ParameterSet is one alternative set of connection parameters.
type ParameterSet struct {
	Name        string                `json:"name"`
	DisplayName string                `json:"displayName,omitempty"`
	Description string                `json:"description,omitempty"`
	Parameters  []ConnectionParameter `json:"parameters"`
}

// PolicyInstance is one policy template instance (apiProperties.json
// policyTemplateInstances).
type PolicyInstance struct {
	// TemplateID as written; template ids compare case-insensitively.
	TemplateID string `json:"templateId"`
	Title      string `json:"title,omitempty"`
	Type       string `json:"type,omitempty"`
	// Operations limits the policy to these operation ids; empty means all.
	Operations []string `json:"operations,omitempty"`
	// Section is "Request", "Response" or "Failure"; empty means the
	// template's default.
	Section string `json:"section,omitempty"`
	// Parameters are the template parameters by name, without the
	// "x-ms-apimTemplateParameter." prefix.
	Parameters map[string]any `json:"parameters,omitempty"`
}

// AppliesTo reports whether the policy applies to the operation id.
func (p PolicyInstance) AppliesTo(operationID string) bool {
	if len(p.Operations) == 0 {
		return true
	}
	for _, id := range p.Operations {
		if id == operationID {
			return true
		}
	}
	return false
}

// Kind says whether an operation is an action or a trigger.
type Kind string

// Operation kinds.
const (
	KindAction  Kind = "action"
	KindTrigger Kind = "trigger"
)

// TriggerKind says how a trigger learns about events.
type TriggerKind string

// Trigger kinds. A trigger is push when it takes a callback URL
// (x-ms-notification-url), poll otherwise.
const (
	TriggerNone TriggerKind = ""
	TriggerPoll TriggerKind = "poll"
	TriggerPush TriggerKind = "push"
)

// Visibility is the x-ms-visibility of an operation or parameter.
type Visibility string

// Visibilities.
const (
	VisibilityNone      Visibility = ""
	VisibilityImportant Visibility = "important"
	VisibilityAdvanced  Visibility = "advanced"
	VisibilityInternal  Visibility = "internal"
)

// Operation is one action or trigger.
type Operation struct {
	ID          string      `json:"id"`
	Kind        Kind        `json:"kind"`
	Trigger     TriggerKind `json:"trigger"`
	Method      string      `json:"method,omitempty"`
	Path        string      `json:"path,omitempty"`
	Summary     string      `json:"summary,omitempty"`
	Description string      `json:"description,omitempty"`
	Tags        []string    `json:"tags,omitempty"`
	Visibility  Visibility  `json:"visibility"`
	Deprecated  bool        `json:"deprecated"`
	// TriggerHint is x-ms-trigger-hint.
	TriggerHint string `json:"triggerHint,omitempty"`
	// Consumes and Produces are media types.
	Consumes   []string   `json:"consumes,omitempty"`
	Produces   []string   `json:"produces,omitempty"`
	Parameters []Param    `json:"parameters,omitempty"`
	Responses  []Response `json:"responses,omitempty"`
	// Pagination is set for pageable operations (x-ms-pageable).
	Pagination *Pagination `json:"pagination,omitempty"`
	// Extensions keeps every x-ms-* value of the operation as data
	// (x-ms-api-annotation, x-ms-notification-content ...).
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

// Param returns the parameter named name and whether it exists.
func (o *Operation) Param(name string) (*Param, bool) {
	for i := range o.Parameters {
		if o.Parameters[i].Name == name {
			return &o.Parameters[i], true
		}
	}
	return nil, false
}

// Location is where a parameter goes in the request.
type Location string

// Parameter locations.
const (
	InPath     Location = "path"
	InQuery    Location = "query"
	InHeader   Location = "header"
	InBody     Location = "body"
	InFormData Location = "formData"
	InCookie   Location = "cookie"
)

// Param is one input of an operation.
type Param struct {
	Name        string     `json:"name"`
	In          Location   `json:"in"`
	Required    bool       `json:"required"`
	Summary     string     `json:"summary,omitempty"` // x-ms-summary
	Description string     `json:"description,omitempty"`
	Visibility  Visibility `json:"visibility,omitempty"`
	// Schema is the parameter's JSON Schema (for a body, the body schema).
	Schema  json.RawMessage `json:"schema,omitempty"`
	Default any             `json:"default,omitempty"`
	// URLEncoding is x-ms-url-encoding: "single" (default) or "double".
	URLEncoding string `json:"urlEncoding,omitempty"`
	// CollectionFormat is the OpenAPI 2 array format (csv, multi ...).
	CollectionFormat string `json:"collectionFormat,omitempty"`
	// CallbackURL marks the x-ms-notification-url parameter of a push trigger.
	CallbackURL bool `json:"callbackUrl,omitempty"`
	// Dynamic metadata annotations, kept as data.
	DynamicValues     json.RawMessage `json:"dynamicValues,omitempty"`
	DynamicSchema     json.RawMessage `json:"dynamicSchema,omitempty"`
	DynamicProperties json.RawMessage `json:"dynamicProperties,omitempty"`
	DynamicList       json.RawMessage `json:"dynamicList,omitempty"`
	DynamicTree       json.RawMessage `json:"dynamicTree,omitempty"`
	// Extensions keeps the other x-ms-* values.
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

// Response is one declared response of an operation.
type Response struct {
	// Status is the status code as text ("200") or "default".
	Status      string          `json:"status"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	// Headers maps a response header name to its JSON Schema.
	Headers map[string]json.RawMessage `json:"headers,omitempty"`
}

// Pagination says how to follow pages (x-ms-pageable).
type Pagination struct {
	// NextLinkName is the response body property that holds the next page's
	// URL; "" means the service does not page.
	NextLinkName string `json:"nextLinkName"`
	// ItemsName is the body property holding the items ("value" by default).
	ItemsName string `json:"itemsName,omitempty"`
}

// Operation returns the operation with the given id.
func (s *Spec) Operation(id string) (*Operation, bool) {
	for i := range s.Operations {
		if s.Operations[i].ID == id {
			return &s.Operations[i], true
		}
	}
	return nil, false
}

// ConnectionParameter returns the connection parameter named name, looking
// in ConnectionParameters and every parameter set.
func (s *Spec) ConnectionParameter(name string) (*ConnectionParameter, bool) {
	for i := range s.ConnectionParameters {
		if s.ConnectionParameters[i].Name == name {
			return &s.ConnectionParameters[i], true
		}
	}
	for j := range s.ParameterSets {
		ps := &s.ParameterSets[j]
		for i := range ps.Parameters {
			if ps.Parameters[i].Name == name {
				return &ps.Parameters[i], true
			}
		}
	}
	return nil, false
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(?:_[a-z0-9]+)*(?:\.[a-z0-9]+(?:_[a-z0-9]+)*)*$`)

// ValidID reports whether id is a valid connector id: lowercase letters and
// digits, '_' inside a word and '.' between namespaces.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// SanitizeID turns a free-form name ("Adobe Sign (EU)") into a valid id
// ("adobe_sign_eu").
func SanitizeID(name string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if underscore && b.Len() > 0 {
				b.WriteByte('_')
			}
			underscore = false
			b.WriteRune(r)
		default:
			underscore = true
		}
	}
	if b.Len() == 0 {
		return "connector"
	}
	return b.String()
}

// Validate checks the spec's own consistency: a valid id, unique non-empty
// operation ids, known kinds, and triggers with a trigger kind. It does no I/O.
func (s *Spec) Validate() error {
	if !ValidID(s.ID) {
		return fmt.Errorf("connector id %q: want lowercase words joined by '_' and namespaces by '.'", s.ID)
	}
	seen := make(map[string]bool, len(s.Operations))
	for i, op := range s.Operations {
		switch {
		case op.ID == "":
			return fmt.Errorf("connector %s: operation %d has no id", s.ID, i)
		case seen[op.ID]:
			return fmt.Errorf("connector %s: duplicate operation id %q", s.ID, op.ID)
		case op.Kind != KindAction && op.Kind != KindTrigger:
			return fmt.Errorf("connector %s: operation %s: unknown kind %q", s.ID, op.ID, op.Kind)
		case op.Kind == KindTrigger && op.Trigger != TriggerPoll && op.Trigger != TriggerPush:
			return fmt.Errorf("connector %s: trigger %s: trigger kind must be poll or push", s.ID, op.ID)
		case op.Kind == KindAction && op.Trigger != TriggerNone:
			return fmt.Errorf("connector %s: action %s has a trigger kind", s.ID, op.ID)
		}
		seen[op.ID] = true
	}
	return nil
}
