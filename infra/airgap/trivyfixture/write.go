package trivyfixture

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/vulnerability"
	bolt "go.etcd.io/bbolt"
)

// Timestamps written to metadata.json. They are fixed so that two runs write
// identical bytes. Trivy treats the database as current until NextUpdate, so
// it does not try to download a newer one before 2100. Trivy overwrites
// DownloadedAt when it pulls the database from a registry.
var (
	UpdatedAt    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	NextUpdate   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	DownloadedAt = UpdatedAt
)

// File names inside the database directory and at the root of db.tar.gz,
// where Trivy's OCI download extracts them into <cache-dir>/db.
const (
	DBFileName       = "trivy.db"
	MetadataFileName = "metadata.json"
)

// pageSize pins the BoltDB page size. bbolt otherwise uses the OS page size,
// which would make the file differ between 4 KiB and 64 KiB page machines.
const pageSize = 4096

// dataSources maps each bucket to the data source that trivy-db stores for
// it in the "data-source" bucket. Trivy v0.74.0 picks the severity of the
// vendor whose source ID it finds there.
var dataSources = map[string]types.DataSource{
	BucketDebian12: debianSource,
	BucketDebian11: debianSource,
	BucketGoGHSA: {
		ID:   vulnerability.GHSA,
		Name: "GitHub Security Advisory Go",
		URL:  "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Ago",
	},
}

var debianSource = types.DataSource{
	ID:   vulnerability.Debian,
	Name: "Debian Security Tracker",
	URL:  "https://salsa.debian.org/security-tracker-team/security-tracker",
}

// WriteDB writes trivy.db and metadata.json into dbDir, creating dbDir and
// replacing any previous files. The output depends only on the fixture table
// and the versions of bbolt and Go's encoding/json, so two runs write
// identical bytes.
func WriteDB(dbDir string) error {
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}

	// bbolt appends to an existing file, and a file that has seen more
	// transactions has a different page layout, so always start empty.
	dbPath := filepath.Join(dbDir, DBFileName)
	if err := os.Remove(dbPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove old database: %w", err)
	}
	if err := writeBolt(dbPath); err != nil {
		return err
	}
	return writeMetadata(filepath.Join(dbDir, MetadataFileName))
}

func writeBolt(dbPath string) error {
	bdb, err := bolt.Open(dbPath, 0o644, &bolt.Options{PageSize: pageSize, Timeout: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}

	err = putAll(bdb, db.Config{})
	if closeErr := bdb.Close(); err == nil && closeErr != nil {
		err = fmt.Errorf("close %s: %w", dbPath, closeErr)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", dbPath, err)
	}
	return nil
}

// putAll writes every record in its own transaction, in table order. bbolt
// spills the buckets a transaction changed in Go map order, so a transaction
// that changes two buckets can lay out its pages differently on each run.
// A transaction that changes a single bucket path cannot.
func putAll(bdb *bolt.DB, dbc db.Config) error {
	var puts []func(*bolt.Tx) error

	for _, bucket := range []string{BucketDebian11, BucketDebian12, BucketGoGHSA} {
		puts = append(puts, func(tx *bolt.Tx) error {
			return dbc.PutDataSource(tx, bucket, dataSources[bucket])
		})
	}

	for _, adv := range advisories {
		stored, err := storedAdvisory(adv)
		if err != nil {
			return err
		}
		vuln, err := storedVulnerability(adv)
		if err != nil {
			return err
		}

		// Advisory.MarshalJSON has a pointer receiver and is what stores
		// the status as the integer Trivy expects, so pass a pointer.
		puts = append(puts,
			func(tx *bolt.Tx) error {
				return dbc.PutAdvisory(tx, []string{adv.Bucket, adv.Package}, adv.ID, &stored)
			},
			func(tx *bolt.Tx) error {
				return dbc.PutVulnerability(tx, adv.ID, vuln)
			},
		)
	}

	for _, put := range puts {
		if err := bdb.Update(put); err != nil {
			return err
		}
	}
	return nil
}

// storedAdvisory converts a table row into the value trivy-db stores under
// <bucket>/<package>/<ID>, following what trivy-db's Debian and GitHub
// advisory sources write.
func storedAdvisory(adv Advisory) (types.Advisory, error) {
	severity, err := types.NewSeverity(adv.Severity)
	if err != nil {
		return types.Advisory{}, fmt.Errorf("advisory %s: %w", adv.ID, err)
	}

	if adv.Bucket == BucketGoGHSA {
		stored := types.Advisory{VulnerableVersions: adv.VulnerableVersions}
		if adv.FixedVersion != "" {
			stored.PatchedVersions = []string{adv.FixedVersion}
		}
		return stored, nil
	}

	// trivy-db stores a Debian status only for unfixed advisories, because a
	// fixed version already implies "fixed". The per-package severity is
	// what Debian's urgency field becomes.
	stored := types.Advisory{Severity: severity, FixedVersion: adv.FixedVersion}
	if adv.FixedVersion == "" {
		stored.Status = types.NewStatus(adv.Status)
	}
	return stored, nil
}

func storedVulnerability(adv Advisory) (types.Vulnerability, error) {
	severity, err := types.NewSeverity(adv.Severity)
	if err != nil {
		return types.Vulnerability{}, fmt.Errorf("advisory %s: %w", adv.ID, err)
	}
	source, ok := dataSources[adv.Bucket]
	if !ok {
		return types.Vulnerability{}, fmt.Errorf("advisory %s: bucket %q has no data source", adv.ID, adv.Bucket)
	}

	return types.Vulnerability{
		Title:          adv.Title,
		Description:    description(adv),
		VendorSeverity: types.VendorSeverity{source.ID: severity},
	}, nil
}

func description(adv Advisory) string {
	const prefix = "This advisory is a test fixture of the Atlasia air-gapped toolchain, not a real vulnerability. "
	if adv.ExpectMatch {
		return prefix + "It is expected to match: " + adv.Reason + "."
	}
	return prefix + "It is a negative control that must never match: " + adv.Reason + "."
}

func writeMetadata(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}

	// The same encoding as trivy-db's metadata.Client.Update, which ends
	// the file with a newline.
	meta := metadata.Metadata{
		Version:      db.SchemaVersion,
		NextUpdate:   NextUpdate,
		UpdatedAt:    UpdatedAt,
		DownloadedAt: DownloadedAt,
	}
	err = json.NewEncoder(f).Encode(&meta)
	if closeErr := f.Close(); err == nil && closeErr != nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteTarball writes db.tar.gz to w: trivy.db and metadata.json from dbDir
// at the root of a gzip-compressed tar, the layer layout that Trivy v0.74.0
// extracts into <cache-dir>/db after pulling the database artifact. Headers
// carry fixed owners, modes and times, so the bytes depend only on the
// input files and the Go version's compress/flate.
func WriteTarball(w io.Writer, dbDir string) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)

	for _, name := range []string{DBFileName, MetadataFileName} {
		if err := addFile(tw, filepath.Join(dbDir, name), name); err != nil {
			return err
		}
	}

	if err := tw.Close(); err != nil {
		return fmt.Errorf("finish tar: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("finish gzip: %w", err)
	}
	return nil
}

func addFile(tw *tar.Writer, path, name string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}

	header := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     name,
		Mode:     0o644,
		Size:     int64(len(data)),
		ModTime:  UpdatedAt,
		Format:   tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(header); err != nil {
		return fmt.Errorf("write tar header for %s: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("write %s into tar: %w", name, err)
	}
	return nil
}
