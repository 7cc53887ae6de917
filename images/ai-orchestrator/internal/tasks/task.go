// Package tasks defines the task record and the stores that keep tasks.
package tasks

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// StatusPending is the status of every new task.
//
// NOTE: no worker executes tasks yet, so a task stays pending after it is
// stored.
const StatusPending = "pending"

// Errors that stores return.
var (
	ErrNotFound  = errors.New("task not found")
	ErrStoreFull = errors.New("task store is full")
)

// Task is one request to run a prompt on a model.
type Task struct {
	ID        string    `json:"id"`
	Model     string    `json:"model"`
	Prompt    string    `json:"prompt"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Store keeps tasks. Implementations are safe for concurrent use.
type Store interface {
	// Create stores a new task. It returns ErrStoreFull when the store has
	// no room left.
	Create(ctx context.Context, task Task) error
	// Get returns the task with the given ID, or ErrNotFound.
	Get(ctx context.Context, id string) (Task, error)
}

var idPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// NewID returns a random UUID (version 4) in its lowercase text form.
func NewID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error since Go 1.24: it crashes the
	// program when the system source fails.
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40 // version 4
	b[8] = (b[8] & 0x3f) | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ValidID reports whether id has the form that NewID returns.
func ValidID(id string) bool {
	return idPattern.MatchString(id)
}
