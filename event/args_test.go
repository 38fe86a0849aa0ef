package event

import (
	"reflect"
	"testing"
)

func TestManualArgs(t *testing.T) {
	got := ManualArgs([]string{"v1.4", "version=1.4.0", "note=a=b", "=x", "argv=no", "version=2"})
	want := map[string]any{
		"argv":    []any{"v1.4", "version=1.4.0", "note=a=b", "=x", "argv=no", "version=2"},
		"version": "2",
		"note":    "a=b",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ManualArgs = %#v, want %#v", got, want)
	}
	if ManualArgs(nil) != nil {
		t.Error("no words must be no args")
	}
	if a := Argv(got); !reflect.DeepEqual(a, []string{"v1.4", "version=1.4.0", "note=a=b", "=x", "argv=no", "version=2"}) {
		t.Errorf("Argv = %q", a)
	}
	if a := Argv(map[string]any{"argv": []any{"a", 3, "b"}}); !reflect.DeepEqual(a, []string{"a", "b"}) {
		t.Errorf("Argv of a client's JSON = %q", a)
	}
}
