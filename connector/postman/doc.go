// SPDX-License-Identifier: Apache-2.0

// Package postman imports Postman collections (format v2.0 and v2.1) as
// [connector.Spec] values, so a collection becomes a connector like any
// OpenAPI document or Power Platform folder.
//
// The mapping, in short (docs/postman.md has the details):
//
//   - the collection's info becomes the spec's id, title, description and
//     version;
//   - every request becomes an action whose id is the request name in
//     snake case (made unique), and every folder becomes a tag;
//   - ":name" and "{{name}}" path segments become path parameters, query
//     entries query parameters, headers header parameters (except those an
//     auth scheme sets), and the body a body or formData parameters with a
//     JSON Schema inferred from the example;
//   - saved example responses become responses with inferred schemas;
//   - collection variables become connection parameters; the variable used
//     as the URL host (typically baseUrl) sets the base URL and a
//     dynamichosturl policy so each connection may point elsewhere;
//   - auth at collection, folder and request level (apikey, basic, bearer,
//     oauth2, noauth, inherit) becomes auth kinds with the conventional
//     connection parameters api_key, username/password and token.
//
// Everything the importer cannot represent (scripts, unsupported auth
// types, disabled entries...) is reported as a [connector.Warning] with a
// JSON pointer into the collection. A file that is not JSON at all returns a
// *[connector.SyntaxError] with file, line and column.
package postman
