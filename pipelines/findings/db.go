package findings

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DB is the Trivy vulnerability DB that a scan used, which the reports name.
type DB struct {
	// Repository is the OCI repository the DB came from. Empty means
	// Trivy's default repository.
	Repository string `json:"repository"`
	// UpdatedAt is when the DB was built.
	UpdatedAt time.Time `json:"updated_at"`
	// DownloadedAt is when Trivy downloaded it into the cache.
	DownloadedAt time.Time `json:"downloaded_at"`
}

// ParseDBMetadata parses db/metadata.json of a Trivy cache directory, as
// Trivy v0.74 writes it, for a DB from repository.
func ParseDBMetadata(data []byte, repository string) (DB, error) {
	var metadata struct {
		Version      int
		UpdatedAt    time.Time
		DownloadedAt time.Time
	}
	if err := json.Unmarshal(data, &metadata); err != nil {
		return DB{}, fmt.Errorf("invalid Trivy DB metadata: %w", err)
	}
	if metadata.Version == 0 || metadata.UpdatedAt.IsZero() {
		return DB{}, errors.New("invalid Trivy DB metadata: Version or UpdatedAt is missing; download the DB again")
	}
	return DB{Repository: repository, UpdatedAt: metadata.UpdatedAt, DownloadedAt: metadata.DownloadedAt}, nil
}
