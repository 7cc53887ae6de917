package findings

import (
	"strings"
	"testing"
	"time"
)

func TestParseDBMetadata(t *testing.T) {
	const repository = "registry.airgap.internal:5000/atlasia/trivy-db-fixture:2"
	db, err := ParseDBMetadata(readTestdata(t, "trivy-db-metadata.json"), repository)
	if err != nil {
		t.Fatal(err)
	}
	if db.Repository != repository {
		t.Errorf("Repository = %q, want %q", db.Repository, repository)
	}
	if want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); !db.UpdatedAt.Equal(want) {
		t.Errorf("UpdatedAt = %v, want %v", db.UpdatedAt, want)
	}
	if want := time.Date(2026, 12, 4, 22, 24, 53, 367482510, time.UTC); !db.DownloadedAt.Equal(want) {
		t.Errorf("DownloadedAt = %v, want %v", db.DownloadedAt, want)
	}
}

func TestParseDBMetadataInvalid(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{name: "not JSON", data: "cat: can't open metadata.json", want: "invalid Trivy DB metadata"},
		{name: "no version", data: `{"UpdatedAt":"2026-01-01T00:00:00Z"}`, want: "Version or UpdatedAt is missing"},
		{name: "no update time", data: `{"Version":2}`, want: "Version or UpdatedAt is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDBMetadata([]byte(tt.data), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
