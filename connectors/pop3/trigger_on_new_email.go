// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// OnNewEmail is the id of the trigger "When a new email arrives".
const OnNewEmail = "OnNewEmail"

// maxSeen bounds the unique ids the trigger's state remembers.
const maxSeen = 10000

// cursor is the trigger's state: the unique ids already looked at that are
// still on the server, in message-number order.
type cursor struct {
	Seen []string `json:"seen"`
}

// triggerInput holds the filter with From and Subject in lower case, as
// headerMatches compares them.
type triggerInput struct {
	mailmsg.Filter
	deleteAfterRead bool
	max             int
}

func readTriggerInput(in connector.Input) (triggerInput, error) {
	var t triggerInput
	var err error
	if t.Filter, err = mailmsg.ReadFilter(in); err != nil {
		return t, err
	}
	t.From, t.Subject = strings.ToLower(t.From), strings.ToLower(t.Subject)
	if t.deleteAfterRead, err = in.Bool("deleteAfterRead", false); err != nil {
		return t, err
	}
	if t.max, err = in.Int("maxEmails", 25, 1, 500); err != nil {
		return t, err
	}
	return t, nil
}

// headerMatches applies the from and subjectContains filters to a header
// block (from TOP), so that only matching messages are retrieved whole.
func (t triggerInput) headerMatches(header []byte) bool {
	if t.From == "" && t.Subject == "" {
		return true
	}
	m, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(append(header, '\n', '\n'))))
	if err != nil {
		return false
	}
	if t.From != "" && !strings.Contains(strings.ToLower(mailmsg.DecodeHeader(m.Header.Get("From"))), t.From) {
		return false
	}
	return t.Subject == "" || strings.Contains(strings.ToLower(mailmsg.DecodeHeader(m.Header.Get("Subject"))), t.Subject)
}

// Poll returns the messages whose unique ids it has not seen, oldest first.
// See the package documentation for the first poll.
func (c *Connector) Poll(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	if operationID != OnNewEmail {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "pop3: unknown trigger %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.PollResult{}, err
	}
	t, err := readTriggerInput(in)
	if err != nil {
		return connector.PollResult{}, err
	}
	var cur cursor
	first, err := mailmsg.ReadCursor("pop3", state, &cur)
	if err != nil {
		return connector.PollResult{}, err
	}
	seen := make(map[string]bool, len(cur.Seen))
	for _, id := range cur.Seen {
		seen[id] = true
	}
	var res connector.PollResult
	err = c.session(ctx, conn, func(ctx context.Context, cl *client) error {
		list, err := cl.List()
		if err != nil {
			return err
		}
		next := make([]string, 0, len(list))
		taken := 0
		for _, m := range list {
			if m.UID == "" {
				continue
			}
			if first || seen[m.UID] {
				next = append(next, m.UID)
				continue
			}
			if taken == t.max {
				res.RetryAfter = time.Millisecond // more are waiting: poll again soon
				continue                          // not seen: the next poll returns it
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if t.From != "" || t.Subject != "" {
				h, err := cl.Top(m.Num, c.cfg.MaxMessageBytes)
				if err != nil {
					return err
				}
				if !t.headerMatches(h) {
					next = append(next, m.UID)
					continue
				}
			}
			raw, err := cl.Retr(m.Num, c.cfg.MaxMessageBytes)
			if err != nil {
				return err
			}
			next = append(next, m.UID)
			e, err := c.parse(m, raw, t.IncludeAttachments)
			if err != nil {
				c.Logger().Warn("pop3 message skipped: it cannot be parsed", "id", m.UID, "error", err.Error())
				continue
			}
			if !t.Wants(e) {
				continue
			}
			taken++
			res.Items = append(res.Items, e)
		}
		if len(next) > maxSeen {
			next = next[len(next)-maxSeen:]
		}
		res.State = mailmsg.MustJSON(cursor{Seen: next})
		return nil
	})
	if err != nil {
		return connector.PollResult{}, err
	}
	return res, nil
}

// Cleanup deletes the messages the trigger returned when deleteAfterRead
// is true.
func (c *Connector) Cleanup(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, items []any) error {
	if operationID != OnNewEmail {
		return connector.Errorf(connector.KindBadRequest, "pop3: unknown trigger %q", operationID)
	}
	t, err := readTriggerInput(in)
	if err != nil {
		return err
	}
	if !t.deleteAfterRead || len(items) == 0 {
		return nil
	}
	var ids []string
	for _, it := range items {
		var e struct{ ID string }
		raw, _ := json.Marshal(it)
		if err := json.Unmarshal(raw, &e); err != nil || e.ID == "" {
			return connector.Errorf(connector.KindBadRequest, "pop3 cleanup: item has no message id")
		}
		ids = append(ids, e.ID)
	}
	return c.session(ctx, conn, func(ctx context.Context, cl *client) error {
		list, err := cl.List()
		if err != nil {
			return err
		}
		for _, m := range list {
			if slices.Contains(ids, m.UID) {
				if err := cl.Dele(m.Num); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
