// SPDX-License-Identifier: Apache-2.0

package file

import (
	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn"
)

func spec() connector.Spec {
	return fsconn.Spec(fsconn.SpecOptions{
		ID:          ID,
		Title:       "File System",
		Description: "Create, read, update, copy, move and delete files in a folder on the Junction host, and trigger on files added or modified. Paths never leave the connection's root folder.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		BrandColor:  "#4a6572",
		Auth:        []connector.Auth{{Kind: connector.AuthNone}},
		ConnectionParameters: []connector.ConnectionParameter{{
			Name: "rootFolder", Type: connector.TypeString, Required: true, DisplayName: "Root folder",
			Description: "Absolute path of the folder this connection may use, e.g. /srv/exchange. The server may restrict which folders are allowed.",
		}},
	})
}
