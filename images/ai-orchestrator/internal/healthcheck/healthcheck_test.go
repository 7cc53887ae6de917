package healthcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct {
		listenAddr string
		want       string
	}{
		{":8080", "http://127.0.0.1:8080/healthz"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/healthz"},
		{"[::]:8080", "http://127.0.0.1:8080/healthz"},
		{"127.0.0.2:8080", "http://127.0.0.2:8080/healthz"},
		{"[::1]:8080", "http://[::1]:8080/healthz"},
		{"localhost:8080", "http://localhost:8080/healthz"},
	}
	for _, tt := range tests {
		t.Run(tt.listenAddr, func(t *testing.T) {
			got, err := URL(tt.listenAddr)
			if err != nil {
				t.Fatalf("URL(%q): %v", tt.listenAddr, err)
			}
			if got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.listenAddr, got, tt.want)
			}
		})
	}
}

func TestURLInvalid(t *testing.T) {
	for _, listenAddr := range []string{"8080", ":http", ""} {
		t.Run(listenAddr, func(t *testing.T) {
			if got, err := URL(listenAddr); err == nil {
				t.Errorf("URL(%q) = %q, want an error", listenAddr, got)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		wantErr string
	}{
		{"healthy", http.StatusOK, ""},
		{"unavailable", http.StatusServiceUnavailable, "status 503 Service Unavailable, expected 200 OK"},
		{"other 2xx status", http.StatusNoContent, "status 204 No Content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/healthz" {
					t.Errorf("request path = %q, want /healthz", r.URL.Path)
				}
				w.WriteHeader(tt.status)
			}))
			defer server.Close()

			err := Check(context.Background(), server.Client(), server.URL+"/healthz")
			if tt.wantErr == "" && err != nil {
				t.Errorf("Check: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Check error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckNoServer(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	url := server.URL + "/healthz"
	server.Close()

	if err := Check(context.Background(), http.DefaultClient, url); err == nil {
		t.Errorf("Check(%s) with the server closed succeeded, want an error", url)
	}
}
