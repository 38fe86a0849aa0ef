//go:build !linux

package runner

// newFiles0 writes the list to a private file: a descriptor shared with
// the command would be read once only (macOS's /dev/fd duplicates it).
func newFiles0(data []byte) (files0, error) { return newTempFiles0(data) }
