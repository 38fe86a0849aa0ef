package greet

import "testing"

func TestHello(t *testing.T) {
	if got := Hello(""); got != "Hello, friend!" {
		t.Errorf("Hello(\"\") = %q", got)
	}
}
