// SPDX-License-Identifier: Apache-2.0

package certify

import (
	"regexp"
	"strings"

	"github.com/junction-run/junction/connector/openapi"
)

var (
	colorRE     = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	cpNameRE    = regexp.MustCompile(`^[0-9a-zA-Z_]+(:[0-9a-zA-Z_]+)?$`)
	dummySecret = regexp.MustCompile(`^\s*(\[\[.*\]\]|<.*>|\*+|x+|dummy.*|placeholder.*|your.*|null|)\s*$`)
	propsKeys   = map[string]bool{
		"iconBrandColor": true, "capabilities": true, "connectionParameters": true, "connectionParameterSets": true,
		"policyTemplateInstances": true, "scriptOperations": true, "publisher": true, "stackOwner": true,
	}
	cpTypes           = map[string]bool{"string": true, "securestring": true, "int": true, "bool": true, "oauthSetting": true, "gatewaySetting": true}
	identityProviders = map[string]bool{"oauth2": true, "oauth2generic": true, "aad": true, "aadcertificate": true, "facebook": true}
	redirectModes     = map[string]bool{"global": true, "globalperconnector": true, "direct": true, "none": true}
	// policyRequired lists the required parameters of the templates whose
	// parameters are well known (reference/POLICIES.md).
	policyRequired = map[string][]string{
		"dynamichosturl":         {"urlTemplate"},
		"dynamicsubdomain":       {"urlTemplate"},
		"routerequesttoendpoint": {"newPath"},
		"setheader":              {"name", "value"},
		"setqueryparameter":      {"name", "value"},
		"updatenextlink":         {"nextLinkPropertyName"},
		"pollingtrigger":         {"triggerConfig", "triggerDataPath"},
	}
)

const defaultBrandColor = "#007ee5"

// checkProperties applies the apiProperties.json rules. s is the swagger,
// nil when it could not be read.
func (c *checker) checkProperties(doc map[string]any, f string, s *swagger) {
	for _, k := range sortedKeys(doc) {
		if k != "properties" {
			c.add("properties.root", f, ptr("", k), "apiProperties.json holds only a properties object; %q is ignored", k)
		}
	}
	props := obj(doc["properties"])
	if props == nil {
		c.add("properties.root", f, "", "apiProperties.json has no properties object")
		return
	}
	for _, k := range sortedKeys(props) {
		if !propsKeys[k] {
			c.add("properties.unknown", f, ptr("/properties", k), "unknown key %q (misspelt or misplaced?)", k)
		}
	}
	color, ok := props["iconBrandColor"]
	cs := str(color)
	switch {
	case !ok:
		c.add("properties.brand_color", f, "/properties", "iconBrandColor is required")
	case !colorRE.MatchString(cs):
		c.add("properties.brand_color", f, "/properties/iconBrandColor", "iconBrandColor %q must be a 6-digit hex colour like #da3b01", cs)
	case strings.EqualFold(cs, defaultBrandColor) || strings.EqualFold(cs, "#ffffff"):
		c.add("properties.brand_color.default", f, "/properties/iconBrandColor", "iconBrandColor %s is the default or white; use the brand's colour", cs)
	}
	if strings.TrimSpace(str(props["publisher"])) == "" {
		c.add("properties.publisher", f, "/properties", "publisher is required for certified connectors")
	}
	if strings.TrimSpace(str(props["stackOwner"])) == "" {
		c.add("properties.stack_owner", f, "/properties", "stackOwner (the service's owner) is required for certified connectors")
	}
	var cps []cparam
	cps = append(cps, c.checkConnectionParameters(f, "/properties/connectionParameters", props["connectionParameters"])...)
	for i, set := range arr(obj(props["connectionParameterSets"])["values"]) {
		cps = append(cps, c.checkConnectionParameters(f, ptr("/properties/connectionParameterSets/values", i, "parameters"), obj(set)["parameters"])...)
	}
	c.checkPolicies(f, props, s)
	if s != nil {
		c.checkAuthConsistency(f, s, cps, props["connectionParameterSets"] != nil)
		for i, id := range arr(props["scriptOperations"]) {
			if len(s.opIDs[str(id)]) == 0 {
				c.add("properties.script_operation", f, ptr("/properties/scriptOperations", i), "scriptOperations names %q, which is not an operationId of the swagger", str(id))
			}
		}
	}
}

// cparam is a connection parameter's name and type.
type cparam struct{ name, typ string }

func (c *checker) checkConnectionParameters(f, p string, v any) []cparam {
	params := obj(v)
	var out []cparam
	for _, name := range sortedKeys(params) {
		cp := obj(params[name])
		pp := ptr(p, name)
		typ := str(cp["type"])
		out = append(out, cparam{name, typ})
		if !cpNameRE.MatchString(name) {
			c.add("properties.connection_parameter.name", f, pp, "connection parameter name %q must match ^[0-9a-zA-Z_]+$ (or name:sub)", name)
		}
		if !cpTypes[typ] {
			c.add("properties.connection_parameter.type", f, ptr(pp, "type"), "connection parameter type %q is not one of string, securestring, int, bool, oauthSetting, gatewaySetting", typ)
		}
		if strings.EqualFold(name, "token:TenantId") {
			hidden := str(obj(obj(cp["uiDefinition"])["constraints"])["hidden"])
			if typ != "string" || str(obj(cp["metadata"])["sourceType"]) != "AzureActiveDirectoryTenant" || hidden != "true" {
				c.add("properties.tenant_id", f, pp, "token:TenantId must be a hidden string with metadata.sourceType AzureActiveDirectoryTenant")
			}
		}
		if typ != "oauthSetting" {
			continue
		}
		oa := obj(cp["oAuthSettings"])
		op := ptr(pp, "oAuthSettings")
		if oa == nil {
			c.add("properties.oauth", f, pp, "an oauthSetting parameter needs oAuthSettings")
			continue
		}
		idp := str(oa["identityProvider"])
		if !identityProviders[idp] {
			c.add("properties.oauth.identity_provider", f, ptr(op, "identityProvider"), "identity provider %q is not one of oauth2, oauth2generic, aad, aadcertificate, facebook (a first-party provider?)", idp)
		}
		if (idp == "aad" || idp == "aadcertificate") && str(obj(oa["customParameters"])["resourceUri"]) == "" && obj(obj(oa["customParameters"])["resourceUri"]) == nil {
			c.add("properties.oauth", f, ptr(op, "customParameters"), "identity provider %s needs customParameters.resourceUri", idp)
		}
		if rm := str(oa["redirectMode"]); rm != "" && !redirectModes[strings.ToLower(rm)] {
			c.add("properties.oauth.redirect_mode", f, ptr(op, "redirectMode"), "redirectMode %q is not one of Global, GlobalPerConnector, Direct, None", rm)
		}
		if sec, ok := oa["clientSecret"]; ok && sec != nil && !dummySecret.MatchString(str(sec)) {
			c.add("secrets.client_secret", f, ptr(op, "clientSecret"), "a client secret is committed; replace it with a dummy value such as [[DummyValue]]")
		}
	}
	return out
}

func (c *checker) checkPolicies(f string, props map[string]any, s *swagger) {
	for i, inst := range arr(props["policyTemplateInstances"]) {
		m := obj(inst)
		p := ptr("/properties/policyTemplateInstances", i)
		id := str(m["templateId"])
		if !openapi.KnownPolicyTemplate(id) {
			c.add("properties.policy.template", f, ptr(p, "templateId"), "unknown policy template %q", id)
			continue
		}
		params := obj(m["parameters"])
		var missing []string
		for _, k := range policyRequired[strings.ToLower(id)] {
			if _, ok := params["x-ms-apimTemplateParameter."+k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			c.add("properties.policy.parameters", f, ptr(p, "parameters"), "policy %s lacks the parameter(s) %s", id, strings.Join(missing, ", "))
		}
		if s == nil {
			continue
		}
		ops := params["x-ms-apimTemplate-operationName"]
		list := arr(ops)
		if one := str(ops); one != "" {
			list = []any{one}
		}
		for j, op := range list {
			if len(s.opIDs[str(op)]) == 0 {
				c.add("properties.policy.operation", f, ptr(p, "parameters", "x-ms-apimTemplate-operationName", j), "policy %s names operation %q, which does not exist", id, str(op))
			}
		}
	}
}

// checkAuthConsistency compares the swagger's security definitions with
// the connection parameters that must feed them (the Power Platform
// convention: apiKey takes a securestring parameter, basic a username and
// a password, oauth2 an oauthSetting).
func (c *checker) checkAuthConsistency(f string, s *swagger, cps []cparam, multi bool) {
	has := func(pred func(cparam) bool) bool {
		for _, p := range cps {
			if pred(p) {
				return true
			}
		}
		return false
	}
	defs := obj(s.doc["securityDefinitions"])
	for _, name := range sortedKeys(defs) {
		p := ptr("/securityDefinitions", name)
		switch typ := str(obj(defs[name])["type"]); typ {
		case "apiKey":
			if !has(func(p cparam) bool { return p.typ == "securestring" || p.typ == "string" }) {
				c.add("auth.connection_parameters", s.file, p, "apiKey definition %q has no string/securestring connection parameter (api_key by convention) in %s", name, openapi.PropertiesFileName)
			}
		case "basic":
			if !has(func(p cparam) bool { return strings.EqualFold(p.name, "username") }) || !has(func(p cparam) bool { return strings.EqualFold(p.name, "password") }) {
				c.add("auth.connection_parameters", s.file, p, "basic definition %q needs username and password connection parameters in %s", name, openapi.PropertiesFileName)
			}
		case "oauth2":
			if !has(func(p cparam) bool { return p.typ == "oauthSetting" }) {
				c.add("auth.connection_parameters", s.file, p, "oauth2 definition %q has no oauthSetting connection parameter (token by convention) in %s", name, openapi.PropertiesFileName)
			}
		}
	}
	if !multi && len(defs) == 0 {
		for _, cp := range cps {
			if cp.typ == "oauthSetting" {
				c.add("auth.security_definition", f, ptr("/properties/connectionParameters", cp.name), "oauthSetting parameter %q has no oauth2 security definition in the swagger", cp.name)
			}
		}
	}
}
