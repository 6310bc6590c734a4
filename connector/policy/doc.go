// SPDX-License-Identifier: Apache-2.0

// Package policy implements the Power Platform policy template catalogue
// (apiProperties.json policyTemplateInstances) as transformations of one
// request/response exchange with a REST backend.
//
// A [Set] is compiled once per connector from its [connector.PolicyInstance]s
// and then applied to every call: [Set.Request] before the request leaves,
// [Set.Response] after the backend answered, [Set.Failure] when the call
// failed (transport error or an HTTP status of 400 or more). The REST provider
// in connector/rest drives a Set; the gateway will drive the same Set later.
//
// # Templates
//
// Supported template ids (compared case-insensitively): setheader,
// setqueryparameter, setproperty, routerequesttoendpoint, dynamichosturl,
// dynamicsubdomain (alias of dynamichosturl), setvaluefromurl,
// convertarraytoobject, convertobjecttoarray, stringreplace, stringtoarray,
// encodepropertyvalue, updatenextlink, setconnectionstatustounauthenticated
// and pollingtrigger (configuration read by the REST provider's Poll). Other
// ids are ignored at run time and logged once at Debug.
//
// # Order
//
// Within a section, instances run in array order, except that request
// section instances run in phases: dynamichosturl first (the host), then
// routerequesttoendpoint (the path), then setvaluefromurl (which needs the
// final host), then every other template; each phase keeps array order.
//
// # Expressions
//
// String parameters are templates in a small language of their own, parsed
// by [ParseTemplate]: literal text concatenated with
// @connectionParameters('name'[, 'default']), @headers('name'[, 'default']),
// @queryParameters('name'[, 'default']), @environmentVariables('name'),
// @body(), @item() and @triggerBody() followed by a path (.a, [0], ['@odata.etag']),
// @Request.OriginalHTTPMethod, @{expr} and {@expr} interpolation, and, in
// path templates, {param} placeholders for the operation's parameters.
// Function names are case-insensitive. An '@' not followed by a function
// call is literal text (so "user@example.com" stays as is); "@@" is a
// literal '@'.
//
// # Bodies
//
// JSON bodies are plain Go values as encoding/json decodes them with
// UseNumber: map[string]any, []any, string, json.Number, bool and nil. Maps
// do not keep key order, so convertobjecttoarray lists keys in sorted order.
package policy
