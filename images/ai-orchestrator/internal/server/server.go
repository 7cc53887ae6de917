// Package server implements the orchestrator's HTTP API.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/tasks"
)

// Pinger checks that the database accepts queries. *pgxpool.Pool implements it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options configure the handler that New returns.
type Options struct {
	Logger *slog.Logger
	// Models are the model names that tasks may request.
	Models []string
	Store  tasks.Store
	// Database is pinged by /readyz. Nil means no database is configured,
	// and /readyz then reports 503.
	Database Pinger
	// ReadinessTimeout bounds the database ping of /readyz.
	ReadinessTimeout time.Duration
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// Server serves the HTTP API.
type Server struct {
	options Options
	models  map[string]bool
	mux     *http.ServeMux

	// databaseDown is true after a failed readiness ping and false after a
	// successful one, so only changes of the database state are logged at
	// warn and info level.
	databaseDown atomic.Bool
}

// New returns the API handler with request logging.
func New(options Options) *Server {
	if options.Now == nil {
		options.Now = time.Now
	}
	s := &Server{
		options: options,
		models:  make(map[string]bool, len(options.Models)),
		mux:     http.NewServeMux(),
	}
	for _, name := range options.Models {
		s.models[name] = true
	}

	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("GET /readyz", s.handleReadyz)
	s.mux.HandleFunc("GET /api/v1/models", s.handleListModels)
	s.mux.HandleFunc("POST /api/v1/tasks", s.handleCreateTask)
	s.mux.HandleFunc("GET /api/v1/tasks/{id}", s.handleGetTask)
	return s
}

// requestIDPattern accepts the IDs that proxies such as nginx ($request_id)
// generate, and rejects anything that could break a log line.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ServeHTTP logs every request with its status and duration. It keeps a valid
// incoming X-Request-Id and otherwise generates one, and sends it back in the
// response. Probes of /healthz and /readyz are logged at debug level because
// health checks call them periodically.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.options.Now()

	requestID := r.Header.Get("X-Request-Id")
	if !requestIDPattern.MatchString(requestID) {
		requestID = newRequestID()
	}
	w.Header().Set("X-Request-Id", requestID)

	recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	ctx := context.WithValue(r.Context(), requestIDKey{}, requestID)
	s.mux.ServeHTTP(recorder, r.WithContext(ctx))

	level := slog.LevelInfo
	if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
		level = slog.LevelDebug
	}
	s.options.Logger.LogAttrs(r.Context(), level, "request",
		slog.String("request_id", requestID),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", recorder.status),
		slog.Int64("duration_ms", s.options.Now().Sub(start).Milliseconds()),
		slog.String("remote_addr", r.RemoteAddr),
	)
}

// requestIDKey is the context key of the request ID.
type requestIDKey struct{}

// logger returns the server's logger with the request ID of ctx attached, so
// handler records can be matched with the request record.
func (s *Server) logger(ctx context.Context) *slog.Logger {
	if requestID, ok := ctx.Value(requestIDKey{}).(string); ok {
		return s.options.Logger.With(slog.String("request_id", requestID))
	}
	return s.options.Logger
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusRecorder records the status code that a handler writes.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status = status
		r.wroteHeader = true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter {
	return r.ResponseWriter
}
