// SPDX-License-Identifier: Apache-2.0

package mailmsg

import (
	"encoding/json"

	"github.com/junction-run/junction/connector"
)

// Filter is what every mail trigger (OnNewEmail) takes to choose and shape
// the messages it returns: the from and subjectContains texts, whether only
// messages with attachments count, and whether attachments are included.
// How From and Subject match is up to the connector (an IMAP SEARCH, a
// header check).
type Filter struct {
	From, Subject      string
	HasAttachment      bool
	IncludeAttachments bool
}

// ReadFilter reads from, subjectContains, hasAttachment and
// includeAttachments, in that order, as given.
func ReadFilter(in connector.Input) (Filter, error) {
	f := Filter{From: in.String("from"), Subject: in.String("subjectContains")}
	var err error
	if f.HasAttachment, err = in.Bool("hasAttachment", false); err != nil {
		return f, err
	}
	if f.IncludeAttachments, err = in.Bool("includeAttachments", false); err != nil {
		return f, err
	}
	return f, nil
}

// Wants reports whether a fetched message passes the hasAttachment filter.
func (f Filter) Wants(e *Email) bool { return !f.HasAttachment || e.HasAttachments }

// ReadCursor decodes a trigger's state into cursor (a pointer). first is
// true when there is no state yet, the trigger's first poll. name prefixes
// the error.
func ReadCursor(name string, state json.RawMessage, cursor any) (first bool, err error) {
	if len(state) == 0 || string(state) == "null" {
		return true, nil
	}
	if err := json.Unmarshal(state, cursor); err != nil {
		return false, connector.Errorf(connector.KindBadRequest, "%s: trigger state is not a cursor: %v", name, err)
	}
	return false, nil
}

// MustJSON marshals a trigger state.
func MustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are marshalled
	}
	return b
}
