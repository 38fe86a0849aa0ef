package ipc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/hookd-dev/hookd/ipc"
)

// fakeAPI answers with fixed data; the server and client around it are real.
type fakeAPI struct{ ipc.API }

func (fakeAPI) Status(context.Context) ipc.Status { return ipc.Status{PID: 42, Version: "v-test"} }
func (fakeAPI) Run(_ context.Context, id string) (ipc.Run, error) {
	return ipc.Run{}, ipc.NotFound("no run " + id)
}

func serve(t *testing.T) (*ipc.Listener, *ipc.Client) {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "hookd-ipc-") // short: sockets have a 108-byte limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ln, err := ipc.Listen(filepath.Join(dir, "s", "d.sock"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ipc.Serve(ctx, ln, fakeAPI{}, "v-test", nil) }()
	t.Cleanup(func() {
		cancel()
		<-done
		ln.Close()
	})
	return ln, &ipc.Client{Socket: ln.Path, Version: "v-test"}
}

func TestClientServer(t *testing.T) {
	ln, c := serve(t)
	st, err := c.Status(context.Background())
	if err != nil || st.PID != 42 {
		t.Fatalf("status: %+v %v", st, err)
	}
	// Errors always come encoded, with their status.
	_, err = c.Run(context.Background(), "x")
	var ie *ipc.Error
	if !errors.As(err, &ie) || ie.Code != http.StatusNotFound || ie.Message != "no run x" {
		t.Fatalf("run: %v", err)
	}
	fi, err := os.Stat(ln.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v", fi.Mode())
	}
	di, _ := os.Stat(filepath.Dir(ln.Path))
	if di.Mode().Perm() != 0o700 {
		t.Errorf("socket dir mode %v", di.Mode())
	}
	// The version header is on every reply, and a mismatch is reported once.
	warned := 0
	c2 := &ipc.Client{Socket: ln.Path, Version: "v-other", OnVersionMismatch: func(string, string) { warned++ }}
	c2.Status(context.Background())
	c2.Status(context.Background())
	if warned != 1 {
		t.Errorf("version mismatch warned %d times, want once", warned)
	}
}

func TestNotRunning(t *testing.T) {
	c := &ipc.Client{Socket: filepath.Join(t.TempDir(), "none.sock")}
	if _, err := c.Status(context.Background()); !errors.Is(err, ipc.ErrNotRunning) {
		t.Fatalf("got %v, want ErrNotRunning", err)
	}
}

// Of two daemons starting at once, exactly one gets the socket.
func TestOneListener(t *testing.T) {
	dir, _ := os.MkdirTemp("/tmp", "hookd-ipc-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "d.sock")
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ln, err := ipc.Listen(path)
			if err == nil {
				defer ln.Close()
				if !ipc.LockHeld(path) {
					t.Error("lock not held while listening")
				}
			}
			results <- err
		}()
	}
	// Hold the winners open until every goroutine has tried: with no
	// waiting, a later Listen could succeed after an earlier Close.
	wg.Wait()
	close(results)
	won, running := 0, 0
	for err := range results {
		switch {
		case err == nil:
			won++
		case errors.Is(err, ipc.ErrRunning):
			running++
		default:
			t.Error(err)
		}
	}
	if won < 1 || won+running != 8 {
		t.Fatalf("won %d, running %d", won, running)
	}
}

// A request from another user is refused by the peer check, even when the
// file modes would let it through.
func TestOtherUserRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	ln, _ := serve(t)
	// Open the path so that only the SO_PEERCRED check stands in the way.
	os.Chmod(filepath.Dir(filepath.Dir(ln.Path)), 0o755)
	os.Chmod(filepath.Dir(ln.Path), 0o755)
	os.Chmod(ln.Path, 0o777)
	// The test binary's own directory is closed to other users: copy it.
	bin := filepath.Join(filepath.Dir(filepath.Dir(ln.Path)), "client.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestClientAsOtherUser$")
	cmd.Env = append(os.Environ(), "HOOKD_TEST_SOCKET="+ln.Path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client as uid 65534: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "status 403: this daemon belongs to another user") {
		t.Fatalf("not refused:\n%s", out)
	}
}

// TestClientAsOtherUser is the other user's side of TestOtherUserRefused.
func TestClientAsOtherUser(t *testing.T) {
	sock := os.Getenv("HOOKD_TEST_SOCKET")
	if sock == "" {
		t.Skip("run by TestOtherUserRefused")
	}
	// Dial directly: the client's own owner check would refuse first.
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	resp, err := hc.Get("http://hookd/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body [256]byte
	n, _ := resp.Body.Read(body[:])
	fmt.Printf("status %d: %s\n", resp.StatusCode, strings.TrimSpace(strings.Trim(string(body[:n]), "{}\":eor")))
}

// A daemon that stops after a successor has bound the socket must not
// remove the successor's socket.
func TestCloseLeavesASuccessorsSocket(t *testing.T) {
	dir, _ := os.MkdirTemp("/tmp", "hookd-ipc-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "d.sock")
	old, err := ipc.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	// The old one's server shuts down first (it closes the bare listener),
	// releasing nothing: the lock stays held.
	old.Listener.Close()
	if !ipc.LockHeld(path) {
		t.Fatal("closing the bare listener released the lock")
	}
	old.Close()
	next, err := ipc.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	old.Close() // late, as a deferred Close would be
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the successor's socket is gone: %v", err)
	}
}

// Daemons that start and stop at once never overlap, though each removes
// its lock file as it stops, and no lock file is left behind.
func TestLockFileRemovedWithoutOverlap(t *testing.T) {
	dir, _ := os.MkdirTemp("/tmp", "hookd-ipc-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "d.sock")
	var holders atomic.Int32
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				ln, err := ipc.Listen(path)
				if errors.Is(err, ipc.ErrRunning) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				if n := holders.Add(1); n != 1 {
					t.Errorf("%d daemons hold the lock at once", n)
				}
				holders.Add(-1)
				ln.Close()
			}
		}()
	}
	wg.Wait()
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}
