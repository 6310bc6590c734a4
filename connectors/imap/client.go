// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// mailbox is the part of an IMAP session the connector uses. It keeps
// go-imap (a pinned beta) out of the rest of the package: only
// [imapSession] knows its types. A mailbox is used by one goroutine.
type mailbox interface {
	// Select opens a folder, read-only when readOnly.
	Select(folder string, readOnly bool) (folderStatus, error)
	// Search returns the UIDs matching c in the selected folder, ascending.
	Search(c criteria) ([]uint32, error)
	// Fetch returns the messages with these UIDs, ascending by UID; with
	// body the raw message too (without setting \Seen). Missing UIDs are
	// left out.
	Fetch(uids []uint32, body bool) ([]message, error)
	// SetFlags adds or removes flags of the messages.
	SetFlags(uids []uint32, flags []string, add bool) error
	// Move moves the messages to folder.
	Move(uids []uint32, folder string) error
	// Delete expunges the messages.
	Delete(uids []uint32) error
	// Create creates a folder; an existing folder is not an error.
	Create(folder string) error
	// Append stores a raw message in folder.
	Append(folder string, raw []byte, flags []string) error
	// Logout ends the session politely and closes it.
	Logout() error
}

type folderStatus struct {
	UIDValidity uint32
	UIDNext     uint32
	Messages    uint32
}

// criteria is a UID SEARCH: all fields are ANDed; zero values match all.
type criteria struct {
	// MinUID keeps UIDs >= MinUID.
	MinUID  uint32
	UIDs    []uint32
	From    string
	Subject string
	Text    string
	Unseen  bool
}

type message struct {
	UID          uint32
	Flags        []string
	InternalDate time.Time
	Size         int64
	Raw          []byte
}

// Flags the connector sets.
const (
	flagSeen    = `\Seen`
	flagFlagged = `\Flagged`
)

// imapSession implements mailbox over go-imap v2.
type imapSession struct {
	c    *imapclient.Client
	stop func() bool
}

var _ mailbox = (*imapSession)(nil)

// open connects and logs in. The session closes as soon as ctx is done, so
// every command returns promptly on cancellation.
func (c *Connector) open(ctx context.Context, s mailmsg.Settings) (*imapSession, error) {
	conn, err := s.Dial(ctx, c.cfg.RootCAs, c.cfg.Timeout)
	if err != nil {
		return nil, err
	}
	opts := &imapclient.Options{TLSConfig: s.TLSConfig(c.cfg.RootCAs)}
	stopEarly := context.AfterFunc(ctx, func() { _ = conn.Close() })
	var cl *imapclient.Client
	if s.Security == mailmsg.SecurityStartTLS {
		_ = conn.SetDeadline(time.Now().Add(c.cfg.Timeout))
		cl, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			stopEarly()
			_ = conn.Close()
			return nil, classify(ctx, "starting tls with "+s.Addr(), err, s.Password)
		}
		_ = conn.SetDeadline(time.Time{})
	} else {
		cl = imapclient.New(conn, opts)
	}
	stopEarly()
	sess := &imapSession{c: cl, stop: context.AfterFunc(ctx, func() { _ = cl.Close() })}
	if err := cl.WaitGreeting(); err != nil {
		sess.close()
		return nil, classify(ctx, "reading the greeting of "+s.Addr(), err, s.Password)
	}
	if err := cl.Login(s.Username, s.Password).Wait(); err != nil {
		sess.close()
		var ie *goimap.Error
		if errors.As(err, &ie) && ctx.Err() == nil && ie.Type == goimap.StatusResponseTypeNo {
			return nil, &connector.Error{Kind: connector.KindUnauthenticated,
				Message: "logging in to " + s.Addr() + ": " + mailmsg.Redact(ie.Text, s.Password)}
		}
		return nil, classify(ctx, "logging in to "+s.Addr(), err, s.Password)
	}
	return sess, nil
}

func (s *imapSession) close() {
	s.stop()
	_ = s.c.Close()
}

func (s *imapSession) Logout() error {
	defer s.close()
	return s.c.Logout().Wait()
}

func (s *imapSession) Select(folder string, readOnly bool) (folderStatus, error) {
	d, err := s.c.Select(folder, &goimap.SelectOptions{ReadOnly: readOnly}).Wait()
	if err != nil {
		return folderStatus{}, err
	}
	return folderStatus{UIDValidity: d.UIDValidity, UIDNext: uint32(d.UIDNext), Messages: d.NumMessages}, nil
}

func uidSet(uids []uint32) goimap.UIDSet {
	var set goimap.UIDSet
	for _, u := range uids {
		set.AddNum(goimap.UID(u))
	}
	return set
}

func (s *imapSession) Search(c criteria) ([]uint32, error) {
	var sc goimap.SearchCriteria
	if c.MinUID > 0 {
		var set goimap.UIDSet
		set.AddRange(goimap.UID(c.MinUID), 0) // MinUID:*
		sc.UID = append(sc.UID, set)
	}
	if len(c.UIDs) > 0 {
		sc.UID = append(sc.UID, uidSet(c.UIDs))
	}
	if c.From != "" {
		sc.Header = append(sc.Header, goimap.SearchCriteriaHeaderField{Key: "From", Value: c.From})
	}
	if c.Subject != "" {
		sc.Header = append(sc.Header, goimap.SearchCriteriaHeaderField{Key: "Subject", Value: c.Subject})
	}
	if c.Text != "" {
		sc.Text = append(sc.Text, c.Text)
	}
	if c.Unseen {
		sc.NotFlag = append(sc.NotFlag, goimap.FlagSeen)
	}
	d, err := s.c.UIDSearch(&sc, nil).Wait()
	if err != nil {
		return nil, err
	}
	var out []uint32
	for _, u := range d.AllUIDs() {
		// "n:*" always matches the highest UID, even below n.
		if uint32(u) >= c.MinUID {
			out = append(out, uint32(u))
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *imapSession) Fetch(uids []uint32, body bool) ([]message, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	opts := &goimap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true}
	section := &goimap.FetchItemBodySection{Peek: true}
	if body {
		opts.BodySection = []*goimap.FetchItemBodySection{section}
	}
	bufs, err := s.c.Fetch(uidSet(uids), opts).Collect()
	if err != nil {
		return nil, err
	}
	out := make([]message, 0, len(bufs))
	for _, b := range bufs {
		if b.UID == 0 {
			continue
		}
		m := message{UID: uint32(b.UID), InternalDate: b.InternalDate, Size: b.RFC822Size}
		for _, f := range b.Flags {
			m.Flags = append(m.Flags, string(f))
		}
		if body {
			m.Raw = b.FindBodySection(section)
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b message) int { return int(int64(a.UID) - int64(b.UID)) })
	return out, nil
}

func (s *imapSession) SetFlags(uids []uint32, flags []string, add bool) error {
	op := goimap.StoreFlagsAdd
	if !add {
		op = goimap.StoreFlagsDel
	}
	fl := make([]goimap.Flag, len(flags))
	for i, f := range flags {
		fl[i] = goimap.Flag(f)
	}
	return s.c.Store(uidSet(uids), &goimap.StoreFlags{Op: op, Silent: true, Flags: fl}, nil).Close()
}

func (s *imapSession) Move(uids []uint32, folder string) error {
	_, err := s.c.Move(uidSet(uids), folder).Wait()
	return err
}

func (s *imapSession) Delete(uids []uint32) error {
	if err := s.SetFlags(uids, []string{string(goimap.FlagDeleted)}, true); err != nil {
		return err
	}
	if s.c.Caps().Has(goimap.CapUIDPlus) {
		return s.c.UIDExpunge(uidSet(uids)).Close()
	}
	return s.c.Expunge().Close()
}

func (s *imapSession) Create(folder string) error {
	err := s.c.Create(folder, nil).Wait()
	var ie *goimap.Error
	if errors.As(err, &ie) && (ie.Code == goimap.ResponseCodeAlreadyExists || strings.Contains(strings.ToLower(ie.Text), "exists")) {
		return nil
	}
	return err
}

func (s *imapSession) Append(folder string, raw []byte, flags []string) error {
	fl := make([]goimap.Flag, len(flags))
	for i, f := range flags {
		fl[i] = goimap.Flag(f)
	}
	cmd := s.c.Append(folder, int64(len(raw)), &goimap.AppendOptions{Flags: fl})
	if _, err := cmd.Write(raw); err != nil {
		_ = cmd.Close()
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

// classify turns a go-imap or network error into a classified connector
// error whose text never holds the password.
func classify(ctx context.Context, what string, err error, password string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return err
	}
	var ie *goimap.Error
	if errors.As(err, &ie) {
		kind := connector.KindBadRequest
		switch ie.Code {
		case goimap.ResponseCodeNonExistent, goimap.ResponseCodeTryCreate:
			kind = connector.KindNotFound
		case goimap.ResponseCodeAuthenticationFailed, goimap.ResponseCodeAuthorizationFailed, goimap.ResponseCodeExpired,
			goimap.ResponseCodeNoPerm, goimap.ResponseCodePrivacyRequired:
			kind = connector.KindUnauthenticated
		case goimap.ResponseCodeUnavailable, goimap.ResponseCodeInUse, goimap.ResponseCodeServerBug, goimap.ResponseCodeLimit:
			kind = connector.KindRetryable
		default:
			if ie.Type == goimap.StatusResponseTypeBye {
				kind = connector.KindRetryable
			} else if ie.Type == goimap.StatusResponseTypeNo && strings.Contains(strings.ToLower(ie.Text), "mailbox doesn't exist") {
				kind = connector.KindNotFound
			}
		}
		return &connector.Error{Kind: kind, Message: what + ": " + mailmsg.Redact(ie.Error(), password)}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return &connector.Error{Kind: connector.KindRetryable, Message: what + ": " + mailmsg.Redact(err.Error(), password)}
	}
	return &connector.Error{Kind: connector.KindRetryable, Message: what + ": " + mailmsg.Redact(err.Error(), password)}
}
