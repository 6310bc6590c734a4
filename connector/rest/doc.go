// SPDX-License-Identifier: Apache-2.0

// Package rest is a generic REST [connector.Provider] built from a
// [connector.Spec], as produced by the OpenAPI / Power Platform importer.
//
// [Provider.Invoke] turns an operation call into an HTTP request: path
// parameters are substituted (x-ms-url-encoding single or double), query
// parameters added (arrays per collectionFormat), header parameters set, and
// the body encoded as JSON, or as form-urlencoded / multipart for formData
// parameters. Missing parameters take their default; a missing required
// parameter, an unknown parameter or a value that does not match its JSON
// Schema is a [connector.KindBadRequest] error naming the parameter (and the
// JSON path inside it). Credentials come from the [connector.Connection]
// by the Power Platform convention: apiKey takes "api_key", basic takes
// "username" and "password", oauth2 and bearer take "token" (an
// [connector.Auth.Parameter] overrides the name). Then the connector's
// policies (package connector/policy) shape the request, the request is
// sent, and the response policies shape the answer.
//
// The response body is decoded JSON when the response is JSON (plain Go
// values from encoding/json with UseNumber: map[string]any, []any,
// json.Number ...), a string for text, []byte otherwise. An HTTP status of
// 400 or more returns the [connector.Output] together with a
// [*connector.Error] whose kind follows [connector.KindForStatus] (429 is
// throttled with the Retry-After hint); transport errors are retryable; a
// cancelled context returns an error wrapping ctx.Err(). Secrets of the
// connection never appear in errors or logs.
//
// [Provider.NextPage] follows a paging link of an earlier answer with the
// same credentials and policies; credentials go only to the request's host,
// and the default client drops API key headers on redirects to other hosts.
//
// [Provider.Poll] implements polling triggers: the Power Platform polling
// protocol (202 = nothing new, Location = next poll URL, Retry-After) and
// the pollingtrigger policy.
package rest
