// SPDX-License-Identifier: Apache-2.0

//go:build unix

package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFile is the lock file of a data directory, held by `junction serve`
// while it runs and by offline commands (secrets rotate) while they write.
const LockFile = "serve.lock"

// ErrLocked means another process holds the data directory's lock.
var ErrLocked = errors.New("the data directory is in use by another junction process (is junction serve running?)")

// LockDataDir takes the exclusive lock of data directory dir without
// waiting. The lock is released by the returned function or when the
// process ends.
func LockDataDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
