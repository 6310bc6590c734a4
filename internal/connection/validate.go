// SPDX-License-Identifier: Apache-2.0

package connection

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
)

// OAuthValue is the value of an oauthSetting parameter: what the
// connection adds to the connector's oAuthSettings. The client secret
// always comes from here, never from the spec.
type OAuthValue struct {
	// ClientID overrides the spec's client id.
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	// GrantType is "authorization_code" (default) or "client_credentials".
	GrantType string `json:"grantType,omitempty"`
	// Scopes override the spec's scopes.
	Scopes []string `json:"scopes,omitempty"`
	// TenantID overrides the aad tenant (customParameters tenantId).
	TenantID string `json:"tenantId,omitempty"`
}

// Grant types.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
)

// validated is a checked set of parameter values.
type validated struct {
	set        string
	values     map[string]any // non-secret, with defaults
	secrets    map[string]any // secret, possibly Mask (keep the stored one)
	oauthParam string
	oauth      *OAuthValue
}

func invalidParam(param, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParam, Kind: connector.KindBadRequest, Param: param, Msg: fmt.Sprintf(format, args...)}
}

// parameterList returns the parameters of the named set (or the only
// list), choosing a set when set is "" and the spec has several.
func parameterList(spec *connector.Spec, set string, in map[string]any) (string, []connector.ConnectionParameter, error) {
	if len(spec.ParameterSets) == 0 {
		if set != "" {
			return "", nil, invalidParam("", "connector %s has no parameter sets, but parameterSet %q was given", spec.ID, set)
		}
		return "", spec.ConnectionParameters, nil
	}
	names := make([]string, len(spec.ParameterSets))
	for i, ps := range spec.ParameterSets {
		names[i] = ps.Name
		if set != "" && ps.Name == set {
			return ps.Name, ps.Parameters, nil
		}
	}
	if set != "" {
		return "", nil, invalidParam("", "connector %s has no parameter set %q (it has %s)", spec.ID, set, strings.Join(names, ", "))
	}
	// Pick the sets that know every given parameter.
	var fits []int
	for i, ps := range spec.ParameterSets {
		ok := true
		for k := range in {
			if !hasParam(ps.Parameters, k) {
				ok = false
				break
			}
		}
		if ok {
			fits = append(fits, i)
		}
	}
	if len(fits) == 1 {
		ps := spec.ParameterSets[fits[0]]
		return ps.Name, ps.Parameters, nil
	}
	if len(spec.ParameterSets) == 1 {
		ps := spec.ParameterSets[0]
		return ps.Name, ps.Parameters, nil
	}
	return "", nil, invalidParam("", "connector %s has several parameter sets (%s): choose one with \"parameterSet\"", spec.ID, strings.Join(names, ", "))
}

func hasParam(list []connector.ConnectionParameter, name string) bool {
	for i := range list {
		if list[i].Name == name {
			return true
		}
	}
	return false
}

// validate checks in against the connector's connection parameters:
// unknown parameters, types, required values, allowed values.
func validate(spec *connector.Spec, set string, in map[string]any) (*validated, error) {
	set, params, err := parameterList(spec, set, in)
	if err != nil {
		return nil, err
	}
	unknown := make([]string, 0)
	for k := range in {
		if !hasParam(params, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := make([]string, len(params))
		for i := range params {
			known[i] = params[i].Name
		}
		return nil, invalidParam(unknown[0], "parameter %q is not a connection parameter of connector %s (known: %s)", unknown[0], spec.ID, strings.Join(known, ", "))
	}
	v := &validated{set: set, values: map[string]any{}, secrets: map[string]any{}}
	for i := range params {
		p := &params[i]
		raw, given := in[p.Name]
		if !given || raw == nil {
			switch {
			case p.Type == connector.TypeOAuthSetting:
				v.oauthParam = p.Name
				v.oauth = &OAuthValue{}
				v.secrets[p.Name] = v.oauth
				continue
			case p.Default != nil:
				raw = p.Default
			case p.Required:
				return nil, invalidParam(p.Name, "missing required parameter %q (%s)", p.Name, p.Type)
			default:
				continue
			}
		}
		val, err := convert(p, raw)
		if err != nil {
			return nil, err
		}
		if len(p.AllowedValues) > 0 && val != Mask && !allowed(p.AllowedValues, val) {
			return nil, invalidParam(p.Name, "parameter %q: value is not one of the allowed values %v", p.Name, p.AllowedValues)
		}
		if p.Type == connector.TypeOAuthSetting {
			v.oauthParam = p.Name
			if ov, ok := val.(*OAuthValue); ok {
				v.oauth = ov
			}
		}
		if p.Secret() {
			v.secrets[p.Name] = val
		} else {
			v.values[p.Name] = val
		}
	}
	return v, nil
}

func allowed(list []any, val any) bool {
	s := fmt.Sprint(val)
	for _, a := range list {
		if fmt.Sprint(a) == s {
			return true
		}
	}
	return false
}

// convert checks one value against its parameter's type. Error messages
// name the parameter and the type, never the value of a secret.
func convert(p *connector.ConnectionParameter, raw any) (any, error) {
	switch p.Type {
	case connector.TypeString, connector.TypeSecureString, "":
		s, ok := raw.(string)
		if !ok {
			return nil, invalidParam(p.Name, "parameter %q: want a string, got %s", p.Name, jsonKind(raw))
		}
		return s, nil
	case connector.TypeBool:
		switch b := raw.(type) {
		case bool:
			return b, nil
		case string:
			if pb, err := strconv.ParseBool(b); err == nil {
				return pb, nil
			}
		}
		return nil, invalidParam(p.Name, "parameter %q: want a boolean, got %s", p.Name, jsonKind(raw))
	case connector.TypeInt:
		var f float64
		switch n := raw.(type) {
		case json.Number:
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
			return nil, invalidParam(p.Name, "parameter %q: want an integer, got %s", p.Name, n)
		case float64:
			f = n
		case int:
			return int64(n), nil
		case int64:
			return n, nil
		case string:
			if i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
				return i, nil
			}
			return nil, invalidParam(p.Name, "parameter %q: want an integer, got a string that is not one", p.Name)
		default:
			return nil, invalidParam(p.Name, "parameter %q: want an integer, got %s", p.Name, jsonKind(raw))
		}
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return nil, invalidParam(p.Name, "parameter %q: want an integer, got %v", p.Name, f)
		}
		return int64(f), nil
	case connector.TypeOAuthSetting:
		if s, ok := raw.(string); ok && s == Mask {
			return Mask, nil
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, invalidParam(p.Name, "parameter %q: want an object {clientId, clientSecret, grantType, scopes, tenantId}, got %s", p.Name, jsonKind(raw))
		}
		b, _ := json.Marshal(m)
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		ov := &OAuthValue{}
		if err := d.Decode(ov); err != nil {
			return nil, invalidParam(p.Name, "parameter %q: %s", p.Name, oauthDecodeMsg(err))
		}
		switch ov.GrantType {
		case "", GrantAuthorizationCode, GrantClientCredentials:
		default:
			return nil, invalidParam(p.Name, "parameter %q: grantType must be %q or %q", p.Name, GrantAuthorizationCode, GrantClientCredentials)
		}
		return ov, nil
	default:
		// gatewaySetting and future types: kept as given.
		return raw, nil
	}
}

// oauthDecodeMsg describes a decoding error without quoting values.
func oauthDecodeMsg(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asType(err, &te); ok {
		return fmt.Sprintf("field %s: want %s", te.Field, te.Type)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field") {
		return strings.TrimPrefix(msg, "json: ") + " (known: clientId, clientSecret, grantType, scopes, tenantId)"
	}
	return "not a valid oauth setting"
}

func asType(err error, target **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = t
	}
	return ok
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}
