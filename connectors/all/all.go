// SPDX-License-Identifier: Apache-2.0

// Package all registers every built-in connector in the default registry:
// import it for its side effect.
//
//	import _ "github.com/junction-run/junction/connectors/all"
//
// A new built-in connector adds its import here.
package all

import (
	// Built-in connectors, in alphabetical order.
	_ "github.com/junction-run/junction/connectors/amqp"
	_ "github.com/junction-run/junction/connectors/blob"
	_ "github.com/junction-run/junction/connectors/file"
	_ "github.com/junction-run/junction/connectors/ftp"
	_ "github.com/junction-run/junction/connectors/imap"
	_ "github.com/junction-run/junction/connectors/pop3"
	_ "github.com/junction-run/junction/connectors/sftp"
	_ "github.com/junction-run/junction/connectors/smtp"
	_ "github.com/junction-run/junction/connectors/sql"
)
