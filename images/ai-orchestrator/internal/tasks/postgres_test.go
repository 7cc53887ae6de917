package tasks

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// testDatabaseEnv names the connection string of a scratch PostgreSQL
// database. The tests create and drop the table "tasks" in it.
const testDatabaseEnv = "ATLASIA_TEST_DATABASE_URL"

func newTestPostgresStore(t *testing.T) *PostgresStore {
	t.Helper()
	connString := os.Getenv(testDatabaseEnv)
	if connString == "" {
		t.Skipf("%s is not set; set it to a scratch PostgreSQL database to run this test", testDatabaseEnv)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, connString)
	if err != nil {
		t.Fatalf("connect to %s: %v", testDatabaseEnv, err)
	}
	t.Cleanup(pool.Close)

	if _, err := pool.Exec(ctx, "DROP TABLE IF EXISTS tasks"); err != nil {
		t.Fatalf("drop table tasks: %v", err)
	}
	return NewPostgresStore(pool)
}

func TestPostgresStoreCreateAndGet(t *testing.T) {
	store := newTestPostgresStore(t)
	ctx := context.Background()
	task := Task{
		ID:        NewID(),
		Model:     "llama-3.1-8b-instruct",
		Prompt:    "Ünïcode prompt ✓",
		Status:    StatusPending,
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond),
	}

	if err := store.Create(ctx, task); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, err := store.Get(ctx, task.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got != task {
		t.Errorf("Get = %+v, want %+v", got, task)
	}
}

func TestPostgresStoreGetUnknown(t *testing.T) {
	store := newTestPostgresStore(t)
	if _, err := store.Get(context.Background(), NewID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get error = %v, want ErrNotFound", err)
	}
}

func TestPostgresStoreDuplicateID(t *testing.T) {
	store := newTestPostgresStore(t)
	task := Task{ID: NewID(), Model: "m", Prompt: "p", Status: StatusPending, CreatedAt: time.Now().UTC()}

	if err := store.Create(context.Background(), task); err != nil {
		t.Fatalf("first Create: %v", err)
	}
	if err := store.Create(context.Background(), task); err == nil {
		t.Error("second Create with the same ID succeeded, want a primary key error")
	}
}
