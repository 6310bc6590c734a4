// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
)

// OnUpdatedFile is the id of the trigger "When a file is added or modified".
const OnUpdatedFile = "OnUpdatedFile"

// cursor is the trigger's state: the newest modification time returned so
// far and the names returned with exactly that time (several files can share
// one timestamp; a later poll must not return them again, nor miss a file
// with the same timestamp that appeared after the poll).
type cursor struct {
	LastModified time.Time `json:"lastModified"`
	Seen         []string  `json:"seen,omitempty"`
}

// Item is what the trigger returns for one file.
type Item struct {
	Metadata
	// Content is the file's content, when includeFileContent is true.
	Content *Content `json:"Content,omitempty"`
}

// Poll returns the files of a folder (not its subfolders) added or modified
// since the last poll, oldest first. The first poll (state nil) returns
// nothing: it remembers the newest file already there. A file whose
// modification time is older than the cursor when it appears (copied with
// its original time kept) is not seen.
func (s *Service) Poll(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	if operationID != OnUpdatedFile {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "%s: unknown trigger %q", s.cfg.Name, operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.PollResult{}, err
	}
	var cur cursor
	first := len(state) == 0 || string(state) == "null"
	if !first {
		if err := json.Unmarshal(state, &cur); err != nil {
			return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "%s: trigger state is not a cursor: %v", s.cfg.Name, err)
		}
	}
	max, err := in.Int("maxFileCount", 10, math.MinInt, math.MaxInt)
	if err != nil {
		return connector.PollResult{}, fmt.Errorf("%s: %w", s.cfg.Name, err)
	}
	if max < 1 {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "%s: maxFileCount must be at least 1", s.cfg.Name)
	}
	include, err := in.Bool("includeFileContent", true)
	if err != nil {
		return connector.PollResult{}, fmt.Errorf("%s: %w", s.cfg.Name, err)
	}
	dir, err := Rel(in.String("folderId"))
	if err != nil {
		return connector.PollResult{}, err
	}
	fsys, err := s.cfg.Open(ctx, conn)
	if err != nil {
		return connector.PollResult{}, err
	}
	defer fsys.Close()
	all, err := list(ctx, fsys, dir)
	if err != nil {
		return connector.PollResult{}, fmt.Errorf("%s %s: %w", s.cfg.Name, operationID, err)
	}
	files := all[:0]
	for _, m := range all {
		if !m.IsFolder {
			files = append(files, m)
		}
	}
	slices.SortFunc(files, func(a, b Metadata) int {
		if c := a.LastModified.Compare(b.LastModified); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	if first {
		for _, f := range files {
			if f.LastModified.After(cur.LastModified) {
				cur = cursor{LastModified: f.LastModified}
			}
			if f.LastModified.Equal(cur.LastModified) {
				cur.Seen = append(cur.Seen, f.Name)
			}
		}
		return connector.PollResult{State: mustJSON(cur)}, nil
	}
	var fresh []Metadata
	for _, f := range files {
		if f.LastModified.After(cur.LastModified) || (f.LastModified.Equal(cur.LastModified) && !slices.Contains(cur.Seen, f.Name)) {
			fresh = append(fresh, f)
		}
	}
	var res connector.PollResult
	if len(fresh) > max {
		fresh = fresh[:max]
		res.RetryAfter = time.Millisecond // more are waiting: poll again soon
	}
	for _, f := range fresh {
		it := Item{Metadata: f}
		if include {
			ct, err := readContent(ctx, fsys, strings.TrimPrefix(f.Path, "/"), s.cfg.MaxContentBytes, true)
			if errors.Is(err, fs.ErrNotExist) || connector.KindOf(err) == connector.KindNotFound {
				continue // deleted since it was listed
			}
			if err != nil {
				return connector.PollResult{}, fmt.Errorf("%s %s: %w", s.cfg.Name, operationID, err)
			}
			it.Content = &ct
		}
		res.Items = append(res.Items, it)
		if f.LastModified.After(cur.LastModified) {
			cur = cursor{LastModified: f.LastModified}
		}
		cur.Seen = append(cur.Seen, f.Name)
	}
	res.State = mustJSON(cur)
	return res, nil
}

// Cleanup deletes or moves the files the trigger returned, per its
// afterRead parameter ("none", "delete" or "move" to moveToFolder).
func (s *Service) Cleanup(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, items []any) error {
	if operationID != OnUpdatedFile {
		return connector.Errorf(connector.KindBadRequest, "%s: unknown trigger %q", s.cfg.Name, operationID)
	}
	mode := in.String("afterRead")
	if mode == "" || mode == "none" {
		return nil
	}
	if mode != "delete" && mode != "move" {
		return connector.Errorf(connector.KindBadRequest, "%s: afterRead must be none, delete or move, not %q", s.cfg.Name, mode)
	}
	var moveTo string
	var err error
	if mode == "move" {
		if moveTo, err = pathParam(in, "moveToFolder"); err != nil {
			return err
		}
	}
	paths := make([]string, 0, len(items))
	for _, it := range items {
		var m struct{ Path string }
		raw, _ := json.Marshal(it)
		if err := json.Unmarshal(raw, &m); err != nil || m.Path == "" {
			return connector.Errorf(connector.KindBadRequest, "%s: cleanup item has no Path", s.cfg.Name)
		}
		p, err := Rel(m.Path)
		if err != nil {
			return err
		}
		paths = append(paths, p)
	}
	fsys, err := s.cfg.Open(ctx, conn)
	if err != nil {
		return err
	}
	defer fsys.Close()
	if mode == "move" {
		if err := fsys.MkdirAll(ctx, moveTo); err != nil {
			return Classify("creating folder", err)
		}
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if mode == "delete" {
			err = fsys.Remove(ctx, p)
		} else {
			err = fsys.Rename(ctx, p, path.Join(moveTo, path.Base(p)), true)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s cleanup: %w", s.cfg.Name, Classify(mode+" "+UserPath(p), err))
		}
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are marshalled
	}
	return b
}
