// Package config reads the service settings from environment variables.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Names of the environment variables that Load reads.
const (
	EnvListenAddr       = "LISTEN_ADDR"
	EnvDatabaseURL      = "DATABASE_URL"
	EnvDatabasePassword = "DATABASE_PASSWORD_FILE"
	EnvLogDir           = "LOG_DIR"
	EnvLogLevel         = "LOG_LEVEL"
	EnvModels           = "MODELS"
	EnvReadinessTimeout = "READINESS_TIMEOUT"
	EnvShutdownTimeout  = "SHUTDOWN_TIMEOUT"
)

// Defaults for variables that are unset.
const (
	DefaultListenAddr       = ":8080"
	DefaultLogDir           = "/app/logs"
	DefaultModels           = "llama-3.1-8b-instruct,mistral-7b-instruct-v0.3"
	DefaultReadinessTimeout = 2 * time.Second
	// DefaultShutdownTimeout stays below the 10 s that `docker stop` waits
	// before it sends SIGKILL, so open requests can finish first.
	DefaultShutdownTimeout = 8 * time.Second
	// DefaultConnectTimeout applies when DATABASE_URL sets no connect_timeout.
	DefaultConnectTimeout = 5 * time.Second
)

// maxModelNameLength is the maximum length of one entry in MODELS.
const maxModelNameLength = 128

var modelNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`)

// Config is the validated service configuration.
type Config struct {
	// ListenAddr is the TCP address of the HTTP server, in host:port form.
	ListenAddr string
	// Database is the connection pool configuration, or nil when
	// DATABASE_URL is unset and tasks are kept in memory.
	Database *pgxpool.Config
	// LogDir is the directory of the log file. Empty means stdout only.
	LogDir string
	// LogLevel is the minimum level of records that are written.
	LogLevel slog.Level
	// Models are the model names that tasks may request, in the order given.
	Models []string
	// ReadinessTimeout bounds the database ping of /readyz.
	ReadinessTimeout time.Duration
	// ShutdownTimeout bounds the wait for open requests after SIGTERM or SIGINT.
	ShutdownTimeout time.Duration
}

// LookupFunc has the signature of os.LookupEnv.
type LookupFunc func(key string) (string, bool)

// Load reads and validates the configuration. Unset variables take their
// defaults. It reports every invalid variable at once, joined with
// errors.Join, so one run shows all the fixes needed.
func Load(lookup LookupFunc) (Config, error) {
	var errs []error
	cfg := Config{}

	listenAddr := valueOr(lookup, EnvListenAddr, DefaultListenAddr)
	if _, err := ParseListenAddr(listenAddr); err != nil {
		errs = append(errs, err)
	}
	cfg.ListenAddr = listenAddr

	database, err := loadDatabase(lookup)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Database = database

	// An empty LOG_DIR is valid and turns the log file off, so only an unset
	// variable takes the default.
	cfg.LogDir = valueOr(lookup, EnvLogDir, DefaultLogDir)

	level, err := parseLogLevel(valueOr(lookup, EnvLogLevel, "info"))
	if err != nil {
		errs = append(errs, err)
	}
	cfg.LogLevel = level

	models, err := ParseModels(valueOr(lookup, EnvModels, DefaultModels))
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Models = models

	cfg.ReadinessTimeout, err = parsePositiveDuration(lookup, EnvReadinessTimeout, DefaultReadinessTimeout)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.ShutdownTimeout, err = parsePositiveDuration(lookup, EnvShutdownTimeout, DefaultShutdownTimeout)
	if err != nil {
		errs = append(errs, err)
	}

	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// valueOr returns the value of key, or fallback when key is unset.
func valueOr(lookup LookupFunc, key, fallback string) string {
	if value, ok := lookup(key); ok {
		return value
	}
	return fallback
}

// ParseListenAddr checks that addr has the form host:port, with an optional
// host and a port from 1 to 65535, and returns the port.
func ParseListenAddr(addr string) (int, error) {
	_, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q: %v; use host:port or :port, e.g. %q", EnvListenAddr, addr, err, DefaultListenAddr)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("invalid %s %q: port must be a number from 1 to 65535", EnvListenAddr, addr)
	}
	return port, nil
}

// ParseModels splits a comma-separated list of model names. Spaces around
// names are ignored. Each name starts with a letter or digit, contains only
// letters, digits and ._:/- and has at most 128 characters. Empty entries and
// duplicates are invalid.
func ParseModels(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("invalid %s: the list is empty; give at least one model name, e.g. %q", EnvModels, DefaultModels)
	}

	entries := strings.Split(list, ",")
	models := make([]string, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for i, entry := range entries {
		name := strings.TrimSpace(entry)
		switch {
		case name == "":
			return nil, fmt.Errorf("invalid %s: entry %d is empty; remove the extra comma", EnvModels, i+1)
		case len(name) > maxModelNameLength:
			return nil, fmt.Errorf("invalid %s: entry %d is longer than %d characters", EnvModels, i+1, maxModelNameLength)
		case !modelNamePattern.MatchString(name):
			return nil, fmt.Errorf("invalid %s: entry %d %q must start with a letter or digit and contain only letters, digits and ._:/-", EnvModels, i+1, name)
		case seen[name]:
			return nil, fmt.Errorf("invalid %s: model %q is listed twice", EnvModels, name)
		}
		seen[name] = true
		models = append(models, name)
	}
	return models, nil
}

func parseLogLevel(text string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(text)); err != nil {
		return 0, fmt.Errorf("invalid %s %q: use debug, info, warn or error", EnvLogLevel, text)
	}
	return level, nil
}

func parsePositiveDuration(lookup LookupFunc, key string, fallback time.Duration) (time.Duration, error) {
	text, ok := lookup(key)
	if !ok {
		return fallback, nil
	}
	duration, err := time.ParseDuration(text)
	if err != nil || duration <= 0 {
		return fallback, fmt.Errorf("invalid %s %q: use a positive Go duration such as %q", key, text, fallback.String())
	}
	return duration, nil
}

// loadDatabase parses DATABASE_URL and applies the password from
// DATABASE_PASSWORD_FILE, which overrides any password in the URL. It returns
// nil when DATABASE_URL is unset or empty.
func loadDatabase(lookup LookupFunc) (*pgxpool.Config, error) {
	connString, _ := lookup(EnvDatabaseURL)
	passwordFile, _ := lookup(EnvDatabasePassword)

	if connString == "" {
		if passwordFile != "" {
			return nil, fmt.Errorf("%s is set but %s is not; set %s to use the database", EnvDatabasePassword, EnvDatabaseURL, EnvDatabaseURL)
		}
		return nil, nil
	}

	poolConfig, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("invalid %s: %s", EnvDatabaseURL, describeParseError(err))
	}
	if poolConfig.ConnConfig.ConnectTimeout == 0 {
		poolConfig.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}

	if passwordFile != "" {
		password, err := readPassword(passwordFile)
		if err != nil {
			return nil, err
		}
		poolConfig.ConnConfig.Password = password
	}
	return poolConfig, nil
}

// readPassword returns the file's content without its trailing line break.
func readPassword(path string) (string, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("invalid %s: %w", EnvDatabasePassword, err)
	}
	password := strings.TrimRight(string(content), "\r\n")
	if password == "" {
		return "", fmt.Errorf("invalid %s: file %q is empty", EnvDatabasePassword, path)
	}
	return password, nil
}

// describeParseError returns the reason that pgx gives for rejecting a
// connection string, without the string itself. pgx redacts passwords from
// URLs that parse, but a URL that fails to parse can reach the message whole
// through the wrapped *url.Error.
func describeParseError(err error) string {
	const hidden = "the value is not shown because it may contain a password"

	var parseErr *pgconn.ParseConfigError
	if !errors.As(err, &parseErr) {
		return hidden
	}

	// pgx formats the message as "cannot parse `<redacted string>`: <reason>",
	// optionally followed by " (<wrapped error>)".
	message := parseErr.Error()
	_, reason, found := strings.Cut(message, "`: ")
	if !found {
		return hidden
	}
	if wrapped := parseErr.Unwrap(); wrapped != nil {
		reason, _ = strings.CutSuffix(reason, " ("+wrapped.Error()+")")
		var urlErr *url.Error
		if errors.As(wrapped, &urlErr) {
			reason += ": " + urlErr.Err.Error()
		} else {
			reason += ": " + wrapped.Error()
		}
	}
	return reason + " (" + hidden + ")"
}
