// SPDX-License-Identifier: Apache-2.0

package policy

import (
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
)

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id      string
		section string
		params  map[string]any
		want    string
	}{
		{"setheader", "", map[string]any{"value": "x"}, "parameter name: required"},
		{"setheader", "", map[string]any{"name": "x"}, "parameter value: required"},
		{"setheader", "", map[string]any{"name": "x", "value": "y", "existsAction": "merge"}, "parameter existsAction"},
		{"setheader", "Sideways", map[string]any{"name": "x", "value": "y"}, "parameter policySection"},
		{"setheader", "", map[string]any{"name": "x", "value": "@nope('a')"}, `parameter value: expression "@nope('a')"`},
		{"setqueryparameter", "", map[string]any{"value": "x"}, "parameter name: required"},
		{"setproperty", "", map[string]any{"newPropertySubPathTemplate": "a", "propertyValuePathTemplate": "v"}, "parameter newPropertyParentPathTemplate: required"},
		{"setproperty", "", map[string]any{"newPropertyParentPathTemplate": "body", "newPropertySubPathTemplate": "a", "propertyValuePathTemplate": "v"}, "not a path"},
		{"routerequesttoendpoint", "", map[string]any{}, "parameter newPath: required"},
		{"routerequesttoendpoint", "", map[string]any{"newPath": "/x", "httpMethod": "FETCH"}, "parameter httpMethod"},
		{"dynamichosturl", "", map[string]any{}, "parameter urlTemplate: required"},
		{"setvaluefromurl", "", map[string]any{"parameterTemplate": "@body().x", "parameterValueUrl": "/x", "parameterValuePathTemplate": "@body().v"}, "parameter parameterTemplate"},
		{"setvaluefromurl", "", map[string]any{"parameterTemplate": "@headers('a')", "parameterValuePathTemplate": "@body().v"}, "parameter parameterValueUrl: required"},
		{"convertobjecttoarray", "", map[string]any{"propertyParentPath": "@body()"}, "parameter newPropertyPath: required"},
		{"convertarraytoobject", "", map[string]any{"propertyParentPath": "@body()", "newPropertyPath": "@body().x"}, "parameter keyWithinCollectionPath: required"},
		{"convertarraytoobject", "", map[string]any{"propertyParentPath": "@body()", "newPropertyPath": "@body().x", "keyWithinCollectionPath": "id", "retainKey": "maybe"}, "parameter retainKey"},
		{"stringreplace", "", map[string]any{"propertyParentPath": "@body()", "newPropertyPath": "@body().x", "sourceString": "a"}, "parameter replacementString: required"},
		{"stringtoarray", "", map[string]any{"propertyParentPath": "@body()", "newPropertyPath": "@body().x", "childPropertyName": "c"}, "parameter delimiterList: required"},
		{"updatenextlink", "", map[string]any{}, "parameter nextLinkPropertyName: required"},
		{"setconnectionstatustounauthenticated", "", map[string]any{"statusCode": "abc"}, "parameter statusCode"},
		{"pollingtrigger", "", map[string]any{"triggerDataPath": "@triggerBody().value"}, "parameter triggerConfig: required"},
		{"moveproperties", "", map[string]any{"srcParentPath": "@body()", "dstParentPath": "@body()"}, "parameter srcSubPath: the source cannot be the whole body"},
		{"moveproperties", "", map[string]any{"srcParentPath": "@headers('a')", "srcSubPath": "x", "dstParentPath": "@body()"}, "parameter srcParentPath"},
		{"moveproperties", "", map[string]any{"srcParentPath": "@body()", "srcSubPath": "x"}, "parameter dstParentPath: required"},
		{"pollingtrigger", "", map[string]any{"triggerConfig": map[string]any{"a": "b"}}, "parameter triggerDataPath: required"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.want, func(t *testing.T) {
			t.Parallel()
			s := New([]connector.PolicyInstance{{TemplateID: tt.id, Title: "T", Section: tt.section, Parameters: tt.params}}, Options{})
			errs := s.Errors()
			if len(errs) != 1 {
				t.Fatalf("errors %v", errs)
			}
			prefix := "policy " + tt.id + ` (#1 "T")`
			if msg := errs[0].Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want prefix %q and %q", msg, prefix, tt.want)
			}
		})
	}
}

func TestValidInstancesCompile(t *testing.T) {
	t.Parallel()
	s := New([]connector.PolicyInstance{
		{TemplateID: "SetHeader", Parameters: map[string]any{"name": "A", "value": ""}},
		{TemplateID: "DynamicHostUrl", Parameters: map[string]any{"urlTemplate": "https://@connectionParameters('h')"}},
		{TemplateID: "pollingtrigger", Operations: []string{"T"}, Parameters: map[string]any{
			"triggerConfig": map[string]any{"x-ms-triggerConfig-nextLink": "next", "since": "@{triggerBody().last}"}, "triggerDataPath": "@triggerBody().items"}},
		{TemplateID: "nosuchtemplate", Parameters: map[string]any{}},
	}, Options{})
	if errs := s.Errors(); len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	pt, err := s.PollingTrigger("T")
	if err != nil || pt == nil || pt.NextLinkName != "next" {
		t.Fatalf("polling trigger %+v, %v", pt, err)
	}
	if q := pt.NextQuery(nil, map[string]any{"last": "2024"}); q["since"] != "2024" {
		t.Errorf("next query %v", q)
	}
	if q := pt.NextQuery(nil, map[string]any{}); len(q) != 0 {
		t.Errorf("next query from an empty body %v", q)
	}
	if items := pt.Items(map[string]any{"items": []any{1, 2}}); len(items) != 2 {
		t.Errorf("items %v", items)
	}
	if pt, _ := s.PollingTrigger("Other"); pt != nil {
		t.Error("polling trigger outside its scope")
	}
}

func TestUsesBody(t *testing.T) {
	t.Parallel()
	hdr := func(value string, section string, ops ...string) connector.PolicyInstance {
		return connector.PolicyInstance{TemplateID: "setheader", Section: section, Operations: ops, Parameters: map[string]any{"name": "X", "value": value}}
	}
	tests := []struct {
		name      string
		instances []connector.PolicyInstance
		op        string
		section   Section
		want      bool
	}{
		{"none", nil, "Op", SectionRequest, false},
		{"literal header", []connector.PolicyInstance{hdr("v", "")}, "Op", SectionRequest, false},
		{"header from a parameter", []connector.PolicyInstance{hdr("@connectionParameters('r')", "")}, "Op", SectionRequest, false},
		{"header from the body", []connector.PolicyInstance{hdr("@body().id", "")}, "Op", SectionRequest, true},
		{"header from the body, other op", []connector.PolicyInstance{hdr("@{body().id}", "", "Other")}, "Op", SectionRequest, false},
		{"response header from the body", []connector.PolicyInstance{hdr("@{body().id}", "Response")}, "Op", SectionResponse, true},
		{"response header, request section", []connector.PolicyInstance{hdr("@{body().id}", "Response")}, "Op", SectionRequest, false},
		{"query", []connector.PolicyInstance{{TemplateID: "setqueryparameter", Parameters: map[string]any{"name": "q", "value": "1"}}}, "Op", SectionRequest, false},
		{"route", []connector.PolicyInstance{{TemplateID: "routerequesttoendpoint", Parameters: map[string]any{"newPath": "/a/{id}"}}}, "Op", SectionRequest, false},
		{"setproperty", []connector.PolicyInstance{{TemplateID: "setproperty", Parameters: map[string]any{
			"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "a", "propertyValuePathTemplate": "v"}}}, "Op", SectionRequest, true},
		{"updatenextlink", []connector.PolicyInstance{{TemplateID: "updatenextlink", Parameters: map[string]any{"nextLinkPropertyName": "next"}}}, "Op", SectionResponse, true},
		{"unauthenticated", []connector.PolicyInstance{{TemplateID: "setconnectionstatustounauthenticated", Parameters: map[string]any{"statusCode": 401}}}, "Op", SectionResponse, false},
		{"unknown template", []connector.PolicyInstance{{TemplateID: "moveproperties"}}, "Op", SectionRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := New(tt.instances, Options{}).UsesBody(tt.op, tt.section); got != tt.want {
				t.Errorf("UsesBody = %t, want %t", got, tt.want)
			}
		})
	}
}
