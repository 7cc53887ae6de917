package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"version"}, 0, "dev\n", ""},
		{"help", []string{"--help"}, 0, "usage: ai-orchestrator", ""},
		{"unknown command", []string{"migrate"}, 2, "", `unknown command "migrate"`},
		{"extra argument", []string{"version", "now"}, 2, "", "version takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)

			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestServeInvalidConfiguration(t *testing.T) {
	t.Setenv("LISTEN_ADDR", "nope")
	t.Setenv("MODELS", ",")

	var stdout, stderr bytes.Buffer
	code := runServe(context.Background(), &stdout, &stderr)

	if code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	for _, want := range []string{"invalid configuration", "LISTEN_ADDR", "MODELS"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr.String(), want)
		}
	}
}

// TestServeAndShutdown starts the real server without a database, probes it
// with the healthcheck command and stops it by cancelling its context, as
// SIGTERM does.
func TestServeAndShutdown(t *testing.T) {
	port := freePort(t)
	logDir := t.TempDir()
	t.Setenv("LISTEN_ADDR", "127.0.0.1:"+port)
	t.Setenv("LOG_DIR", logDir)
	t.Setenv("DATABASE_URL", "")

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- runServe(ctx, &stdout, &stderr) }()

	baseURL := "http://127.0.0.1:" + port
	waitForServer(t, baseURL+"/healthz")

	if code := runHealthcheck(io.Discard); code != 0 {
		t.Errorf("healthcheck exit code = %d, want 0", code)
	}
	response, err := http.Get(baseURL + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	response.Body.Close()
	if response.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz status = %d, want 503 without a database", response.StatusCode)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code = %d, want 0; stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop within 10s of cancellation")
	}

	for _, message := range []string{`"msg":"listening"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(stdout.String(), message) {
			t.Errorf("stdout lacks %s: %q", message, stdout.String())
		}
	}
	fileContent, err := os.ReadFile(logDir + "/ai-orchestrator.log")
	if err != nil {
		t.Fatalf("read log file: %v", err)
	}
	if string(fileContent) != stdout.String() {
		t.Errorf("log file and stdout differ:\nfile   %q\nstdout %q", fileContent, stdout.String())
	}
}

func TestHealthcheckWithoutServer(t *testing.T) {
	t.Setenv("LISTEN_ADDR", "127.0.0.1:"+freePort(t))
	var stderr bytes.Buffer
	if code := runHealthcheck(&stderr); code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "ai-orchestrator healthcheck: GET http://127.0.0.1:") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	_, port, _ := net.SplitHostPort(listener.Addr().String())
	return port
}

func waitForServer(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		response, err := http.Get(url)
		if err == nil {
			response.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server at %s did not answer within 5s", url)
}

// syncBuffer is a bytes.Buffer that the server goroutine and the test can use
// at the same time.
type syncBuffer struct {
	mu     sync.Mutex
	buffer bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.String()
}
