// SPDX-License-Identifier: Apache-2.0

// Package server is Junction's HTTP API: the Request-trigger endpoints
// (signed callback URLs, synchronous Response), the management API
// (workflows, runs, resubmission, callback URLs), webhook callbacks for
// running actions, and the OpenAPI document of itself.
//
// Management routes take the admin key as "Authorization: Bearer <key>".
// Request-trigger URLs carry an HMAC-SHA256 signature (sig) made with a
// signing key kept in the data directory, like Logic Apps callback URLs.
// Every error answer is an application/problem+json object (RFC 9457).
//
// The server keeps an in-memory catalogue of the deployed workflows
// (decoded definitions, compiled trigger schemas) over the durable
// [store.Workflows] rows; every change goes to the store first.
package server
