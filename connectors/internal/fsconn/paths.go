// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/junction-run/junction/connector"
)

// Rel turns a user path ("/folder/a.txt", "folder\\a.txt", "") into a path
// relative to the root ("folder/a.txt", "."). It refuses paths that leave
// the root.
func Rel(p string) (string, error) {
	p = strings.ReplaceAll(p, `\`, "/")
	p = strings.TrimLeft(p, "/")
	if p == "" {
		return ".", nil
	}
	clean := path.Clean(p)
	if !filepath.IsLocal(clean) && clean != "." {
		return "", connector.Errorf(connector.KindBadRequest, "path %q leaves the root folder", p)
	}
	return clean, nil
}

// UserPath is how a root-relative path is shown: "/folder/a.txt".
func UserPath(r string) string {
	if r == "." {
		return "/"
	}
	return "/" + r
}

// Classify turns a file system error into a connector error. Errors that
// already carry a [*connector.Error] and context errors are returned as
// they are.
func Classify(what string, err error) error {
	var ce *connector.Error
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ce) {
		return err
	}
	var kind connector.ErrorKind
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kind = connector.KindNotFound
	case errors.Is(err, fs.ErrExist):
		kind = connector.KindBadRequest
	case errors.Is(err, fs.ErrPermission):
		kind = connector.KindUnauthenticated
	case strings.Contains(msg, "escapes from parent"), strings.Contains(msg, "not a directory"),
		strings.Contains(msg, "is a directory"), strings.Contains(msg, "directory not empty"):
		kind = connector.KindBadRequest
	default:
		kind = connector.KindRetryable
	}
	return &connector.Error{Kind: kind, Message: what, Err: stripRoot(err)}
}

// stripRoot keeps the operation and error of a *fs.PathError but not an
// absolute root on the server's disk.
func stripRoot(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: %w", pe.Op, UserPath(strings.TrimLeft(filepath.ToSlash(pe.Path), "/")), pe.Err)
	}
	return err
}

// isTemp reports whether name is one of the connectors' temporary files.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".junction-")
}
