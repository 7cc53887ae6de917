package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/config"
	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/logging"
	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/server"
	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/tasks"
)

// maxMemoryTasks bounds the in-memory store used when no database is set.
const maxMemoryTasks = 10000

// schemaTimeout bounds the attempt to create the tasks table at startup.
const schemaTimeout = 5 * time.Second

// runServe runs the HTTP server until ctx is cancelled, then shuts it down
// gracefully. It returns the process exit code.
func runServe(ctx context.Context, stdout, stderr io.Writer) int {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "ai-orchestrator: invalid configuration:\n%v\n", err)
		return 2
	}

	logger, closeLog, err := logging.New(stdout, cfg.LogDir, cfg.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "ai-orchestrator: %v\n", err)
		return 1
	}
	defer func() {
		if err := closeLog(); err != nil {
			fmt.Fprintf(stderr, "ai-orchestrator: close log file: %v\n", err)
		}
	}()

	if err := serve(ctx, cfg, logger); err != nil {
		logger.Error("server failed", slog.Any("error", err))
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	logger.Info("starting",
		slog.String("version", version),
		slog.String("pgx_version", moduleVersion("github.com/jackc/pgx/v5")),
		slog.String("listen_addr", cfg.ListenAddr),
		slog.String("log_dir", cfg.LogDir),
		slog.Any("models", cfg.Models),
	)

	options := server.Options{
		Logger:           logger,
		Models:           cfg.Models,
		ReadinessTimeout: cfg.ReadinessTimeout,
	}
	if cfg.Database == nil {
		logger.Warn("DATABASE_URL is not set: tasks are kept in memory and /readyz reports 503")
		options.Store = tasks.NewMemoryStore(maxMemoryTasks)
	} else {
		// NewWithConfig does not connect; connections open on first use.
		pool, err := pgxpool.NewWithConfig(ctx, cfg.Database)
		if err != nil {
			return fmt.Errorf("create database pool: %w", err)
		}
		defer pool.Close()

		store := tasks.NewPostgresStore(pool)
		prepareSchema(ctx, store, logger, cfg.Database)
		options.Store = store
		options.Database = pool
	}

	listener, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	httpServer := &http.Server{
		Handler:           server.New(options),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	serveErr := make(chan error, 1)
	go func() {
		serveErr <- httpServer.Serve(listener)
	}()
	logger.Info("listening", slog.String("addr", listener.Addr().String()))

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down", slog.String("timeout", cfg.ShutdownTimeout.String()))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down within %s: %w", cfg.ShutdownTimeout, err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve HTTP: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// prepareSchema tries once to create the tasks table so that a missing
// privilege shows up in the startup log. A failure is only logged because the
// store retries on first use and the database may start after the service.
func prepareSchema(ctx context.Context, store *tasks.PostgresStore, logger *slog.Logger, database *pgxpool.Config) {
	ctx, cancel := context.WithTimeout(ctx, schemaTimeout)
	defer cancel()

	target := slog.Group("database",
		slog.String("host", database.ConnConfig.Host),
		slog.Int("port", int(database.ConnConfig.Port)),
		slog.String("name", database.ConnConfig.Database),
		slog.String("user", database.ConnConfig.User),
	)
	if err := store.EnsureSchema(ctx); err != nil {
		logger.Warn("database not ready at startup; retrying on first use", target, slog.Any("error", err))
		return
	}
	logger.Info("database ready", target)
}

// moduleVersion returns the version of a dependency from the binary's build
// info, the same data that scanners such as Trivy read.
func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, module := range info.Deps {
		if module.Path == path {
			return module.Version
		}
	}
	return "unknown"
}
