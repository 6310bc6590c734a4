// SPDX-License-Identifier: Apache-2.0

// Package openapi imports OpenAPI 2.0 (Swagger) and OpenAPI 3.0/3.1
// documents, in JSON or YAML, and Power Platform custom connector folders
// (apiDefinition.swagger.json plus an optional apiProperties.json), into a
// [connector.Spec].
//
// The Microsoft extensions that real connectors use (x-ms-summary,
// x-ms-visibility, x-ms-trigger, x-ms-notification-url, x-ms-dynamic-*,
// x-ms-pageable, x-ms-url-encoding, ...) are kept as data: in the dedicated
// fields of the model where there is one, in the Extensions maps otherwise.
// Local $ref pointers are resolved; schemas are inlined, with a reference
// that would recurse left as {"$ref": ...}.
//
// Every JSON file is read with the tolerant reader of
// connector/internal/jsonc: what it repairs becomes a [connector.Warning].
// A file that cannot be read at all fails with a *[connector.SyntaxError]
// naming the file, line and column.
//
// Entry points: [Load] (a folder or a file), [Parse] (one document),
// [ParseFolder] (the two documents of a folder) and [LoadRaw] (the
// standardized documents themselves, for certification rules).
//
// The package decodes documents itself rather than through an OpenAPI
// library: kin-openapi's openapi2.T decoding alone took 5.5 s for the 617
// parseable swagger files of the certified corpus on the 2-core build
// machine, against 0.2 to 0.6 s (depending on load) for this ordered
// decoder; and the libraries drop x-ms-* values written beside a $ref and
// the document order of paths and properties.
package openapi
