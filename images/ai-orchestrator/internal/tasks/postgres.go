package tasks

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const createTableSQL = `CREATE TABLE IF NOT EXISTS tasks (
	id         uuid        PRIMARY KEY,
	model      text        NOT NULL,
	prompt     text        NOT NULL,
	status     text        NOT NULL,
	created_at timestamptz NOT NULL
)`

// PostgresStore keeps tasks in the PostgreSQL table "tasks", which it creates
// on first use.
type PostgresStore struct {
	pool *pgxpool.Pool

	schemaMu    sync.Mutex
	schemaReady bool
}

// NewPostgresStore returns a store that uses pool. It does not connect.
func NewPostgresStore(pool *pgxpool.Pool) *PostgresStore {
	return &PostgresStore{pool: pool}
}

// EnsureSchema creates the tasks table unless it exists. After the first
// success it returns nil at once. A failed attempt is retried on the next
// call, so the service can start before its database does.
func (s *PostgresStore) EnsureSchema(ctx context.Context) error {
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()

	if s.schemaReady {
		return nil
	}
	if _, err := s.pool.Exec(ctx, createTableSQL); err != nil {
		return fmt.Errorf("create table tasks: %w", err)
	}
	s.schemaReady = true
	return nil
}

// Create inserts task.
func (s *PostgresStore) Create(ctx context.Context, task Task) error {
	if err := s.EnsureSchema(ctx); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx,
		`INSERT INTO tasks (id, model, prompt, status, created_at) VALUES ($1, $2, $3, $4, $5)`,
		task.ID, task.Model, task.Prompt, task.Status, task.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert task %s: %w", task.ID, err)
	}
	return nil
}

// Get returns the task with the given ID, or ErrNotFound.
func (s *PostgresStore) Get(ctx context.Context, id string) (Task, error) {
	if err := s.EnsureSchema(ctx); err != nil {
		return Task{}, err
	}

	var task Task
	err := s.pool.QueryRow(ctx,
		`SELECT id::text, model, prompt, status, created_at FROM tasks WHERE id = $1`, id,
	).Scan(&task.ID, &task.Model, &task.Prompt, &task.Status, &task.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Task{}, ErrNotFound
	}
	if err != nil {
		return Task{}, fmt.Errorf("select task %s: %w", id, err)
	}
	task.CreatedAt = task.CreatedAt.UTC()
	return task, nil
}
