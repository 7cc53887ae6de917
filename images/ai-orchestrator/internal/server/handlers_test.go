package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/tasks"
)

var fixedNow = time.Date(2025, 5, 20, 12, 30, 0, 123456789, time.UTC)

// fakePinger returns err from Ping. With block set, Ping waits until its
// context ends, as an unreachable database would.
type fakePinger struct {
	err   error
	block bool
}

func (p fakePinger) Ping(ctx context.Context) error {
	if p.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return p.err
}

// failingStore fails every call with err.
type failingStore struct{ err error }

func (s failingStore) Create(context.Context, tasks.Task) error { return s.err }
func (s failingStore) Get(context.Context, string) (tasks.Task, error) {
	return tasks.Task{}, s.err
}

func newTestServer(t *testing.T, options Options) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	if options.Logger == nil {
		options.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if options.Models == nil {
		options.Models = []string{"llama-3.1-8b-instruct", "mistral-7b"}
	}
	if options.Store == nil {
		options.Store = tasks.NewMemoryStore(100)
	}
	if options.ReadinessTimeout == 0 {
		options.ReadinessTimeout = 50 * time.Millisecond
	}
	options.Now = func() time.Time { return fixedNow }
	return New(options), &logs
}

func serve(handler http.Handler, method, target, contentType, body string) *httptest.ResponseRecorder {
	request := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		request.Header.Set("Content-Type", contentType)
	}
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, request)
	return recorder
}

func decodeBody[T any](t *testing.T, recorder *httptest.ResponseRecorder) T {
	t.Helper()
	if got := recorder.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var body T
	if err := json.Unmarshal(recorder.Body.Bytes(), &body); err != nil {
		t.Fatalf("decode body %q: %v", recorder.Body.String(), err)
	}
	return body
}

func TestHealthz(t *testing.T) {
	server, _ := newTestServer(t, Options{})
	response := serve(server, http.MethodGet, "/healthz", "", "")

	if response.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", response.Code)
	}
	body := decodeBody[readinessResponse](t, response)
	if body.Status != "ok" {
		t.Errorf("status field = %q, want ok", body.Status)
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		database   Pinger
		wantCode   int
		wantStatus string
		wantReason string
	}{
		{"database answers", fakePinger{}, http.StatusOK, "ready", ""},
		{"no database configured", nil, http.StatusServiceUnavailable, "unavailable", "database not configured: DATABASE_URL is not set"},
		{"ping fails", fakePinger{err: errors.New("dial tcp 10.0.0.5:5432: connection refused")}, http.StatusServiceUnavailable, "unavailable", "database ping failed"},
		{"ping times out", fakePinger{block: true}, http.StatusServiceUnavailable, "unavailable", "database ping timed out after 50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, _ := newTestServer(t, Options{Database: tt.database})
			response := serve(server, http.MethodGet, "/readyz", "", "")

			if response.Code != tt.wantCode {
				t.Errorf("status = %d, want %d", response.Code, tt.wantCode)
			}
			body := decodeBody[readinessResponse](t, response)
			if body.Status != tt.wantStatus {
				t.Errorf("status field = %q, want %q", body.Status, tt.wantStatus)
			}
			if body.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", body.Reason, tt.wantReason)
			}
		})
	}
}

func TestReadyzHidesErrorDetails(t *testing.T) {
	server, logs := newTestServer(t, Options{Database: fakePinger{err: errors.New("dial tcp 10.0.0.5:5432: connection refused")}})
	response := serve(server, http.MethodGet, "/readyz", "", "")

	if strings.Contains(response.Body.String(), "10.0.0.5") {
		t.Errorf("response %q exposes the database address", response.Body.String())
	}
	if !strings.Contains(logs.String(), "10.0.0.5") {
		t.Errorf("log %q lacks the full ping error", logs.String())
	}
}

func TestListModels(t *testing.T) {
	server, _ := newTestServer(t, Options{Models: []string{"b", "a"}})
	response := serve(server, http.MethodGet, "/api/v1/models", "", "")

	if response.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", response.Code)
	}
	body := decodeBody[modelList](t, response)
	want := []model{{Name: "b"}, {Name: "a"}}
	if len(body.Models) != len(want) || body.Models[0] != want[0] || body.Models[1] != want[1] {
		t.Errorf("models = %+v, want %+v in configuration order", body.Models, want)
	}
}

func TestCreateTask(t *testing.T) {
	store := tasks.NewMemoryStore(10)
	server, _ := newTestServer(t, Options{Store: store})
	response := serve(server, http.MethodPost, "/api/v1/tasks", "application/json; charset=utf-8",
		`{"model":"mistral-7b","prompt":"Summarize the release notes."}`)

	if response.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", response.Code, response.Body)
	}
	task := decodeBody[tasks.Task](t, response)
	if !tasks.ValidID(task.ID) {
		t.Errorf("id = %q, want a UUID", task.ID)
	}
	if got := response.Header().Get("Location"); got != "/api/v1/tasks/"+task.ID {
		t.Errorf("Location = %q, want /api/v1/tasks/%s", got, task.ID)
	}
	if task.Model != "mistral-7b" {
		t.Errorf("model = %q", task.Model)
	}
	if task.Prompt != "Summarize the release notes." {
		t.Errorf("prompt = %q", task.Prompt)
	}
	if task.Status != tasks.StatusPending {
		t.Errorf("status field = %q, want %q", task.Status, tasks.StatusPending)
	}
	if want := fixedNow.Truncate(time.Microsecond); !task.CreatedAt.Equal(want) {
		t.Errorf("created_at = %v, want %v", task.CreatedAt, want)
	}

	stored, err := store.Get(context.Background(), task.ID)
	if err != nil {
		t.Fatalf("stored task: %v", err)
	}
	if stored != task {
		t.Errorf("stored task = %+v, want %+v", stored, task)
	}
}

func TestCreateTaskInvalidRequest(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantCode    int
		wantError   string
	}{
		{"missing content type", "", `{"model":"mistral-7b","prompt":"x"}`, http.StatusUnsupportedMediaType, "Content-Type must be application/json"},
		{"form content type", "application/x-www-form-urlencoded", `model=mistral-7b`, http.StatusUnsupportedMediaType, "Content-Type must be application/json"},
		{"malformed JSON", "application/json", `{"model":`, http.StatusBadRequest, "invalid JSON body"},
		{"JSON array", "application/json", `[]`, http.StatusBadRequest, "invalid JSON body"},
		{"unknown field", "application/json", `{"model":"mistral-7b","prompt":"x","priority":1}`, http.StatusBadRequest, `unknown field "priority"`},
		{"two objects", "application/json", `{"model":"mistral-7b","prompt":"x"}{}`, http.StatusBadRequest, "expected a single JSON object"},
		{"body too large", "application/json", `{"model":"mistral-7b","prompt":"` + strings.Repeat("x", MaxRequestBytes) + `"}`, http.StatusRequestEntityTooLarge, "request body is larger than 65536 bytes"},
		{"model missing", "application/json", `{"prompt":"x"}`, http.StatusUnprocessableEntity, "model is required"},
		{"model unknown", "application/json", `{"model":"gpt-x","prompt":"x"}`, http.StatusUnprocessableEntity, `unknown model "gpt-x"`},
		{"prompt missing", "application/json", `{"model":"mistral-7b"}`, http.StatusUnprocessableEntity, "prompt is required"},
		{"prompt blank", "application/json", `{"model":"mistral-7b","prompt":" \n\t"}`, http.StatusUnprocessableEntity, "prompt is required"},
		{"prompt too long", "application/json", `{"model":"mistral-7b","prompt":"` + strings.Repeat("é", MaxPromptLength+1) + `"}`, http.StatusUnprocessableEntity, "prompt is longer than 8000 characters"},
		{"prompt with NUL", "application/json", `{"model":"mistral-7b","prompt":"a\u0000b"}`, http.StatusUnprocessableEntity, "prompt must not contain NUL characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, _ := newTestServer(t, Options{})
			response := serve(server, http.MethodPost, "/api/v1/tasks", tt.contentType, tt.body)

			if response.Code != tt.wantCode {
				t.Errorf("status = %d, want %d; body %s", response.Code, tt.wantCode, response.Body)
			}
			body := decodeBody[errorResponse](t, response)
			if !strings.Contains(body.Error, tt.wantError) {
				t.Errorf("error = %q, want it to contain %q", body.Error, tt.wantError)
			}
		})
	}
}

func TestCreateTaskPromptAtLimit(t *testing.T) {
	server, _ := newTestServer(t, Options{})
	body := `{"model":"mistral-7b","prompt":"` + strings.Repeat("é", MaxPromptLength) + `"}`
	response := serve(server, http.MethodPost, "/api/v1/tasks", "application/json", body)

	if response.Code != http.StatusCreated {
		t.Errorf("status = %d, want 201 for a prompt of exactly %d characters", response.Code, MaxPromptLength)
	}
}

func TestCreateTaskStoreErrors(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantError string
	}{
		{"store full", tasks.ErrStoreFull, "task store is full; try again later"},
		{"store down", errors.New("connection refused"), "task store unavailable; try again later"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, logs := newTestServer(t, Options{Store: failingStore{err: tt.err}})
			response := serve(server, http.MethodPost, "/api/v1/tasks", "application/json", `{"model":"mistral-7b","prompt":"x"}`)

			if response.Code != http.StatusServiceUnavailable {
				t.Errorf("status = %d, want 503", response.Code)
			}
			body := decodeBody[errorResponse](t, response)
			if body.Error != tt.wantError {
				t.Errorf("error = %q, want %q", body.Error, tt.wantError)
			}
			if !strings.Contains(logs.String(), tt.err.Error()) {
				t.Errorf("log %q lacks the store error %q", logs.String(), tt.err)
			}
		})
	}
}

func TestGetTask(t *testing.T) {
	server, _ := newTestServer(t, Options{})
	created := serve(server, http.MethodPost, "/api/v1/tasks", "application/json", `{"model":"mistral-7b","prompt":"x"}`)
	if created.Code != http.StatusCreated {
		t.Fatalf("create status = %d; body %s", created.Code, created.Body)
	}
	want := decodeBody[tasks.Task](t, created)

	response := serve(server, http.MethodGet, "/api/v1/tasks/"+want.ID, "", "")
	if response.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", response.Code)
	}
	if got := decodeBody[tasks.Task](t, response); got != want {
		t.Errorf("task = %+v, want %+v", got, want)
	}
}

func TestGetTaskNotFound(t *testing.T) {
	tests := []struct {
		name string
		id   string
	}{
		{"unknown UUID", tasks.NewID()},
		{"not a UUID", "42"},
		{"uppercase UUID", strings.ToUpper(tasks.NewID())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, _ := newTestServer(t, Options{})
			response := serve(server, http.MethodGet, "/api/v1/tasks/"+tt.id, "", "")

			if response.Code != http.StatusNotFound {
				t.Errorf("status = %d, want 404", response.Code)
			}
			body := decodeBody[errorResponse](t, response)
			if body.Error != "task not found" {
				t.Errorf("error = %q, want \"task not found\"", body.Error)
			}
		})
	}
}

func TestGetTaskStoreDown(t *testing.T) {
	server, _ := newTestServer(t, Options{Store: failingStore{err: errors.New("connection reset")}})
	response := serve(server, http.MethodGet, "/api/v1/tasks/"+tasks.NewID(), "", "")

	if response.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", response.Code)
	}
}

func TestRoutingErrors(t *testing.T) {
	tests := []struct {
		method   string
		target   string
		wantCode int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodGet, "/api/v1/unknown", http.StatusNotFound},
		{http.MethodDelete, "/api/v1/models", http.StatusMethodNotAllowed},
		{http.MethodGet, "/api/v1/tasks", http.StatusMethodNotAllowed},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			server, _ := newTestServer(t, Options{})
			response := serve(server, tt.method, tt.target, "", "")
			if response.Code != tt.wantCode {
				t.Errorf("status = %d, want %d", response.Code, tt.wantCode)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	tests := []struct {
		name     string
		incoming string
		wantKept bool
	}{
		{"nginx request id kept", "0f4c3a9e2b7d41c58a6e9d3b1c2f4e5a", true},
		{"missing id generated", "", false},
		{"id with spaces replaced", "a b", false},
		{"id too long replaced", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, logs := newTestServer(t, Options{})
			request := httptest.NewRequest(http.MethodGet, "/api/v1/models", nil)
			if tt.incoming != "" {
				request.Header.Set("X-Request-Id", tt.incoming)
			}
			response := httptest.NewRecorder()
			server.ServeHTTP(response, request)

			got := response.Header().Get("X-Request-Id")
			if tt.wantKept && got != tt.incoming {
				t.Errorf("X-Request-Id = %q, want the incoming %q", got, tt.incoming)
			}
			if !tt.wantKept && (got == tt.incoming || !requestIDPattern.MatchString(got)) {
				t.Errorf("X-Request-Id = %q, want a newly generated ID", got)
			}
			if !strings.Contains(logs.String(), `"request_id":"`+got+`"`) {
				t.Errorf("log %q lacks request_id %q", logs.String(), got)
			}
		})
	}
}

func TestRequestLog(t *testing.T) {
	server, logs := newTestServer(t, Options{})
	serve(server, http.MethodPost, "/api/v1/tasks", "text/plain", "x")

	var record map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if record["msg"] == "request" {
			break
		}
	}
	if record["msg"] != "request" {
		t.Fatalf("no request record in log %q", logs.String())
	}
	if record["method"] != "POST" {
		t.Errorf("method = %v, want POST", record["method"])
	}
	if record["path"] != "/api/v1/tasks" {
		t.Errorf("path = %v", record["path"])
	}
	if record["status"] != float64(http.StatusUnsupportedMediaType) {
		t.Errorf("status = %v, want 415", record["status"])
	}
	if record["level"] != "INFO" {
		t.Errorf("level = %v, want INFO", record["level"])
	}
}

func TestProbesLoggedAtDebug(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	server, _ := newTestServer(t, Options{Logger: logger, Database: fakePinger{}})

	serve(server, http.MethodGet, "/healthz", "", "")
	serve(server, http.MethodGet, "/readyz", "", "")
	if logs.Len() != 0 {
		t.Errorf("probes wrote %q at info level, want nothing", logs.String())
	}
}

func TestResponsesNotCached(t *testing.T) {
	server, _ := newTestServer(t, Options{})
	response := serve(server, http.MethodGet, "/api/v1/models", "", "")
	if got := response.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

func TestHandlerLogsCarryRequestID(t *testing.T) {
	server, logs := newTestServer(t, Options{Store: failingStore{err: errors.New("connection refused")}})
	request := httptest.NewRequest(http.MethodPost, "/api/v1/tasks", strings.NewReader(`{"model":"mistral-7b","prompt":"x"}`))
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("X-Request-Id", "req-42")
	server.ServeHTTP(httptest.NewRecorder(), request)

	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		if !strings.Contains(line, `"request_id":"req-42"`) {
			t.Errorf("log line lacks the request ID: %s", line)
		}
	}
}

// switchablePinger fails while err is set.
type switchablePinger struct{ err error }

func (p *switchablePinger) Ping(context.Context) error { return p.err }

func TestReadyzLogsStateChanges(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	database := &switchablePinger{err: errors.New("connection refused")}
	server, _ := newTestServer(t, Options{Logger: logger, Database: database})

	for range 3 {
		serve(server, http.MethodGet, "/readyz", "", "")
	}
	if got := strings.Count(logs.String(), `"msg":"readiness check failed"`); got != 1 {
		t.Errorf("3 failed probes logged %d warnings, want 1: %s", got, logs.String())
	}

	database.err = nil
	serve(server, http.MethodGet, "/readyz", "", "")
	serve(server, http.MethodGet, "/readyz", "", "")
	if got := strings.Count(logs.String(), `"msg":"readiness check passed again`); got != 1 {
		t.Errorf("recovery logged %d times, want 1: %s", got, logs.String())
	}

	database.err = errors.New("connection reset")
	serve(server, http.MethodGet, "/readyz", "", "")
	if got := strings.Count(logs.String(), `"msg":"readiness check failed"`); got != 2 {
		t.Errorf("a new outage logged %d warnings in total, want 2: %s", got, logs.String())
	}
}
