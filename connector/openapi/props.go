// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
)

// PolicyTemplates is the catalogue of policy template ids, lowercase.
// Template ids compare case-insensitively.
var PolicyTemplates = []string{
	"setheader", "setqueryparameter", "setproperty", "routerequesttoendpoint",
	"dynamichosturl", "convertarraytoobject", "convertobjecttoarray", "stringreplace",
	"setvaluefromurl", "updatenextlink", "pollingtrigger", "stringtoarray",
	"encodepropertyvalue", "moveproperties", "dynamicsubdomain",
	"setconnectionstatustounauthenticated",
}

// KnownPolicyTemplate reports whether id is in [PolicyTemplates], ignoring case.
func KnownPolicyTemplate(id string) bool {
	id = strings.ToLower(id)
	for _, t := range PolicyTemplates {
		if t == id {
			return true
		}
	}
	return false
}

// Prefixes of policy template instance parameters.
const (
	policyOperations = "x-ms-apimTemplate-operationName"
	policySection    = "x-ms-apimTemplate-policySection"
	policyParam      = "x-ms-apimTemplateParameter."
)

// applyProperties reads apiProperties.json into spec.
func applyProperties(spec *connector.Spec, doc *object, file string, warns *[]connector.Warning) {
	warn := func(ptr, format string, args ...any) {
		*warns = append(*warns, connector.Warning{File: file, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	props := doc.obj("properties")
	base := "/properties"
	if props == nil {
		warn("", "apiProperties.json has no properties object")
		return
	}
	spec.ConnectionParameters = connParams(props.obj("connectionParameters"), base+"/connectionParameters", warn)
	if sets := props.obj("connectionParameterSets"); sets != nil {
		for i, sv := range sets.arr("values") {
			so, ok := sv.(*object)
			if !ok {
				continue
			}
			ui := so.obj("uiDefinition")
			spec.ParameterSets = append(spec.ParameterSets, connector.ParameterSet{
				Name:        so.str("name"),
				DisplayName: ui.str("displayName"),
				Description: ui.str("description"),
				Parameters:  connParams(so.obj("parameters"), fmt.Sprintf("%s/connectionParameterSets/values/%d/parameters", base, i), warn),
			})
		}
	}
	if c := props.str("iconBrandColor"); c != "" {
		spec.BrandColor = c
	}
	if p := props.str("publisher"); p != "" {
		spec.Publisher = p
	}
	for _, c := range strs(props.arr("capabilities")) {
		spec.Capabilities = append(spec.Capabilities, strings.ToLower(c))
	}
	for i, pv := range props.arr("policyTemplateInstances") {
		ptr := fmt.Sprintf("%s/policyTemplateInstances/%d", base, i)
		po, ok := pv.(*object)
		if !ok {
			warn(ptr, "policy template instance is not an object")
			continue
		}
		pi := connector.PolicyInstance{TemplateID: po.str("templateId"), Title: po.str("title"), Type: po.str("type")}
		if !KnownPolicyTemplate(pi.TemplateID) {
			warn(ptr+"/templateId", "unknown policy template %q", pi.TemplateID)
		}
		for _, m := range po.obj("parameters").list() {
			switch {
			case m.key == policyOperations:
				switch ops := m.val.(type) {
				case []any:
					pi.Operations = strs(ops)
				case string:
					pi.Operations = []string{ops}
				}
			case m.key == policySection:
				pi.Section, _ = m.val.(string)
			default:
				if pi.Parameters == nil {
					pi.Parameters = map[string]any{}
				}
				pi.Parameters[strings.TrimPrefix(m.key, policyParam)] = plain(m.val)
			}
		}
		for _, id := range pi.Operations {
			if _, found := spec.Operation(id); !found {
				warn(ptr+"/parameters/"+policyOperations, "policy %s refers to operation %q, which does not exist", pi.TemplateID, id)
			}
		}
		spec.Policies = append(spec.Policies, pi)
	}
	for _, m := range props.list() {
		if strings.HasPrefix(m.key, "x-ms-") {
			if spec.Extensions == nil {
				spec.Extensions = map[string]json.RawMessage{}
			}
			spec.Extensions[m.key] = encode(m.val)
		}
	}
}

// connParams reads a connectionParameters object, in document order.
func connParams(o *object, ptr string, warn func(ptr, format string, args ...any)) []connector.ConnectionParameter {
	var out []connector.ConnectionParameter
	for _, m := range o.list() {
		po, ok := m.val.(*object)
		if !ok {
			warn(ptr+"/"+escapePtr(m.key), "connection parameter is not an object")
			continue
		}
		ui := po.obj("uiDefinition")
		cons := ui.obj("constraints")
		p := connector.ConnectionParameter{
			Name:        m.key,
			Type:        connector.ParamType(po.str("type")),
			Required:    cons.boolean("required"),
			DisplayName: ui.str("displayName"),
			Description: ui.str("description"),
			Tooltip:     ui.str("tooltip"),
			Hidden:      cons.boolean("hidden"),
		}
		if d, ok := po.get("defaultValue"); ok {
			p.Default = plain(d)
		}
		allowed := cons.arr("allowedValues")
		if allowed == nil {
			allowed = po.arr("allowedValues")
		}
		for _, av := range allowed {
			if ao, ok := av.(*object); ok {
				if v, has := ao.get("value"); has {
					p.AllowedValues = append(p.AllowedValues, plain(v))
					continue
				}
			}
			p.AllowedValues = append(p.AllowedValues, plain(av))
		}
		if oa := po.obj("oAuthSettings"); oa != nil {
			p.OAuth = oauthSetting(oa)
		}
		out = append(out, p)
	}
	return out
}

func oauthSetting(o *object) *connector.OAuthSetting {
	s := &connector.OAuthSetting{
		IdentityProvider: o.str("identityProvider"),
		ClientID:         o.str("clientId"),
		Scopes:           strs(o.arr("scopes")),
		RedirectMode:     o.str("redirectMode"),
		RedirectURL:      o.str("redirectUrl"),
	}
	for _, m := range o.obj("customParameters").list() {
		if s.CustomParameters == nil {
			s.CustomParameters = map[string]string{}
		}
		v := m.val
		if vo, ok := v.(*object); ok {
			v, _ = vo.get("value")
		}
		switch t := v.(type) {
		case string:
			s.CustomParameters[m.key] = t
		case json.Number:
			s.CustomParameters[m.key] = t.String()
		case bool:
			s.CustomParameters[m.key] = strconv.FormatBool(t)
		case nil:
			s.CustomParameters[m.key] = ""
		default:
			s.CustomParameters[m.key] = string(encode(t))
		}
	}
	cp := s.CustomParameters
	s.AuthorizationURL = first(cp["authorizationUrl"], cp["authorizationUrlTemplate"])
	s.TokenURL = first(cp["tokenUrl"], cp["tokenUrlTemplate"])
	s.RefreshURL = first(cp["refreshUrl"], cp["refreshUrlTemplate"])
	if p := o.obj("properties"); p != nil {
		s.Properties, _ = plain(p).(map[string]any)
	}
	return s
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
