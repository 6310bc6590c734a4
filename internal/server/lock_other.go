// SPDX-License-Identifier: Apache-2.0

//go:build !unix

package server

import "errors"

// LockFile is the lock file of a data directory (unused on this platform).
const LockFile = "serve.lock"

// ErrLocked means another process holds the data directory's lock.
var ErrLocked = errors.New("the data directory is in use by another junction process (is junction serve running?)")

// LockDataDir does nothing on platforms without flock: stop the server
// before offline commands.
func LockDataDir(string) (func(), error) { return func() {}, nil }
