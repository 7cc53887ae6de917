// Command ai-orchestrator is the Atlasia platform's backend: an HTTP API that
// lists the configured models and accepts tasks for them.
//
// Its commands are serve (the default), healthcheck and version, which the
// usage constant describes. Settings come from environment variables, which
// internal/config documents.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/config"
	"github.com/atlasia-ai/supplychain/images/ai-orchestrator/internal/healthcheck"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: ai-orchestrator [serve|healthcheck|version]

  serve        run the HTTP server (the default)
  healthcheck  probe the running server's /healthz; exit 0 when it returns 200
  version      print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command in args and returns the process exit code:
// 0 on success, 1 on failure and 2 for invalid usage or configuration.
func run(args []string, stdout, stderr io.Writer) int {
	command := "serve"
	if len(args) > 0 {
		command = args[0]
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "ai-orchestrator: %s takes no arguments\n\n%s", command, usage)
		return 2
	}

	switch command {
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
		defer stop()
		return runServe(ctx, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(stderr)
	case "version":
		fmt.Fprintln(stdout, version)
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "ai-orchestrator: unknown command %q\n\n%s", command, usage)
		return 2
	}
}

// runHealthcheck reads only LISTEN_ADDR, so a broken database setting cannot
// make the liveness probe fail.
func runHealthcheck(stderr io.Writer) int {
	listenAddr := config.DefaultListenAddr
	if value, ok := os.LookupEnv(config.EnvListenAddr); ok {
		listenAddr = value
	}

	url, err := healthcheck.URL(listenAddr)
	if err != nil {
		fmt.Fprintf(stderr, "ai-orchestrator healthcheck: %v\n", err)
		return 1
	}
	if err := healthcheck.Check(context.Background(), http.DefaultClient, url); err != nil {
		fmt.Fprintf(stderr, "ai-orchestrator healthcheck: %v\n", err)
		return 1
	}
	return 0
}
