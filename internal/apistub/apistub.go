// Package apistub serves small stand-ins of the Anthropic Messages, OpenAI
// Responses, OpenAI chat completions and Gemini APIs on loopback, so that
// the real claude, codex, gemini, copilot (its own-provider mode) and qwen
// CLIs can be driven end to end offline: each answers a new
// conversation with one tool call (a file write, or a shell command) and,
// once the tool's result comes back, with a text reply. The wire formats
// are the ones the CLIs were verified against (claude 2.1.197, codex
// 0.169.0, gemini-cli 0.61.0).
package apistub

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Script is what a stand-in does.
type Script struct {
	// Write is the file a new conversation's first turn writes through
	// the CLI's file tool (relative to the CLI's working directory), with
	// Content; Shell is instead a command it runs through the shell tool.
	Write, Content, Shell string
	// Tool, when set, is any other tool the first turn calls (Anthropic
	// only), e.g. an MCP server's "mcp__hookd__impact", with Input (JSON).
	Tool, Input string
	// Reply is the final text reply.
	Reply string
	// Hold, when set, is a FIFO the first final reply waits on: it is
	// sent once a writer has opened the FIFO and closed it.
	Hold string
	// Log, when set, is a file each request's body is appended to, a
	// line each: what the model was told (a tool's result, its context).
	Log string
	// Status, when set, answers every model request with this HTTP status
	// and an error in the API's format: a server error (500), a rate
	// limit (429).
	Status int
}

// Server is a running stand-in.
type Server struct {
	URL    string
	kind   string
	script Script
	srv    *http.Server

	mu       sync.Mutex
	held     bool
	requests int
}

// Start serves a stand-in of kind "anthropic", "openai" (Responses),
// "chat" (chat completions) or "gemini".
func Start(kind string, s Script) (*Server, error) {
	if s.Reply == "" {
		s.Reply = "STUB-REPLY"
	}
	if s.Content == "" {
		s.Content = "written by the stand-in\n"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	st := &Server{URL: "http://" + ln.Addr().String(), kind: kind, script: s}
	st.srv = &http.Server{Handler: http.HandlerFunc(st.serve)}
	go st.srv.Serve(ln)
	return st, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Requests counts the model requests answered.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if s.script.Log != "" && r.Method == http.MethodPost {
		s.mu.Lock()
		if f, err := os.OpenFile(s.script.Log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
			f.Write(append(append([]byte(r.URL.Path+" "), body...), '\n'))
			f.Close()
		}
		s.mu.Unlock()
	}
	path := r.URL.Path
	switch {
	case s.script.Status != 0 && r.Method == http.MethodPost:
		s.count()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.script.Status)
		msg := fmt.Sprintf("stand-in error %d", s.script.Status)
		if s.kind == "anthropic" {
			json.NewEncoder(w).Encode(map[string]any{"type": "error", "error": map[string]any{"type": "api_error", "message": msg}})
		} else {
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "code": s.script.Status}})
		}
	case r.Method != http.MethodPost:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	case strings.HasSuffix(path, "/count_tokens") || strings.HasSuffix(path, ":countTokens"):
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"input_tokens":42,"totalTokens":42}`)
	case s.kind == "anthropic" && strings.HasSuffix(path, "/v1/messages"):
		s.count()
		s.anthropic(w, body)
	case s.kind == "openai" && strings.HasSuffix(path, "/responses"):
		s.count()
		s.openai(w, body)
	case s.kind == "chat" && strings.HasSuffix(path, "/chat/completions"):
		s.count()
		s.chat(w, body)
	case s.kind == "gemini" && strings.Contains(path, ":"):
		s.count()
		s.gemini(w, path, body)
	default:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	}
}

func (s *Server) count() {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
}

// hold waits on the Hold FIFO before the first final reply.
func (s *Server) hold() {
	s.mu.Lock()
	first := !s.held && s.script.Hold != ""
	s.held = true
	s.mu.Unlock()
	if first {
		if f, err := os.Open(s.script.Hold); err == nil {
			io.Copy(io.Discard, f)
			f.Close()
		}
	}
}

var workdirRe = regexp.MustCompile(`[Ww]orking directory: *([^\s\\"]+)`)

func (s *Server) anthropic(w http.ResponseWriter, raw []byte) {
	var req struct {
		Model    string `json:"model"`
		Stream   bool   `json:"stream"`
		System   any    `json:"system"`
		Tools    []struct{ Name string }
		Messages []struct {
			Content any `json:"content"`
		} `json:"messages"`
	}
	json.Unmarshal(raw, &req)
	hasTool := func(name string) bool {
		for _, t := range req.Tools {
			if t.Name == name {
				return true
			}
		}
		return false
	}
	answered := strings.Contains(string(raw), `"tool_result"`)
	var block map[string]any
	stop := "end_turn"
	switch {
	case s.script.Write != "" && hasTool("Write") && !answered:
		path := s.script.Write
		if !filepath.IsAbs(path) {
			sys, _ := json.Marshal(req.System)
			if m := workdirRe.FindStringSubmatch(string(sys)); m != nil {
				path = filepath.Join(m[1], path)
			}
		}
		block = map[string]any{"type": "tool_use", "id": "toolu_stub1", "name": "Write", "input": map[string]any{"file_path": path, "content": s.script.Content}}
		stop = "tool_use"
	case s.script.Shell != "" && hasTool("Bash") && !answered:
		block = map[string]any{"type": "tool_use", "id": "toolu_stub2", "name": "Bash", "input": map[string]any{"command": s.script.Shell, "description": "stand-in"}}
		stop = "tool_use"
	case s.script.Tool != "" && hasTool(s.script.Tool) && !answered:
		var input map[string]any
		json.Unmarshal([]byte(s.script.Input), &input)
		block = map[string]any{"type": "tool_use", "id": "toolu_stub3", "name": s.script.Tool, "input": input}
		stop = "tool_use"
	default:
		if req.Stream {
			s.hold()
		}
		block = map[string]any{"type": "text", "text": s.script.Reply}
	}
	usage := map[string]any{"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
	msg := map[string]any{"id": "msg_stub", "type": "message", "role": "assistant", "model": req.Model, "stop_reason": nil, "stop_sequence": nil}
	if !req.Stream {
		msg["content"], msg["stop_reason"], msg["usage"] = []any{block}, stop, usage
		writeJSON(w, msg)
		return
	}
	sse := startSSE(w)
	msg["content"], msg["usage"] = []any{}, map[string]any{"input_tokens": 10, "output_tokens": 1}
	sse("message_start", map[string]any{"type": "message_start", "message": msg})
	if block["type"] == "text" {
		sse("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}})
		sse("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": s.script.Reply}})
	} else {
		input, _ := json.Marshal(block["input"])
		sse("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "tool_use", "id": block["id"], "name": block["name"], "input": map[string]any{}}})
		sse("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "input_json_delta", "partial_json": string(input)}})
	}
	sse("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	sse("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": 5}})
	sse("message_stop", map[string]any{"type": "message_stop"})
}

func (s *Server) openai(w http.ResponseWriter, raw []byte) {
	var req struct {
		Model string `json:"model"`
		Tools []struct {
			Name       string `json:"name"`
			Parameters struct {
				Properties map[string]struct {
					Type string `json:"type"`
				} `json:"properties"`
			} `json:"parameters"`
		} `json:"tools"`
	}
	json.Unmarshal(raw, &req)
	answered := strings.Contains(string(raw), `"function_call_output"`)
	var item map[string]any
	for _, t := range req.Tools {
		if s.script.Shell == "" || answered || (t.Name != "exec_command" && t.Name != "shell") {
			continue
		}
		var args any = map[string]any{"cmd": s.script.Shell}
		if p, ok := t.Parameters.Properties["command"]; ok {
			if p.Type == "array" {
				args = map[string]any{"command": []string{"bash", "-lc", s.script.Shell}}
			} else {
				args = map[string]any{"command": s.script.Shell}
			}
		}
		a, _ := json.Marshal(args)
		item = map[string]any{"type": "function_call", "id": "fc_stub", "call_id": "call_stub", "name": t.Name, "arguments": string(a), "status": "completed"}
		break
	}
	if item == nil {
		s.hold()
		item = map[string]any{"type": "message", "id": "msg_stub", "role": "assistant", "status": "completed",
			"content": []any{map[string]any{"type": "output_text", "text": s.script.Reply, "annotations": []any{}}}}
	}
	usage := map[string]any{"input_tokens": 10, "input_tokens_details": map[string]any{"cached_tokens": 0}, "output_tokens": 5, "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": 15}
	resp := map[string]any{"id": "resp_stub", "object": "response", "model": req.Model, "status": "completed", "output": []any{item}, "usage": usage}
	sse := startSSE(w)
	sse("response.created", map[string]any{"type": "response.created", "response": map[string]any{"id": "resp_stub", "status": "in_progress", "output": []any{}}})
	sse("response.output_item.added", map[string]any{"type": "response.output_item.added", "output_index": 0, "item": item})
	if item["type"] == "message" {
		sse("response.output_text.delta", map[string]any{"type": "response.output_text.delta", "item_id": "msg_stub", "output_index": 0, "content_index": 0, "delta": s.script.Reply})
	}
	sse("response.output_item.done", map[string]any{"type": "response.output_item.done", "output_index": 0, "item": item})
	sse("response.completed", map[string]any{"type": "response.completed", "response": resp})
}

// chat is OpenAI's chat completions, as Copilot CLI (with its own
// provider, 1.0.102) and Qwen Code (0.24.4) speak it: the first turn
// calls the CLI's file tool (create, write_file) or shell tool (bash,
// run_shell_command), filling the tool's required string parameters; the
// turn that carries a tool's result is the reply.
func (s *Server) chat(w http.ResponseWriter, raw []byte) {
	var req struct {
		Model    string `json:"model"`
		Stream   bool   `json:"stream"`
		Messages []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
		Tools []struct {
			Function struct {
				Name       string `json:"name"`
				Parameters struct {
					Properties map[string]struct {
						Type string `json:"type"`
					} `json:"properties"`
					Required []string `json:"required"`
				} `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
	}
	json.Unmarshal(raw, &req)
	answered := false
	for _, m := range req.Messages {
		answered = answered || m.Role == "tool"
	}
	workdir := ""
	if m := workdirRe.FindStringSubmatch(string(raw)); m != nil {
		workdir = m[1]
	}
	var call map[string]any
	for _, t := range req.Tools {
		f := t.Function
		write := s.script.Write != "" && (f.Name == "create" || f.Name == "write_file" || f.Name == "Write")
		shell := s.script.Shell != "" && (f.Name == "bash" || f.Name == "run_shell_command" || f.Name == "shell")
		if answered || !write && !shell {
			continue
		}
		args := map[string]any{}
		for _, name := range f.Parameters.Required {
			if f.Parameters.Properties[name].Type == "string" {
				args[name] = "stand-in"
			}
		}
		if write {
			path := s.script.Write
			if !filepath.IsAbs(path) && workdir != "" {
				path = filepath.Join(workdir, path)
			}
			for name := range f.Parameters.Properties {
				switch name {
				case "path", "file_path", "absolute_path":
					args[name] = path
				case "content", "file_text", "contents":
					args[name] = s.script.Content
				}
			}
		} else {
			args["command"] = s.script.Shell
		}
		a, _ := json.Marshal(args)
		call = map[string]any{"index": 0, "id": "call_stub", "type": "function", "function": map[string]any{"name": f.Name, "arguments": string(a)}}
		break
	}
	msg := map[string]any{"role": "assistant", "content": s.script.Reply}
	finish := "stop"
	if call != nil {
		msg, finish = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{call}}, "tool_calls"
	} else if req.Stream {
		s.hold()
	}
	usage := map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
	base := map[string]any{"id": "chatcmpl-stub", "created": 1765000000, "model": req.Model}
	if !req.Stream {
		out := map[string]any{"object": "chat.completion", "choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}}, "usage": usage}
		maps.Copy(out, base)
		writeJSON(w, out)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	chunk := func(fields map[string]any) {
		out := map[string]any{"object": "chat.completion.chunk"}
		maps.Copy(out, base)
		maps.Copy(out, fields)
		data, _ := json.Marshal(out)
		fmt.Fprintf(w, "data: %s\n\n", data)
	}
	chunk(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": msg, "finish_reason": nil}}})
	chunk(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": finish}}})
	chunk(map[string]any{"choices": []any{}, "usage": usage})
	io.WriteString(w, "data: [DONE]\n\n")
}

func (s *Server) gemini(w http.ResponseWriter, path string, raw []byte) {
	var req struct {
		Tools []struct {
			FunctionDeclarations []struct{ Name string } `json:"functionDeclarations"`
		} `json:"tools"`
		GenerationConfig map[string]any `json:"generationConfig"`
	}
	json.Unmarshal(raw, &req)
	var parts []any
	hasTool := func(name string) bool {
		for _, t := range req.Tools {
			for _, f := range t.FunctionDeclarations {
				if f.Name == name {
					return true
				}
			}
		}
		return false
	}
	answered := strings.Contains(string(raw), `"functionResponse"`)
	switch {
	case req.GenerationConfig["responseMimeType"] == "application/json" || req.GenerationConfig["responseJsonSchema"] != nil || req.GenerationConfig["responseSchema"] != nil:
		// The CLI's own routing and next-speaker questions.
		parts = []any{map[string]any{"text": `{"reasoning":"stub","next_speaker":"user","model_choice":"flash","complexity_reasoning":"stub","complexity_score":1}`}}
	case s.script.Write != "" && hasTool("write_file") && !answered:
		parts = []any{map[string]any{"functionCall": map[string]any{"name": "write_file", "args": map[string]any{"file_path": s.script.Write, "content": s.script.Content}}}}
	case s.script.Shell != "" && hasTool("run_shell_command") && !answered:
		parts = []any{map[string]any{"functionCall": map[string]any{"name": "run_shell_command", "args": map[string]any{"command": s.script.Shell}}}}
	default:
		if strings.HasSuffix(path, ":streamGenerateContent") {
			s.hold()
		}
		parts = []any{map[string]any{"text": s.script.Reply}}
	}
	payload := map[string]any{
		"candidates":    []any{map[string]any{"content": map[string]any{"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}},
		"usageMetadata": map[string]any{"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
		"modelVersion":  "stub",
	}
	if !strings.HasSuffix(path, ":streamGenerateContent") {
		writeJSON(w, payload)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Connection", "close")
	data, _ := json.Marshal(payload)
	fmt.Fprintf(w, "data: %s\r\n\r\n", data)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// startSSE begins an event stream; the returned func sends one event.
func startSSE(w http.ResponseWriter) func(name string, data any) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	return func(name string, data any) {
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
		if flusher != nil {
			flusher.Flush()
		}
	}
}
