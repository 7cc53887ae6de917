// Package healthcheck implements the container health check: a GET of the
// running server's /healthz from inside the container, so the image needs
// no curl.
package healthcheck

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Timeout bounds one health check request.
const Timeout = 3 * time.Second

// URL returns the liveness URL of a server that listens on listenAddr
// (host:port). A wildcard or empty host is probed on 127.0.0.1.
func URL(listenAddr string) (string, error) {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return "", fmt.Errorf("invalid listen address %q: %w", listenAddr, err)
	}
	if _, err := strconv.Atoi(port); err != nil {
		return "", fmt.Errorf("invalid listen address %q: port %q is not a number", listenAddr, port)
	}

	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// Check sends GET url and returns nil when the response status is 200 OK.
func Check(ctx context.Context, client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()

	request, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("build request for %s: %w", url, err)
	}
	response, err := client.Do(request)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer response.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, 4096))

	if response.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %s, expected 200 OK", url, response.Status)
	}
	return nil
}
