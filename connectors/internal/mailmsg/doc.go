// SPDX-License-Identifier: Apache-2.0

// Package mailmsg holds what the mail connectors (imap, pop3) share: MIME
// parsing of a received message into the Logic Apps email object
// ([Parse], [Email]), its JSON Schema, and the connection settings of a mail
// server (host, port, username, password, security) with the TLS and error
// classification that go with them ([Settings]), and the filter and state
// of the OnNewEmail triggers ([Filter], [ReadCursor]).
//
// Parsing never panics and bounds its work: nesting depth, number of parts
// and decoded sizes are limited, so a hostile message cannot exhaust memory.
package mailmsg
