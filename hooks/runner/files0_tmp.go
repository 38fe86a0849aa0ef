package runner

import "os"

// newTempFiles0 writes the list to a new private file, removed when the
// run ends.
func newTempFiles0(data []byte) (files0, error) {
	f, err := os.CreateTemp("", "hookd-files0-*")
	if err != nil {
		return files0{}, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return files0{}, err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return files0{}, err
	}
	return files0{path: f.Name(), close: func() { os.Remove(f.Name()) }}, nil
}
