package apistub

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Each stand-in answers a new conversation with its tool call, and the
// conversation that carries the tool's result with the reply.
func TestStandIns(t *testing.T) {
	a, err := Start("anthropic", Script{Write: "out.txt", Reply: "DONE"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	first := post(t, a.URL+"/v1/messages", `{"stream":true,"system":"Primary working directory: /w\n","tools":[{"name":"Write"}],"messages":[{"content":"go"}]}`)
	if !strings.Contains(first, `\"file_path\":\"/w/out.txt\"`) || !strings.Contains(first, `"stop_reason":"tool_use"`) {
		t.Errorf("first turn: %s", first)
	}
	second := post(t, a.URL+"/v1/messages", `{"stream":true,"tools":[{"name":"Write"}],"messages":[{"content":[{"type":"tool_result"}]}]}`)
	if !strings.Contains(second, `"text":"DONE"`) {
		t.Errorf("second turn: %s", second)
	}

	o, _ := Start("openai", Script{Shell: "make"})
	defer o.Close()
	if got := post(t, o.URL+"/v1/responses", `{"tools":[{"name":"exec_command","parameters":{"properties":{"cmd":{"type":"string"}}}}]}`); !strings.Contains(got, `\"cmd\":\"make\"`) || !strings.Contains(got, "response.completed") {
		t.Errorf("openai: %s", got)
	}
	c, _ := Start("chat", Script{Write: "c.md", Reply: "DONE"})
	defer c.Close()
	tools := `"tools":[{"type":"function","function":{"name":"create","parameters":{"properties":{"path":{"type":"string"},"file_text":{"type":"string"},"mode":{"type":"string"}},"required":["path","mode"]}}}]`
	if got := post(t, c.URL+"/v1/chat/completions", `{"stream":true,"messages":[{"role":"system","content":"Current working directory: /w\n"}],`+tools+`}`); !strings.Contains(got, `"finish_reason":"tool_calls"`) ||
		!strings.Contains(got, `\"path\":\"/w/c.md\"`) || !strings.Contains(got, `\"mode\":\"stand-in\"`) || !strings.Contains(got, "data: [DONE]") {
		t.Errorf("chat: %s", got)
	}
	if got := post(t, c.URL+"/v1/chat/completions", `{"messages":[{"role":"tool","content":"ok"}],`+tools+`}`); !strings.Contains(got, `"content":"DONE"`) {
		t.Errorf("chat reply: %s", got)
	}
	g, _ := Start("gemini", Script{Write: "g.md"})
	defer g.Close()
	if got := post(t, g.URL+"/v1beta/models/m:streamGenerateContent", `{"tools":[{"functionDeclarations":[{"name":"write_file"}]}]}`); !strings.Contains(got, `"functionCall"`) {
		t.Errorf("gemini: %s", got)
	}
	if got := post(t, g.URL+"/v1beta/models/m:streamGenerateContent", `{"contents":[{"parts":[{"functionResponse":{}}]}]}`); !strings.Contains(got, `"text":"STUB-REPLY"`) {
		t.Errorf("gemini reply: %s", got)
	}
	if a.Requests() != 2 {
		t.Errorf("requests %d", a.Requests())
	}
}

// With a Status, every model request is that error, in the API's format.
func TestStandInErrors(t *testing.T) {
	for kind, path := range map[string]string{"anthropic": "/v1/messages", "openai": "/v1/responses", "gemini": "/v1beta/models/m:streamGenerateContent"} {
		s, err := Start(kind, Script{Status: 500})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(s.URL+path, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		s.Close()
		if resp.StatusCode != 500 || !strings.Contains(string(b), `"message":"stand-in error 500"`) {
			t.Errorf("%s: %d %s", kind, resp.StatusCode, b)
		}
	}
}
