// SPDX-License-Identifier: Apache-2.0

// Package connection keeps connections: one principal's values for one
// connector's connection parameters, their owner and access list, their
// health, and their OAuth 2.0 tokens.
//
// # Secrets at rest
//
// Secret values (securestring and oauthSetting parameters, OAuth tokens,
// PKCE verifiers) are sealed by a [Keyring] with AES-256-GCM before they
// reach a [Store]. An envelope reads "v1:<keyID>:<base64url(nonce|ciphertext)>"
// and its additional authenticated data is the connection name and the
// parameter name, so a sealed value cannot be moved to another connection
// or parameter. The master key comes from JUNCTION_SECRET_KEY (base64 of 32
// bytes) or from the file secret.key (mode 0600) in the data directory,
// generated on first use. [Service.Rotate] re-seals everything under a new
// key and retires the old ones.
//
// # Views
//
// [Connection.View] is the only shape that leaves the package towards
// callers: secret parameters are masked as "***" and tokens are reduced to
// their state and expiry. [Service.Resolve] returns clear values as a
// [connector.Connection], for the gateway only; connector.Connection
// redacts itself in logs.
//
// # Health
//
// Every connection has a health state: unknown until first used, then
// connected, unauthenticated (credentials refused, or an OAuth refresh
// failed) or error, with the last error and when it was checked.
// [Service.Report] updates it from call results.
//
// # OAuth 2.0
//
// Authorization code with PKCE ([Service.StartConsent],
// [Service.CompleteConsent]) and client credentials, configured from the
// Power Platform oauthSetting parameter. Access tokens are refreshed before
// they expire (5 minutes or a tenth of their lifetime ahead, whichever is
// shorter), one refresh per connection at a time, and rotated refresh
// tokens are persisted. A failed refresh marks the connection
// unauthenticated and returns a [connector.KindUnauthenticated] error with
// the code ConnectionUnauthenticated.
//
// # Caller keys
//
// [Keys] issues API keys ("jk_" + 32 random bytes, base64url) that are
// shown once and stored as SHA-256 hashes. A key's name is its principal.
package connection
