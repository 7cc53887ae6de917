package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/tasks"
)

// Limits on a task request.
const (
	// MaxRequestBytes is the maximum size of a request body.
	MaxRequestBytes = 64 << 10
	// MaxPromptLength is the maximum prompt length in characters (runes).
	MaxPromptLength = 8000
)

// timePrecision is the precision of PostgreSQL's timestamptz, so a task read
// back from the database equals the task that was created.
const timePrecision = time.Microsecond

// errorResponse is the body of every JSON error response.
type errorResponse struct {
	Error string `json:"error"`
}

type readinessResponse struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type model struct {
	Name string `json:"name"`
}

type modelList struct {
	Models []model `json:"models"`
}

// createTaskRequest is the body of POST /api/v1/tasks.
type createTaskRequest struct {
	Model  string `json:"model"`
	Prompt string `json:"prompt"`
}

func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, readinessResponse{Status: "ok"})
}

// handleReadyz reports 200 when a database ping succeeds within the
// readiness timeout, and 503 otherwise. The response gives a short reason and
// the log gets the full error, which can name internal hosts.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.options.Database == nil {
		writeJSON(w, http.StatusServiceUnavailable, readinessResponse{
			Status: "unavailable",
			Reason: "database not configured: DATABASE_URL is not set",
		})
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), s.options.ReadinessTimeout)
	defer cancel()
	err := s.options.Database.Ping(ctx)
	if err == nil {
		if s.databaseDown.Swap(false) {
			s.logger(r.Context()).InfoContext(r.Context(), "readiness check passed again: database ping succeeded")
		}
		writeJSON(w, http.StatusOK, readinessResponse{Status: "ready"})
		return
	}

	reason := "database ping failed"
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		reason = fmt.Sprintf("database ping timed out after %s", s.options.ReadinessTimeout)
	}
	// Probes repeat while the database is down, so only the first failure
	// is a warning.
	level := slog.LevelDebug
	if !s.databaseDown.Swap(true) {
		level = slog.LevelWarn
	}
	s.logger(r.Context()).Log(r.Context(), level, "readiness check failed", slog.String("reason", reason), slog.Any("error", err))
	writeJSON(w, http.StatusServiceUnavailable, readinessResponse{Status: "unavailable", Reason: reason})
}

func (s *Server) handleListModels(w http.ResponseWriter, _ *http.Request) {
	list := modelList{Models: make([]model, 0, len(s.options.Models))}
	for _, name := range s.options.Models {
		list.Models = append(list.Models, model{Name: name})
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) handleCreateTask(w http.ResponseWriter, r *http.Request) {
	request, status, err := decodeTaskRequest(w, r)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	if err := s.validateTaskRequest(request); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}

	task := tasks.Task{
		ID:        tasks.NewID(),
		Model:     request.Model,
		Prompt:    request.Prompt,
		Status:    tasks.StatusPending,
		CreatedAt: s.options.Now().UTC().Truncate(timePrecision),
	}
	err = s.options.Store.Create(r.Context(), task)
	if errors.Is(err, tasks.ErrStoreFull) {
		s.logger(r.Context()).ErrorContext(r.Context(), "task rejected", slog.String("task_id", task.ID), slog.Any("error", err))
		writeError(w, http.StatusServiceUnavailable, "task store is full; try again later")
		return
	}
	if err != nil {
		s.logger(r.Context()).ErrorContext(r.Context(), "task store failed", slog.String("task_id", task.ID), slog.Any("error", err))
		writeError(w, http.StatusServiceUnavailable, "task store unavailable; try again later")
		return
	}

	s.logger(r.Context()).InfoContext(r.Context(), "task created",
		slog.String("task_id", task.ID), slog.String("model", task.Model), slog.Int("prompt_length", utf8.RuneCountInString(task.Prompt)))
	w.Header().Set("Location", "/api/v1/tasks/"+task.ID)
	writeJSON(w, http.StatusCreated, task)
}

func (s *Server) handleGetTask(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !tasks.ValidID(id) {
		writeError(w, http.StatusNotFound, "task not found")
		return
	}

	task, err := s.options.Store.Get(r.Context(), id)
	if errors.Is(err, tasks.ErrNotFound) {
		writeError(w, http.StatusNotFound, "task not found")
		return
	}
	if err != nil {
		s.logger(r.Context()).ErrorContext(r.Context(), "task store failed", slog.String("task_id", id), slog.Any("error", err))
		writeError(w, http.StatusServiceUnavailable, "task store unavailable; try again later")
		return
	}
	writeJSON(w, http.StatusOK, task)
}

// decodeTaskRequest reads one JSON object with no unknown fields. On failure
// it returns the HTTP status to respond with.
func decodeTaskRequest(w http.ResponseWriter, r *http.Request) (createTaskRequest, int, error) {
	var request createTaskRequest

	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return request, http.StatusUnsupportedMediaType, errors.New("Content-Type must be application/json")
	}

	decoder := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&request); err != nil {
		var maxBytesErr *http.MaxBytesError
		if errors.As(err, &maxBytesErr) {
			return request, http.StatusRequestEntityTooLarge, fmt.Errorf("request body is larger than %d bytes", MaxRequestBytes)
		}
		return request, http.StatusBadRequest, fmt.Errorf("invalid JSON body: %v", err)
	}
	if err := decoder.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return request, http.StatusBadRequest, errors.New("invalid JSON body: expected a single JSON object")
	}
	return request, 0, nil
}

func (s *Server) validateTaskRequest(request createTaskRequest) error {
	switch {
	case request.Model == "":
		return errors.New("model is required")
	case !s.models[request.Model]:
		return fmt.Errorf("unknown model %q; GET /api/v1/models lists the available models", request.Model)
	case strings.TrimSpace(request.Prompt) == "":
		return errors.New("prompt is required")
	case utf8.RuneCountInString(request.Prompt) > MaxPromptLength:
		return fmt.Errorf("prompt is longer than %d characters", MaxPromptLength)
	case strings.ContainsRune(request.Prompt, 0):
		// PostgreSQL text values cannot contain NUL.
		return errors.New("prompt must not contain NUL characters")
	}
	return nil
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, errorResponse{Error: message})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
