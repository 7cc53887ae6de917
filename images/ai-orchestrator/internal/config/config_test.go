package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// lookupFrom returns a LookupFunc over a fixed map, so tests never read the
// process environment.
func lookupFrom(env map[string]string) LookupFunc {
	return func(key string) (string, bool) {
		value, ok := env[key]
		return value, ok
	}
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(lookupFrom(nil))
	if err != nil {
		t.Fatalf("Load with empty environment: %v", err)
	}

	if cfg.ListenAddr != DefaultListenAddr {
		t.Errorf("ListenAddr = %q, want %q", cfg.ListenAddr, DefaultListenAddr)
	}
	if cfg.Database != nil {
		t.Errorf("Database = %+v, want nil without DATABASE_URL", cfg.Database)
	}
	if cfg.LogDir != DefaultLogDir {
		t.Errorf("LogDir = %q, want %q", cfg.LogDir, DefaultLogDir)
	}
	if cfg.LogLevel != slog.LevelInfo {
		t.Errorf("LogLevel = %v, want INFO", cfg.LogLevel)
	}
	wantModels := []string{"llama-3.1-8b-instruct", "mistral-7b-instruct-v0.3"}
	if !reflect.DeepEqual(cfg.Models, wantModels) {
		t.Errorf("Models = %q, want %q", cfg.Models, wantModels)
	}
	if cfg.ReadinessTimeout != DefaultReadinessTimeout {
		t.Errorf("ReadinessTimeout = %v, want %v", cfg.ReadinessTimeout, DefaultReadinessTimeout)
	}
	if cfg.ShutdownTimeout != DefaultShutdownTimeout {
		t.Errorf("ShutdownTimeout = %v, want %v", cfg.ShutdownTimeout, DefaultShutdownTimeout)
	}
}

func TestLoadValidValues(t *testing.T) {
	cfg, err := Load(lookupFrom(map[string]string{
		EnvListenAddr:       "127.0.0.1:9090",
		EnvLogDir:           "",
		EnvLogLevel:         "debug",
		EnvModels:           " a , b/c:1 ",
		EnvReadinessTimeout: "500ms",
		EnvShutdownTimeout:  "3s",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	if cfg.ListenAddr != "127.0.0.1:9090" {
		t.Errorf("ListenAddr = %q", cfg.ListenAddr)
	}
	if cfg.LogDir != "" {
		t.Errorf("LogDir = %q, want empty because LOG_DIR is set to empty", cfg.LogDir)
	}
	if cfg.LogLevel != slog.LevelDebug {
		t.Errorf("LogLevel = %v, want DEBUG", cfg.LogLevel)
	}
	if !reflect.DeepEqual(cfg.Models, []string{"a", "b/c:1"}) {
		t.Errorf("Models = %q", cfg.Models)
	}
	if cfg.ReadinessTimeout != 500*time.Millisecond {
		t.Errorf("ReadinessTimeout = %v", cfg.ReadinessTimeout)
	}
	if cfg.ShutdownTimeout != 3*time.Second {
		t.Errorf("ShutdownTimeout = %v", cfg.ShutdownTimeout)
	}
}

func TestLoadInvalidValues(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"listen address without port", map[string]string{EnvListenAddr: "localhost"}, "invalid LISTEN_ADDR \"localhost\""},
		{"listen port not a number", map[string]string{EnvListenAddr: ":http"}, "port must be a number from 1 to 65535"},
		{"listen port zero", map[string]string{EnvListenAddr: ":0"}, "port must be a number from 1 to 65535"},
		{"listen port too large", map[string]string{EnvListenAddr: ":65536"}, "port must be a number from 1 to 65535"},
		{"log level unknown", map[string]string{EnvLogLevel: "verbose"}, "invalid LOG_LEVEL \"verbose\""},
		{"models empty", map[string]string{EnvModels: " "}, "invalid MODELS: the list is empty"},
		{"models empty entry", map[string]string{EnvModels: "a,,b"}, "entry 2 is empty"},
		{"models duplicate", map[string]string{EnvModels: "a,b,a"}, "model \"a\" is listed twice"},
		{"models bad character", map[string]string{EnvModels: "a b"}, "entry 1 \"a b\" must start with a letter or digit"},
		{"models leading dash", map[string]string{EnvModels: "-a"}, "entry 1 \"-a\" must start with a letter or digit"},
		{"models name too long", map[string]string{EnvModels: strings.Repeat("m", 129)}, "entry 1 is longer than 128 characters"},
		{"readiness timeout not a duration", map[string]string{EnvReadinessTimeout: "2"}, "invalid READINESS_TIMEOUT \"2\""},
		{"shutdown timeout negative", map[string]string{EnvShutdownTimeout: "-1s"}, "invalid SHUTDOWN_TIMEOUT \"-1s\""},
		{"database URL bad sslmode", map[string]string{EnvDatabaseURL: "postgres://u@db/app?sslmode=maybe"}, "invalid DATABASE_URL: failed to configure TLS: sslmode is invalid"},
		{"password file without URL", map[string]string{EnvDatabasePassword: "/run/secrets/x"}, "DATABASE_PASSWORD_FILE is set but DATABASE_URL is not"},
		{"password file missing", map[string]string{EnvDatabaseURL: "postgres://u@db/app", EnvDatabasePassword: "/nonexistent/password"}, "invalid DATABASE_PASSWORD_FILE: open /nonexistent/password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(lookupFrom(tt.env))
			if err == nil {
				t.Fatalf("Load(%v) succeeded, want error containing %q", tt.env, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Load(%v) error = %q, want it to contain %q", tt.env, err, tt.wantErr)
			}
		})
	}
}

func TestLoadReportsEveryError(t *testing.T) {
	_, err := Load(lookupFrom(map[string]string{
		EnvListenAddr: "nope",
		EnvLogLevel:   "loud",
		EnvModels:     ",",
	}))
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	for _, key := range []string{EnvListenAddr, EnvLogLevel, EnvModels} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not mention %s", err, key)
		}
	}
}

func TestLoadDatabaseURL(t *testing.T) {
	cfg, err := Load(lookupFrom(map[string]string{
		EnvDatabaseURL: "postgres://atlasia@ai-db:5433/atlasia?sslmode=disable",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Database == nil {
		t.Fatal("Database is nil, want a pool configuration")
	}

	conn := cfg.Database.ConnConfig
	if conn.Host != "ai-db" {
		t.Errorf("Host = %q, want ai-db", conn.Host)
	}
	if conn.Port != 5433 {
		t.Errorf("Port = %d, want 5433", conn.Port)
	}
	if conn.Database != "atlasia" {
		t.Errorf("Database = %q, want atlasia", conn.Database)
	}
	if conn.ConnectTimeout != DefaultConnectTimeout {
		t.Errorf("ConnectTimeout = %v, want the default %v", conn.ConnectTimeout, DefaultConnectTimeout)
	}
}

func TestLoadDatabaseConnectTimeoutFromURL(t *testing.T) {
	cfg, err := Load(lookupFrom(map[string]string{
		EnvDatabaseURL: "postgres://atlasia@ai-db/atlasia?connect_timeout=9",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := cfg.Database.ConnConfig.ConnectTimeout; got != 9*time.Second {
		t.Errorf("ConnectTimeout = %v, want 9s from the URL", got)
	}
}

func TestLoadDatabasePasswordFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"trailing newline removed", "s3cret\n", "s3cret"},
		{"trailing CRLF removed", "s3cret\r\n", "s3cret"},
		{"inner spaces kept", " pass word ", " pass word "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "password")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}

			cfg, err := Load(lookupFrom(map[string]string{
				EnvDatabaseURL:      "postgres://atlasia:from-url@ai-db/atlasia",
				EnvDatabasePassword: path,
			}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := cfg.Database.ConnConfig.Password; got != tt.want {
				t.Errorf("Password = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadDatabasePasswordFileEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(path, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := Load(lookupFrom(map[string]string{
		EnvDatabaseURL:      "postgres://atlasia@ai-db/atlasia",
		EnvDatabasePassword: path,
	}))
	if err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("Load error = %v, want an error saying the file is empty", err)
	}
}

func TestLoadDatabaseErrorHidesPassword(t *testing.T) {
	const password = "Sup3rS3cret"
	tests := []struct {
		name string
		url  string
	}{
		{"URL with space in host", "postgres://atlasia:" + password + "@ai db/atlasia"},
		{"URL with bad port", "postgres://atlasia:" + password + "@ai-db:port/atlasia"},
		{"URL with bad sslmode", "postgres://atlasia:" + password + "@ai-db/atlasia?sslmode=maybe"},
		{"URL with bad escape", "postgres://atlasia:" + password + "%zz@ai-db/atlasia"},
		{"keyword form with bad port", "host=ai-db port=x password=" + password},
		{"keyword form with quote", "host=ai-db password='" + password},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(lookupFrom(map[string]string{EnvDatabaseURL: tt.url}))
			if err == nil {
				t.Fatalf("Load(%q) succeeded, want an error", tt.url)
			}
			t.Logf("error: %v", err)
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q contains the password", err)
			}
			if !strings.Contains(err.Error(), "invalid DATABASE_URL") {
				t.Errorf("error %q does not name DATABASE_URL", err)
			}
		})
	}
}

func TestParseListenAddr(t *testing.T) {
	tests := []struct {
		addr string
		want int
	}{
		{":8080", 8080},
		{"0.0.0.0:1", 1},
		{"[::1]:65535", 65535},
		{"localhost:3000", 3000},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := ParseListenAddr(tt.addr)
			if err != nil {
				t.Fatalf("ParseListenAddr(%q): %v", tt.addr, err)
			}
			if got != tt.want {
				t.Errorf("ParseListenAddr(%q) = %d, want %d", tt.addr, got, tt.want)
			}
		})
	}
}
