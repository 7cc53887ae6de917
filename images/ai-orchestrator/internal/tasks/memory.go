package tasks

import (
	"context"
	"sync"
)

// MemoryStore keeps tasks in memory. They are lost when the process stops.
type MemoryStore struct {
	mu       sync.RWMutex
	tasks    map[string]Task
	maxTasks int
}

// NewMemoryStore returns an empty store that holds at most maxTasks tasks.
func NewMemoryStore(maxTasks int) *MemoryStore {
	return &MemoryStore{tasks: make(map[string]Task), maxTasks: maxTasks}
}

// Create stores task, or returns ErrStoreFull when maxTasks are stored.
func (s *MemoryStore) Create(_ context.Context, task Task) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if len(s.tasks) >= s.maxTasks {
		return ErrStoreFull
	}
	s.tasks[task.ID] = task
	return nil
}

// Get returns the task with the given ID, or ErrNotFound.
func (s *MemoryStore) Get(_ context.Context, id string) (Task, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	task, ok := s.tasks[id]
	if !ok {
		return Task{}, ErrNotFound
	}
	return task, nil
}
