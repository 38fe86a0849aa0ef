//go:build !linux

package settle

// writerGone cannot tell on this platform; the quiet period decides.
func writerGone(string) (gone, known bool) { return false, false }
