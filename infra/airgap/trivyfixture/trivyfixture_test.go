package trivyfixture

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	goversion "github.com/aquasecurity/go-version/pkg/version"
	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/bucket"
	debversion "github.com/knqyf263/go-deb-version"
	bolt "go.etcd.io/bbolt"
)

// bookwormVersions are the source package versions of Debian 12.15 that the
// table was written against, as dpkg-query reports ${source:Version}.
var bookwormVersions = map[string]string{
	"apt":        "2.6.1",
	"zlib":       "1:1.2.13.dfsg-1",
	"glibc":      "2.36-9+deb12u14",
	"util-linux": "2.38.1-5+deb12u3",
}

// backendGoModules are the Go module versions in the backend binary.
var backendGoModules = map[string]string{
	"github.com/jackc/pgx/v5": "v5.9.2",
}

func writeFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	if err := WriteDB(dir); err != nil {
		t.Fatalf("WriteDB(%s): %v", dir, err)
	}
	return dir
}

// openTrivyDB opens dir with trivy-db's own reader, the code Trivy scans
// with. trivy-db keeps the handle in a package variable, so tests that call
// it must not run in parallel.
func openTrivyDB(t *testing.T, dir string) db.Config {
	t.Helper()
	if err := db.Init(dir); err != nil {
		t.Fatalf("db.Init(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db.Config{}
}

func tarballBytes(t *testing.T, dbDir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTarball(&buf, dbDir); err != nil {
		t.Fatalf("WriteTarball(%s): %v", dbDir, err)
	}
	return buf.Bytes()
}

func TestWriteDBIsDeterministic(t *testing.T) {
	first := writeFixture(t)
	second := writeFixture(t)

	for _, name := range []string{DBFileName, MetadataFileName} {
		t.Run(name, func(t *testing.T) {
			a, err := os.ReadFile(filepath.Join(first, name))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(second, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s differs between two runs (%d and %d bytes)", name, len(a), len(b))
			}
		})
	}

	t.Run("db.tar.gz", func(t *testing.T) {
		if !bytes.Equal(tarballBytes(t, first), tarballBytes(t, second)) {
			t.Error("db.tar.gz differs between two runs")
		}
	})
}

func TestWriteDBReplacesExistingFiles(t *testing.T) {
	dir := writeFixture(t)
	want, err := os.ReadFile(filepath.Join(dir, DBFileName))
	if err != nil {
		t.Fatal(err)
	}

	if err := WriteDB(dir); err != nil {
		t.Fatalf("second WriteDB(%s): %v", dir, err)
	}
	got, err := os.ReadFile(filepath.Join(dir, DBFileName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("rewriting into the same directory changed trivy.db")
	}
}

func TestAdvisoriesAreStored(t *testing.T) {
	dbc := openTrivyDB(t, writeFixture(t))

	for _, want := range Advisories() {
		t.Run(want.ID, func(t *testing.T) {
			stored, err := dbc.GetAdvisories(want.Bucket, want.Package)
			if err != nil {
				t.Fatalf("GetAdvisories(%q, %q): %v", want.Bucket, want.Package, err)
			}
			i := slices.IndexFunc(stored, func(a types.Advisory) bool { return a.VulnerabilityID == want.ID })
			if i < 0 {
				t.Fatalf("%s missing from bucket %q, package %q", want.ID, want.Bucket, want.Package)
			}
			got := stored[i]

			if got.DataSource == nil || *got.DataSource != dataSources[want.Bucket] {
				t.Errorf("data source = %+v, want %+v", got.DataSource, dataSources[want.Bucket])
			}

			if want.Bucket == BucketGoGHSA {
				if !slices.Equal(got.VulnerableVersions, want.VulnerableVersions) {
					t.Errorf("VulnerableVersions = %q, want %q", got.VulnerableVersions, want.VulnerableVersions)
				}
				if !slices.Equal(got.PatchedVersions, []string{want.FixedVersion}) {
					t.Errorf("PatchedVersions = %q, want [%q]", got.PatchedVersions, want.FixedVersion)
				}
			} else {
				if got.FixedVersion != want.FixedVersion {
					t.Errorf("FixedVersion = %q, want %q", got.FixedVersion, want.FixedVersion)
				}
				if got.Severity.String() != want.Severity {
					t.Errorf("package severity = %s, want %s", got.Severity, want.Severity)
				}
				wantStatus := types.StatusUnknown // a fixed version implies "fixed"
				if want.FixedVersion == "" {
					wantStatus = types.NewStatus(want.Status)
				}
				if got.Status != wantStatus {
					t.Errorf("Status = %s, want %s", got.Status.String(), wantStatus.String())
				}
			}

			vuln, err := dbc.GetVulnerability(want.ID)
			if err != nil {
				t.Fatalf("GetVulnerability(%s): %v", want.ID, err)
			}
			sourceID := dataSources[want.Bucket].ID
			if got := vuln.VendorSeverity[sourceID]; got.String() != want.Severity {
				t.Errorf("VendorSeverity[%s] = %s, want %s", sourceID, got, want.Severity)
			}
			if vuln.Title != want.Title {
				t.Errorf("Title = %q, want %q", vuln.Title, want.Title)
			}
		})
	}
}

func TestDataSourcesAreStored(t *testing.T) {
	dir := writeFixture(t)
	bdb, err := bolt.Open(filepath.Join(dir, DBFileName), 0o644, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()

	tests := []struct {
		bucket string
		wantID types.SourceID
	}{
		{BucketDebian12, "debian"},
		{BucketDebian11, "debian"},
		{BucketGoGHSA, "ghsa"},
	}
	for _, tt := range tests {
		t.Run(tt.bucket, func(t *testing.T) {
			var raw []byte
			err := bdb.View(func(tx *bolt.Tx) error {
				if sources := tx.Bucket([]byte("data-source")); sources != nil {
					raw = bytes.Clone(sources.Get([]byte(tt.bucket)))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if raw == nil {
				t.Fatalf("data-source has no entry for %q", tt.bucket)
			}

			var got types.DataSource
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.wantID {
				t.Errorf("ID = %q, want %q", got.ID, tt.wantID)
			}
			if got.Name == "" || got.URL == "" {
				t.Errorf("Name or URL is empty: %+v", got)
			}
		})
	}
}

// The bucket constants must equal the names trivy-db derives, or Trivy
// would look the fixtures up under a different bucket.
func TestBucketNamesMatchTrivyDB(t *testing.T) {
	goBucket, err := bucket.NewGo(dataSources[BucketGoGHSA])
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		constant string
		want     string
	}{
		{BucketDebian12, bucket.NewDebian("12").Name()},
		{BucketDebian11, bucket.NewDebian("11").Name()},
		{BucketGoGHSA, goBucket.Name()},
	}
	for _, tt := range tests {
		if tt.constant != tt.want {
			t.Errorf("bucket constant %q, trivy-db name %q", tt.constant, tt.want)
		}
	}
}

func TestMetadataMarksDBCurrent(t *testing.T) {
	dir := writeFixture(t)
	meta, err := metadata.NewClient(dir).Get()
	if err != nil {
		t.Fatal(err)
	}

	if meta.Version != db.SchemaVersion {
		t.Errorf("Version = %d, want %d", meta.Version, db.SchemaVersion)
	}
	if !meta.NextUpdate.Equal(NextUpdate) {
		t.Errorf("NextUpdate = %s, want %s", meta.NextUpdate, NextUpdate)
	}
	if !meta.UpdatedAt.Equal(UpdatedAt) {
		t.Errorf("UpdatedAt = %s, want %s", meta.UpdatedAt, UpdatedAt)
	}
	// Trivy re-downloads a database whose DownloadedAt is zero unless
	// --skip-db-update is set.
	if meta.DownloadedAt.IsZero() {
		t.Error("DownloadedAt is zero")
	}
}

func TestTarballHoldsDBFilesAtRoot(t *testing.T) {
	dir := writeFixture(t)
	gz, err := gzip.NewReader(bytes.NewReader(tarballBytes(t, dir)))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)

	var names []string
	for {
		header, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, header.Name)

		got, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, header.Name))
		if err != nil {
			t.Fatalf("tar entry %q has no file in the database directory: %v", header.Name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("tar entry %q differs from the file", header.Name)
		}
	}

	if want := []string{DBFileName, MetadataFileName}; !slices.Equal(names, want) {
		t.Errorf("tar entries = %q, want %q", names, want)
	}
}

func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, adv := range Advisories() {
		t.Run(adv.ID, func(t *testing.T) {
			if seen[adv.ID] {
				t.Error("duplicate ID")
			}
			seen[adv.ID] = true

			if !strings.HasPrefix(adv.ID, "ATLASIA-FIXTURE-") {
				t.Error("ID lacks the ATLASIA-FIXTURE- prefix")
			}
			if !strings.HasPrefix(adv.Title, "Fixture: ") || !strings.Contains(adv.Title, "not a real vulnerability") {
				t.Errorf("title %q does not say it is a fixture", adv.Title)
			}
			// IDs below 0100 match and the rest are negative controls.
			if isControl := adv.ID >= "ATLASIA-FIXTURE-0100"; isControl == adv.ExpectMatch {
				t.Errorf("ExpectMatch = %t does not fit the ID range", adv.ExpectMatch)
			}
			if _, ok := dataSources[adv.Bucket]; !ok {
				t.Errorf("bucket %q has no data source", adv.Bucket)
			}
			if (adv.FixedVersion != "") != (adv.Status == StatusFixed) {
				t.Errorf("status %q does not fit fixed version %q", adv.Status, adv.FixedVersion)
			}
			if adv.Reason == "" {
				t.Error("Reason is empty")
			}
		})
	}
}

func TestAdvisoriesReturnsCopy(t *testing.T) {
	first := Advisories()
	first[0].ID = "changed"
	for i := range first {
		if len(first[i].VulnerableVersions) > 0 {
			first[i].VulnerableVersions[0] = "changed"
		}
	}

	for _, adv := range Advisories() {
		if adv.ID == "changed" || slices.Contains(adv.VulnerableVersions, "changed") {
			t.Fatalf("changing the returned slice changed the table: %+v", adv)
		}
	}
}

// TestExpectMatchAgainstInstalledVersions applies the version rules of
// Trivy v0.74.0 to the versions the table was written against. Its Debian
// detector reports an advisory that has no fixed version, or whose fixed
// version is above the installed source version. Its Go detector reports an
// advisory when the version satisfies VulnerableVersions and not
// PatchedVersions. A bookworm scan reads no OS bucket but "debian 12".
func TestExpectMatchAgainstInstalledVersions(t *testing.T) {
	for _, adv := range Advisories() {
		t.Run(adv.ID, func(t *testing.T) {
			var matched bool
			switch adv.Bucket {
			case BucketDebian12:
				matched = debianMatches(t, adv)
			case BucketDebian11:
				matched = false
			case BucketGoGHSA:
				matched = goMatches(t, adv)
			default:
				t.Fatalf("no rule for bucket %q", adv.Bucket)
			}
			if matched != adv.ExpectMatch {
				t.Errorf("matches = %t, ExpectMatch = %t", matched, adv.ExpectMatch)
			}
		})
	}
}

func debianMatches(t *testing.T, adv Advisory) bool {
	t.Helper()
	installed, ok := bookwormVersions[adv.Package]
	if !ok {
		return false
	}
	if adv.FixedVersion == "" {
		return true
	}

	installedVersion, err := debversion.NewVersion(installed)
	if err != nil {
		t.Fatal(err)
	}
	fixedVersion, err := debversion.NewVersion(adv.FixedVersion)
	if err != nil {
		t.Fatalf("invalid fixed version %q: %v", adv.FixedVersion, err)
	}
	return installedVersion.LessThan(fixedVersion)
}

func goMatches(t *testing.T, adv Advisory) bool {
	t.Helper()
	installed, ok := backendGoModules[adv.Package]
	if !ok {
		return false
	}
	v, err := goversion.Parse(installed)
	if err != nil {
		t.Fatal(err)
	}

	satisfies := func(constraints []string) bool {
		c, err := goversion.NewConstraints(strings.Join(constraints, " || "))
		if err != nil {
			t.Fatalf("invalid constraints %q: %v", constraints, err)
		}
		return c.Check(v)
	}
	if !satisfies(adv.VulnerableVersions) {
		return false
	}
	return adv.FixedVersion == "" || !satisfies([]string{adv.FixedVersion})
}
