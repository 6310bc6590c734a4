// SPDX-License-Identifier: Apache-2.0

package blob

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/junction-run/junction/connector"
)

// OnUpdatedBlobs is the id of the trigger "When a blob is added or modified".
const OnUpdatedBlobs = "OnUpdatedBlobs"

// maxSeen bounds the cursor's set of blobs returned within its boundary
// second; a bucket where more blobs than this change within one second may
// see some of those blobs twice.
const maxSeen = 5000

// cursor is the trigger's state. S3 reports last-modified times to the
// second in listings, and several blobs can change within one second, so
// the cursor is the boundary second plus a set of the blobs (name and ETag,
// hashed to keep the state small and bounded) already returned within it. A
// blob is new when it changed after that second, or within it with a name
// and ETag not in the set: a blob rewritten within the same second has a new
// ETag and is returned again.
type cursor struct {
	Second time.Time `json:"second"`
	Seen   []string  `json:"seen,omitempty"`
}

// Item is what the trigger returns for one blob.
type Item struct {
	Metadata
	// Content is the blob's content, when includeContent is true.
	Content *Content `json:"Content,omitempty"`
}

func seenKey(name, etag string) string {
	h := sha256.Sum256([]byte(name + "\x00" + strings.Trim(etag, `"`)))
	return base64.RawStdEncoding.EncodeToString(h[:12])
}

// Poll lists the container (under prefix) and returns the blobs added or
// modified since the last poll, oldest first, at most maxBlobCount per poll
// (RetryAfter asks for the next poll at once when more are waiting). The
// first poll (state nil) returns nothing: it remembers the newest blobs
// already there. Every poll lists the whole prefix: use a prefix for large
// buckets.
func (c *Connector) Poll(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	if operationID != OnUpdatedBlobs {
		return connector.PollResult{}, badRequest("unknown trigger %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.PollResult{}, fmt.Errorf("blob %s: %w", operationID, err)
	}
	var cur cursor
	first := len(state) == 0 || string(state) == "null"
	if !first {
		if err := json.Unmarshal(state, &cur); err != nil {
			return connector.PollResult{}, badRequest("trigger state is not a cursor: %v", err)
		}
	}
	bucket, err := required(in, "container")
	if err != nil {
		return connector.PollResult{}, err
	}
	max, err := in.Int("maxBlobCount", 10, math.MinInt, math.MaxInt)
	if err != nil {
		return connector.PollResult{}, err
	}
	if max < 1 {
		return connector.PollResult{}, badRequest("maxBlobCount must be at least 1")
	}
	include, err := in.Bool("includeContent", false)
	if err != nil {
		return connector.PollResult{}, err
	}
	if _, err := afterRead(in); err != nil {
		return connector.PollResult{}, err
	}
	cl, err := c.client(conn)
	if err != nil {
		return connector.PollResult{}, err
	}
	prefix := strings.TrimPrefix(in.String("prefix"), "/")
	var all []minio.ObjectInfo
	for o := range cl.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return connector.PollResult{}, fmt.Errorf("blob %s: %w", operationID, classify(ctx, "listing "+bucket, o.Err))
		}
		if strings.HasSuffix(o.Key, "/") && o.Size == 0 {
			continue // folder marker
		}
		o.LastModified = o.LastModified.UTC().Truncate(time.Second)
		all = append(all, o)
	}
	if err := ctx.Err(); err != nil {
		return connector.PollResult{}, fmt.Errorf("blob %s: %w", operationID, err)
	}
	slices.SortFunc(all, func(a, b minio.ObjectInfo) int {
		if c := a.LastModified.Compare(b.LastModified); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	advance := func(o minio.ObjectInfo) {
		if o.LastModified.After(cur.Second) {
			cur = cursor{Second: o.LastModified}
		}
		if len(cur.Seen) < maxSeen {
			cur.Seen = append(cur.Seen, seenKey(o.Key, o.ETag))
		}
	}
	if first {
		for _, o := range all {
			advance(o)
		}
		return connector.PollResult{State: mustJSON(cur)}, nil
	}
	var res connector.PollResult
	for _, o := range all {
		if o.LastModified.Before(cur.Second) ||
			(o.LastModified.Equal(cur.Second) && slices.Contains(cur.Seen, seenKey(o.Key, o.ETag))) {
			continue
		}
		if len(res.Items) == max {
			res.RetryAfter = time.Millisecond // more are waiting: poll again soon
			break
		}
		it := Item{Metadata: metadataOf(bucket, o)}
		// A blob too large to hold in memory comes without Content: fetch
		// it with GetBlobContent from a streaming host.
		if include && o.Size <= c.cfg.MaxContentBytes {
			ct, err := readContent(ctx, cl, connector.Input{Parameters: map[string]any{"container": bucket, "blob": o.Key}}, c.cfg.MaxContentBytes)
			if connector.KindOf(err) == connector.KindNotFound {
				continue // deleted since it was listed
			}
			if err != nil {
				return connector.PollResult{}, fmt.Errorf("blob %s: %w", operationID, err)
			}
			it.Content = &ct
		}
		res.Items = append(res.Items, it)
		advance(o)
	}
	res.State = mustJSON(cur)
	return res, nil
}

func afterRead(in connector.Input) (string, error) {
	switch m := in.String("afterRead"); m {
	case "", "none":
		return "none", nil
	case "delete":
		return m, nil
	default:
		return "", badRequest("afterRead must be none or delete, not %q", m)
	}
}

// Cleanup deletes the blobs the trigger returned when afterRead is delete.
// A blob already gone is not an error; a blob rewritten since it was read
// (another ETag) is left alone, so a change is never lost.
func (c *Connector) Cleanup(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, items []any) error {
	if operationID != OnUpdatedBlobs {
		return badRequest("unknown trigger %q", operationID)
	}
	mode, err := afterRead(in)
	if err != nil || mode == "none" {
		return err
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	for _, raw := range items {
		var it Item
		b, err := json.Marshal(raw)
		if err == nil {
			err = json.Unmarshal(b, &it)
		}
		if err != nil || it.Container == "" || it.FileLocator == "" {
			return badRequest("cleanup item is not a blob the trigger returned")
		}
		what := "deleting " + it.Container + "/" + it.FileLocator
		info, err := cl.StatObject(ctx, it.Container, it.FileLocator, minio.StatObjectOptions{})
		if connector.KindOf(classify(ctx, what, err)) == connector.KindNotFound {
			continue
		}
		if err != nil {
			return fmt.Errorf("blob %s: %w", operationID, classify(ctx, what, err))
		}
		if it.ETag != "" && strings.Trim(info.ETag, `"`) != it.ETag {
			continue // rewritten since read: the next poll returns it
		}
		if err := cl.RemoveObject(ctx, it.Container, it.FileLocator, minio.RemoveObjectOptions{}); err != nil {
			return fmt.Errorf("blob %s: %w", operationID, classify(ctx, what, err))
		}
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // a cursor always marshals
	}
	return b
}
