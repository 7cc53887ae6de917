package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewWritesStdoutAndFile(t *testing.T) {
	dir := t.TempDir()
	var stdout bytes.Buffer

	logger, closeLog, err := New(&stdout, dir, slog.LevelInfo)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	logger.Info("started", slog.String("version", "1.2.3"))
	logger.Debug("hidden below the level")
	if err := closeLog(); err != nil {
		t.Fatalf("close: %v", err)
	}

	fileContent, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatalf("read log file: %v", err)
	}
	if stdout.String() != string(fileContent) {
		t.Errorf("stdout %q and file %q differ", stdout.String(), fileContent)
	}

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1: %q", len(lines), stdout.String())
	}
	var record map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &record); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	if record["msg"] != "started" || record["version"] != "1.2.3" || record["level"] != "INFO" {
		t.Errorf("record = %v", record)
	}
}

func TestNewAppendsToFile(t *testing.T) {
	dir := t.TempDir()
	for _, message := range []string{"first", "second"} {
		logger, closeLog, err := New(&bytes.Buffer{}, dir, slog.LevelInfo)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		logger.Info(message)
		if err := closeLog(); err != nil {
			t.Fatal(err)
		}
	}

	content, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(content), "\n"); got != 2 {
		t.Errorf("log file has %d lines, want 2 after two runs: %q", got, content)
	}
}

func TestNewStdoutOnly(t *testing.T) {
	var stdout bytes.Buffer
	logger, closeLog, err := New(&stdout, "", slog.LevelInfo)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	logger.Info("hello")
	if err := closeLog(); err != nil {
		t.Errorf("close: %v", err)
	}
	if !strings.Contains(stdout.String(), `"msg":"hello"`) {
		t.Errorf("stdout = %q", stdout.String())
	}
}

func TestNewUnwritableDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	_, _, err := New(&bytes.Buffer{}, dir, slog.LevelInfo)
	if err == nil {
		t.Fatal("New with a missing directory succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "set LOG_DIR") {
		t.Errorf("error %q does not say how to fix it", err)
	}
}
