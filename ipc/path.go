// Package ipc is the daemon's socket API and its client: HTTP/1.1 over a
// unix socket, JSON, every path under /v1/, a Hookd-Version header on every
// reply, and errors always encoded as {"error": "..."}.
//
// # Where the socket is
//
// One daemon serves one work tree. Its socket is
// $XDG_RUNTIME_DIR/hookd/<hash of the work tree>.sock, or
// /tmp/hookd-<uid>/<hash>.sock without XDG_RUNTIME_DIR or when the first
// path would not fit the 108 bytes a unix socket name may take. Another
// local user can create /tmp/hookd-<uid> first; then the socket lives in
// the user's own state directory instead
// ($XDG_STATE_HOME/hookd/sockets/<hash>.sock), and the daemon says so. Both
// the CLI and the git shims compute it the same way, so nothing needs to
// be discovered.
//
// # Security
//
// The socket is 0600 in a 0700 directory that must belong to the user, and
// the server checks every connection's peer uid (SO_PEERCRED): a request
// from another user is refused with 403.
//
// # One daemon per work tree
//
// The daemon holds an exclusive flock on <socket>.lock for its whole life.
// The kernel drops it when the process dies, so a stale lock cannot exist,
// and a second daemon learns at once that one is running.
package ipc

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// maxSocketPath is the longest socket path that binds on every platform
// (108 bytes on Linux, 104 on macOS, both with the trailing NUL).
const maxSocketPath = 103

// PathHash names a work tree in shared directories (state, sockets).
func PathHash(path string) string {
	sum := sha256.Sum256([]byte(path))
	return hex.EncodeToString(sum[:6])
}

// SocketPath returns the socket of the daemon for the work tree at root,
// from $XDG_RUNTIME_DIR and the temporary directory.
func SocketPath(root string) string {
	return SocketPathIn(root, os.Getenv("XDG_RUNTIME_DIR"), os.TempDir())
}

// SocketPathIn is SocketPath with the runtime and temporary directories
// given.
func SocketPathIn(root, runtimeDir, tmpDir string) string {
	name := PathHash(root) + ".sock"
	if runtimeDir != "" {
		if p := filepath.Join(runtimeDir, "hookd", name); len(p) <= maxSocketPath {
			return p
		}
	}
	if _, taken := SharedDirTaken(tmpDir); taken {
		return filepath.Join(PrivateSocketDir(), name)
	}
	return filepath.Join(tmpDir, "hookd-"+strconv.Itoa(os.Getuid()), name)
}

// SharedDirTaken reports whether /tmp/hookd-<uid> (under tmpDir) exists
// and is not the user's own private directory: someone else made it (or a
// symlink) first, so it must not hold the user's socket.
func SharedDirTaken(tmpDir string) (dir string, taken bool) {
	dir = filepath.Join(tmpDir, "hookd-"+strconv.Itoa(os.Getuid()))
	fi, err := os.Lstat(dir)
	if err != nil {
		return dir, false // not there: ours to create
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return dir, !fi.IsDir() || !ok || int(st.Uid) != os.Getuid()
}

// PrivateSocketDir is where sockets go when the shared temporary
// directory is taken: inside the user's state directory, which no one
// else can enter.
func PrivateSocketDir() string {
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, _ := os.UserHomeDir()
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "hookd", "sockets")
}

// ensureDir creates the socket's directory 0700 and refuses one that
// belongs to someone else or that others can enter: in /tmp, another user
// could have made it first.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("ipc: create socket directory: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("ipc: socket directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("ipc: socket directory %s is not a directory of yours; remove it", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("ipc: socket directory %s is open to others: %w", dir, err)
		}
	}
	return nil
}
