package tasks

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemoryStoreCreateAndGet(t *testing.T) {
	store := NewMemoryStore(10)
	task := Task{ID: NewID(), Model: "m", Prompt: "p", Status: StatusPending, CreatedAt: time.Unix(0, 0).UTC()}

	if err := store.Create(context.Background(), task); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, err := store.Get(context.Background(), task.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got != task {
		t.Errorf("Get = %+v, want %+v", got, task)
	}
}

func TestMemoryStoreGetUnknown(t *testing.T) {
	store := NewMemoryStore(10)
	if _, err := store.Get(context.Background(), NewID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get error = %v, want ErrNotFound", err)
	}
}

func TestMemoryStoreFull(t *testing.T) {
	store := NewMemoryStore(2)
	for i := range 2 {
		if err := store.Create(context.Background(), Task{ID: NewID()}); err != nil {
			t.Fatalf("Create %d: %v", i, err)
		}
	}
	if err := store.Create(context.Background(), Task{ID: NewID()}); !errors.Is(err, ErrStoreFull) {
		t.Errorf("third Create error = %v, want ErrStoreFull", err)
	}
}

func TestNewIDFormat(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := NewID()
		if !ValidID(id) {
			t.Fatalf("NewID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewID() returned %q twice", id)
		}
		seen[id] = true
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"3f2b8c4e-9a1d-4e6f-8b7a-0c1d2e3f4a5b", true},
		{"3F2B8C4E-9A1D-4E6F-8B7A-0C1D2E3F4A5B", false},
		{"3f2b8c4e-9a1d-1e6f-8b7a-0c1d2e3f4a5b", false},
		{"3f2b8c4e-9a1d-4e6f-7b7a-0c1d2e3f4a5b", false},
		{"3f2b8c4e9a1d4e6f8b7a0c1d2e3f4a5b", false},
		{"", false},
		{"../../etc/passwd", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := ValidID(tt.id); got != tt.want {
				t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}
