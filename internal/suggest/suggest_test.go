package suggest

import "testing"

func TestNearest(t *testing.T) {
	for _, c := range []struct {
		s     string
		names []string
		limit int
		want  string
	}{
		{"debunce", []string{"debounce", "timeout"}, 3, "debounce"},
		{"verison", []string{"version"}, 3, "version"},
		{"xyz", []string{"debounce"}, 3, ""},
		{"", nil, 3, ""},
	} {
		if got := Nearest(c.s, c.names, c.limit); got != c.want {
			t.Errorf("Nearest(%q) = %q, want %q", c.s, got, c.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d", d)
	}
}
