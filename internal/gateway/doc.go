// SPDX-License-Identifier: Apache-2.0

// Package gateway is the single door through which operation calls pass,
// from workflows and from outside callers.
//
// Every call goes through the same pipeline: caller authentication (a
// caller key, the server's admin key, or a principal put in the context by
// the host) → the connection's access check (owner, admin or sharedWith)
// → rate limits per connection and per key (429 with Retry-After) → the
// connector's request policies → credential injection (API key, basic,
// bearer, OAuth access token refreshed before expiry and once after a
// 401) → the call, through an HTTP client that enforces [EgressRules] →
// the response policies → a call record (operation, status, latency,
// caller; never secrets or payloads) and the connection's health.
//
// [Gateway.Handler] serves the connections, keys, invoke, pass-through
// (/apim/...), dynamic metadata and OAuth callback routes; see
// docs/connections.md. Errors are application/problem+json.
package gateway
