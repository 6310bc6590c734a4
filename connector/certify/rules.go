// SPDX-License-Identifier: Apache-2.0

package certify

// Severity shorthands for the catalogue.
const (
	e = SeverityError
	w = SeverityWarning
	i = SeverityInfo
)

// catalogue is every rule with its severity per profile. Following
// reference/CERTIFICATION.md §7: rules that break routing or runtime are
// errors in both profiles; certification content rules are errors under
// certification and warnings under platform; advice (what the corpus shows
// is not enforced) is a warning in both.
var catalogue = []Rule{
	// Files.
	{"json.syntax", "F3", e, e, "The file is JSON that cannot be read even leniently (or not a JSON object)."},
	{"json.strict", "F3", w, e, "The file is not strict JSON: byte order mark, Latin-1 text, comments, trailing or missing commas, raw control characters or duplicate keys. Reported once per repair, with line and column."},
	{"file.swagger.missing", "F4", e, e, "The connector folder has no apiDefinition.swagger.json."},
	{"file.properties.missing", "F4", w, e, "The connector folder has no apiProperties.json."},
	{"file.name", "F4", w, e, "A connector file is not named exactly apiDefinition.swagger.json / apiProperties.json (case matters to the tooling)."},
	{"file.size", "F2", w, w, "The swagger file is larger than 1 MB."},
	{"secrets.client_secret", "F5", w, e, "An OAuth clientSecret is committed in apiProperties.json instead of a dummy value."},

	// Swagger document and info.
	{"swagger.version", "F1", e, e, "The document must be Swagger 2.0 (\"swagger\": \"2.0\"); OpenAPI 3 is not accepted."},
	{"swagger.info.title", "M1", e, e, "info.title is required."},
	{"swagger.info.title.length", "M1", w, e, "info.title is at most 30 characters."},
	{"swagger.info.title.end", "M1", w, e, "info.title ends with a letter, a digit or a closing parenthesis (\"Asite (Canada)\" is certified)."},
	{"swagger.info.title.words", "M2", w, e, "info.title does not contain API, Connector or Power Platform product names."},
	{"swagger.info.description", "M3", w, e, "info.description is required."},
	{"swagger.info.description.length", "M3", w, e, "info.description is 30 to 500 characters."},
	{"swagger.info.description.words", "M3", w, e, "info.description does not name Power Platform products."},
	{"swagger.info.contact", "M4", w, e, "info.contact is present."},
	{"swagger.info.contact.fields", "M4", w, w, "info.contact has name, url and email (a partial contact is common in certified connectors, so a warning)."},
	{"swagger.info.contact.email", "M4", w, e, "info.contact.email is a valid e-mail address."},
	{"swagger.metadata", "M5", w, e, "x-ms-connector-metadata is present with Website, Privacy policy and Categories."},
	{"swagger.metadata.categories", "M6", w, e, "Categories lists at most 2 values, each from the fixed list."},
	{"swagger.url", "M7", w, e, "URL-valued fields (contact url, Website, Privacy policy) are absolute URLs."},
	{"swagger.status", "M8", e, e, "x-ms-api-annotation.status is Preview or Production; an operation is not Production while the connector is Preview."},
	{"swagger.host", "H1", e, e, "host is a bare host[:port]: no scheme, no path."},
	{"swagger.host.production", "H1", "", w, "host is not a development host (localhost, dev., test., staging)."},
	{"swagger.base_path", "H2", e, e, "basePath starts with /."},
	{"swagger.schemes", "H3", e, e, "schemes is non-empty and holds only http and https."},
	{"swagger.schemes.http_only", "H3", w, w, "The connector offers https."},

	// Paths and operations.
	{"path.template", "O4", e, e, "A path starts with /, has no ? or #, balanced braces, each {variable} within one segment and without a default."},
	{"path.duplicate", "O5", e, e, "Paths are unique ignoring case."},
	{"path.ambiguous", "O5", e, e, "No two operations of one method have indistinguishable path templates (same static segments, variables in the same places)."},
	{"path.ref", "O6", e, e, "A path item has no $ref."},
	{"operation.id", "O1", e, e, "Every operation has an operationId."},
	{"operation.id.unique", "O2", e, e, "operationIds are unique."},
	{"operation.id.sanitized", "O3", w, w, "operationIds use only letters, digits and _."},
	{"operation.count", "O12", i, i, "The connector has at most 128 operations (the custom connector limit)."},
	{"operation.summary", "O8", w, e, "Every operation that is not internal has a summary."},
	{"operation.summary.length", "O8", e, e, "A summary is shorter than 120 characters (validator limit)."},
	{"operation.summary.length_80", "O8", w, e, "A summary is at most 80 characters (certification content rule)."},
	{"operation.summary.characters", "O8", w, e, "A summary has none of the characters / \\ < > * % & ?."},
	{"operation.summary.punctuation", "O8", "", w, "A summary does not end with a full stop or exclamation mark."},
	{"operation.description", "O9", w, e, "Every operation that is not internal has a description."},
	{"operation.description.summary", "O9", w, w, "The description differs from the summary."},
	{"operation.visibility", "O10", e, e, "x-ms-visibility is important, advanced or internal (or empty)."},
	{"operation.responses", "O11", w, e, "Every operation declares at least one response."},
	{"operation.responses.success", "O11", w, w, "Every operation declares a 2xx response."},
	{"operation.get_body", "O13", w, w, "GET operations take no body or formData parameters."},
	{"operation.pageable", "O14", w, e, "x-ms-pageable.nextLinkName is nextLink or @odata.nextLink."},
	{"operation.consumes", "H4", w, w, "MIME types are syntactically valid, and an operation that sends a body declares consumes (its own or the document's)."},

	// Parameters.
	{"parameter.summary", "P1", w, e, "A visible non-body parameter of a visible operation has an x-ms-summary of at most 80 characters."},
	{"parameter.description", "P1", w, e, "A visible non-body parameter of a visible operation has a description."},
	{"parameter.body.multiple", "P2", e, e, "At most one body parameter, and never body together with formData."},
	{"parameter.duplicate", "P2", e, e, "No two parameters of an operation share name and location."},
	{"parameter.body.schema", "P3", e, e, "A body parameter has a schema and no non-body keywords; other parameters have no schema."},
	{"parameter.in", "P3", e, e, "A parameter's in is path, query, header, body or formData."},
	{"parameter.file", "P4", e, e, "type file is only used by formData parameters."},
	{"parameter.reserved", "P5", e, e, "No parameter is named connectionId."},
	{"parameter.path.encoding", "P6", w, w, "A path parameter of a visible operation declares x-ms-url-encoding."},
	{"parameter.query.encoding", "P6", w, w, "A query parameter does not declare x-ms-url-encoding."},
	{"parameter.allow_empty_value", "P7", e, e, "allowEmptyValue is only used on query and formData parameters."},
	{"parameter.internal_default", "P8", w, w, "An internal parameter with a default is required (optional internal values are dropped)."},
	{"parameter.collection_format", "P10", w, w, "collectionFormat is csv (the only format seen working)."},
	{"parameter.enum", "P11", e, e, "enum is non-empty and its values match the type; x-ms-enum-values entries have a displayName, are unique and are in enum."},
	{"parameter.default", "P11", w, w, "A parameter's default matches its type."},
	{"parameter.path.missing", "O7", e, e, "Every {variable} of the path has a path parameter."},
	{"parameter.path.undefined", "O7", e, e, "Every path parameter appears in the path template."},
	{"parameter.path.required", "O7", e, e, "Path parameters are required."},

	// Responses and schemas.
	{"response.status", "R1", e, e, "Response keys are HTTP status codes or default."},
	{"response.default_schema", "R2", w, w, "The default response carries no schema (63 certified connectors have one, so a warning)."},
	{"response.many_schemas", "R3", w, w, "Only one response carries a schema."},
	{"response.schema", "R4", w, w, "A visible action defines a non-empty schema for its success response (reviewer-level, so a warning)."},
	{"response.schema.trigger", "R4", w, e, "A polling trigger defines a schema for its success response."},
	{"response.property.summary", "§3", "", w, "Properties of success response schemas have an x-ms-summary (one finding per response, listing the properties)."},
	{"ref.resolve", "R5", e, e, "A $ref points into #/definitions/, #/parameters/ or #/responses/ and resolves."},
	{"ref.siblings", "R5", w, w, "No keys other than description and x-* sit beside a $ref."},
	{"schema.required", "R6", e, e, "required is only on object schemas, non-empty, and names defined properties."},
	{"schema.array_items", "R7", e, e, "An array schema has items."},
	{"schema.binary", "R7", e, e, "string/binary only at the top of a body or formData parameter."},
	{"schema.file", "R7", e, e, "type file only at the root of a response schema."},
	{"schema.bounds", "R8", e, e, "Lengths and counts are non-negative, min ≤ max, multipleOf > 0, exclusiveMaximum/Minimum have maximum/minimum, pattern is a valid regular expression."},
	{"extension.unknown", "R12", w, w, "Every x-ms-* key is a known extension (typos such as x-ms-visibilty are silently ignored)."},

	// Triggers, dynamic values, families, security.
	{"trigger.kind", "T1", e, e, "x-ms-trigger is single or batch."},
	{"webhook.notification_url", "T3", e, e, "The x-ms-notification-url property is a string, required at every level and internal."},
	{"webhook.notification_content", "T4", e, e, "A webhook operation has x-ms-notification-content (on the operation or its path item)."},
	{"dynamic.operation", "D1", e, e, "operationIds named by x-ms-dynamic-values/-list/-schema/-properties and x-ms-notification exist."},
	{"family.revision", "V1", e, e, "Operations of an x-ms-api-annotation family have distinct, non-empty revisions."},
	{"family.active", "V1", e, e, "A family has at most 2 operations that are not deprecated."},
	{"family.replacement", "V2", e, e, "x-ms-api-annotation.replacement is only on deprecated operations and has api and operationId."},
	{"security.definition", "S1", e, e, "Each security definition has the properties its type needs (apiKey: name, in; oauth2: flow and its URLs)."},
	{"security.requirement", "S2", w, w, "Security requirements name defined schemes, have a value, and non-OAuth ones take an empty array."},
	{"auth.connection_parameters", "§6", w, e, "Security definitions and apiProperties connection parameters agree: apiKey has a string parameter, basic has username and password, oauth2 has an oauthSetting."},
	{"auth.security_definition", "§6", w, w, "An oauthSetting connection parameter has an oauth2 security definition in the swagger (first-party connectors such as AzureAD omit it)."},

	// apiProperties.json.
	{"properties.root", "§6", e, e, "apiProperties.json is an object holding only a properties object."},
	{"properties.unknown", "§6", w, w, "properties holds only iconBrandColor, capabilities, connectionParameters, connectionParameterSets, policyTemplateInstances, scriptOperations, publisher and stackOwner."},
	{"properties.brand_color", "§6", e, e, "iconBrandColor is present and a 6-digit hex colour."},
	{"properties.brand_color.default", "§6", w, e, "iconBrandColor is not the default #007ee5 or white."},
	{"properties.publisher", "§6", w, e, "publisher is set."},
	{"properties.stack_owner", "§6", w, w, "stackOwner is set (missing in 20 recently changed connectors, so a warning)."},
	{"properties.connection_parameter.name", "§6", e, e, "Connection parameter names match ^[0-9a-zA-Z_]+$ or name:sub."},
	{"properties.connection_parameter.type", "§6", e, e, "Connection parameter types are string, securestring, int, bool, oauthSetting or gatewaySetting."},
	{"properties.tenant_id", "§6", w, w, "token:TenantId is a hidden string with metadata.sourceType AzureActiveDirectoryTenant."},
	{"properties.oauth", "§6", e, e, "An oauthSetting parameter has oAuthSettings; aad and aadcertificate providers have customParameters.resourceUri."},
	{"properties.oauth.identity_provider", "§6", w, w, "The identity provider is oauth2, oauth2generic, aad, aadcertificate or facebook (first-party providers exist beyond these)."},
	{"properties.oauth.redirect_mode", "§6", w, w, "redirectMode is Global, GlobalPerConnector, Direct or None."},
	{"properties.policy.template", "§6", e, e, "Every policy templateId is a known template (case-insensitive)."},
	{"properties.policy.parameters", "§6", w, e, "A policy instance has its template's required parameters."},
	{"properties.policy.operation", "§6", w, e, "x-ms-apimTemplate-operationName names existing operationIds."},
	{"properties.script_operation", "§6", w, e, "scriptOperations names existing operationIds."},
}
