// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// OnNewEmail is the id of the trigger "When a new email arrives".
const OnNewEmail = "OnNewEmail"

// cursor is the trigger's state: the folder's UIDVALIDITY and the highest
// UID already looked at. UIDs only grow within one UIDVALIDITY, so every
// message with a higher UID is new.
type cursor struct {
	UIDValidity uint32 `json:"uidValidity"`
	LastUID     uint32 `json:"lastUid"`
}

// afterRead modes.
const (
	afterNone       = "none"
	afterMarkAsRead = "markAsRead"
	afterMove       = "move"
	afterDelete     = "delete"
)

type triggerInput struct {
	mailmsg.Filter
	folder                  string
	max                     int
	afterRead, moveToFolder string
}

func readTriggerInput(in connector.Input) (triggerInput, error) {
	t := triggerInput{folder: folderParam(in, "folder")}
	var err error
	if t.Filter, err = mailmsg.ReadFilter(in); err != nil {
		return t, err
	}
	if t.max, err = in.Int("maxEmails", 25, 1, 500); err != nil {
		return t, err
	}
	t.afterRead = in.String("afterRead")
	if t.afterRead == "" {
		t.afterRead = afterNone
	}
	switch t.afterRead {
	case afterNone, afterMarkAsRead, afterDelete:
	case afterMove:
		if t.moveToFolder = strings.TrimSpace(in.String("moveToFolder")); t.moveToFolder == "" {
			return t, connector.Errorf(connector.KindBadRequest, "afterRead move needs moveToFolder")
		}
	default:
		return t, connector.Errorf(connector.KindBadRequest, "afterRead must be none, markAsRead, move or delete, not %q", t.afterRead)
	}
	return t, nil
}

// Poll returns the messages that arrived in the folder since the last poll,
// oldest first, as email objects. See the package documentation for the
// first poll and for a UIDVALIDITY change.
func (c *Connector) Poll(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	if operationID != OnNewEmail {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "imap: unknown trigger %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.PollResult{}, err
	}
	t, err := readTriggerInput(in)
	if err != nil {
		return connector.PollResult{}, err
	}
	var cur cursor
	first, err := mailmsg.ReadCursor("imap", state, &cur)
	if err != nil {
		return connector.PollResult{}, err
	}
	var res connector.PollResult
	err = c.session(ctx, conn, func(ctx context.Context, m mailbox, s mailmsg.Settings) error {
		st, err := m.Select(t.folder, true)
		if err != nil {
			return err
		}
		if first || st.UIDValidity != cur.UIDValidity {
			if !first {
				c.Logger().Warn("imap folder UIDVALIDITY changed; the trigger starts again from the folder as it is",
					"folder", t.folder, "old", cur.UIDValidity, "new", st.UIDValidity)
			}
			last, err := lastUID(m, st)
			if err != nil {
				return err
			}
			res.State = mailmsg.MustJSON(cursor{UIDValidity: st.UIDValidity, LastUID: last})
			return nil
		}
		uids, err := m.Search(criteria{MinUID: cur.LastUID + 1, From: t.From, Subject: t.Subject})
		if err != nil {
			return err
		}
		next := cur
		if len(uids) > t.max {
			uids = uids[:t.max]
			res.RetryAfter = time.Millisecond // more are waiting: poll again soon
		} else if st.UIDNext > 1 && st.UIDNext-1 > next.LastUID {
			// Every message below UIDNEXT existed at SELECT and was searched.
			next.LastUID = st.UIDNext - 1
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		msgs, err := m.Fetch(uids, true)
		if err != nil {
			return err
		}
		for _, msg := range msgs {
			if msg.UID > next.LastUID {
				next.LastUID = msg.UID
			}
			e, err := c.toEmail(t.folder, msg, t.IncludeAttachments)
			if err != nil {
				c.Logger().Warn("imap message skipped: it cannot be parsed", "folder", t.folder, "uid", msg.UID, "error", err.Error())
				continue
			}
			if !t.Wants(e) {
				continue
			}
			res.Items = append(res.Items, e)
		}
		if len(uids) > 0 && uids[len(uids)-1] > next.LastUID {
			next.LastUID = uids[len(uids)-1]
		}
		res.State = mailmsg.MustJSON(next)
		return nil
	})
	if err != nil {
		return connector.PollResult{}, err
	}
	return res, nil
}

// lastUID is the highest UID in use: UIDNEXT-1, or the highest UID found
// when the server did not say UIDNEXT.
func lastUID(m mailbox, st folderStatus) (uint32, error) {
	if st.UIDNext > 0 {
		return st.UIDNext - 1, nil
	}
	all, err := m.Search(criteria{})
	if err != nil || len(all) == 0 {
		return 0, err
	}
	return all[len(all)-1], nil
}

// Cleanup applies afterRead (markAsRead, move or delete) to the messages
// the trigger returned.
func (c *Connector) Cleanup(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, items []any) error {
	if operationID != OnNewEmail {
		return connector.Errorf(connector.KindBadRequest, "imap: unknown trigger %q", operationID)
	}
	t, err := readTriggerInput(in)
	if err != nil {
		return err
	}
	if t.afterRead == afterNone || len(items) == 0 {
		return nil
	}
	byFolder := map[string][]uint32{}
	for _, it := range items {
		var e struct{ ID, Folder string }
		raw, _ := json.Marshal(it)
		if err := json.Unmarshal(raw, &e); err != nil {
			return connector.Errorf(connector.KindBadRequest, "imap cleanup: item is not an email")
		}
		u, err := strconv.ParseUint(e.ID, 10, 32)
		if err != nil || u == 0 {
			return connector.Errorf(connector.KindBadRequest, "imap cleanup: item has no message id")
		}
		f := e.Folder
		if f == "" {
			f = t.folder
		}
		byFolder[f] = append(byFolder[f], uint32(u))
	}
	return c.session(ctx, conn, func(ctx context.Context, m mailbox, s mailmsg.Settings) error {
		for folder, uids := range byFolder {
			if _, err := m.Select(folder, false); err != nil {
				return err
			}
			// Only what is still there: a message moved or deleted since is
			// not an error.
			uids, err := m.Search(criteria{UIDs: uids})
			if err != nil {
				return err
			}
			if len(uids) == 0 {
				continue
			}
			switch t.afterRead {
			case afterMarkAsRead:
				err = m.SetFlags(uids, []string{flagSeen}, true)
			case afterMove:
				if err = m.Create(t.moveToFolder); err == nil {
					err = m.Move(uids, t.moveToFolder)
				}
			case afterDelete:
				err = m.Delete(uids)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}
