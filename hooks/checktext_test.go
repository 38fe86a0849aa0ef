package hooks

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A problem is printed with its line and a caret under its column; the
// summary counts what still runs; the JSON has the same in fields.
func TestWriteCheck(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hookd.toml")
	os.WriteFile(file, []byte("[[hook]]\nname =\t\"x\"\n"), 0o644)
	cfg := &Config{Hooks: []*Hook{{Name: "a"}}, Files: []Source{{Path: file}}}
	probs := Problems{{Pos: Pos{File: file, Line: 2, Col: 8}, Message: "bad"}}
	warns := []Problem{{Pos: Pos{File: file}, Message: "odd"}}
	var b bytes.Buffer
	WriteCheck(&b, cfg, probs, warns)
	want := file + ":2:8: bad\n    name = \"x\"\n           ^\nwarning: " + file + ": odd\n1 problem; 1 sound hook would still run\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	WriteCheck(&b, cfg, nil, nil)
	if b.String() != "ok: 1 hook from "+file+"\n" {
		t.Errorf("%q", b.String())
	}
	b.Reset()
	WriteCheck(&b, &Config{}, nil, nil)
	if !strings.HasPrefix(b.String(), "ok: no config files found") {
		t.Errorf("%q", b.String())
	}
	data, _ := json.Marshal(NewCheckResult(&Config{}, nil, nil))
	if string(data) != `{"ok":true,"hooks":0,"files":[],"problems":[],"warnings":[]}` {
		t.Errorf("%s", data)
	}
	data, _ = json.Marshal(NewCheckResult(cfg, probs, warns).Problems)
	if string(data) != `[{"file":"`+file+`","line":2,"col":8,"message":"bad"}]` {
		t.Errorf("%s", data)
	}
}
