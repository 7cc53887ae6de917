// Package trivyfixture writes a small, deterministic Trivy vulnerability
// database (trivy-db schema 2) whose advisories are fixtures. They hit
// packages that really are in the platform's Debian bookworm images, so that
// scans and severity gates can be tested without the real database, which an
// air-gapped machine cannot download.
//
// Every fixture ID starts with "ATLASIA-FIXTURE-" and every title states
// that the advisory is a fixture, so no report can pass one off as a real
// vulnerability. Advisories exports the table so that tests of the scan
// pipeline can assert on which IDs a scan must and must not find.
package trivyfixture

// Buckets of the database that the fixtures use. Trivy v0.74.0 looks up
// Debian packages in "debian <major>" by source package name, and Go modules
// in every bucket whose name starts with "go::", by module path.
const (
	BucketDebian12 = "debian 12"
	BucketDebian11 = "debian 11"
	BucketGoGHSA   = "go::GitHub Security Advisory Go"
)

// Statuses as Trivy reports them in the Status field of its JSON output.
const (
	StatusAffected   = "affected"
	StatusFixed      = "fixed"
	StatusWillNotFix = "will_not_fix"
)

// IDs of the fixture advisories. IDs below 0100 are expected to match, and
// IDs from 0101 on are negative controls that must never match.
const (
	IDAptUnfixedCritical      = "ATLASIA-FIXTURE-0001"
	IDZlibFixedHigh           = "ATLASIA-FIXTURE-0002"
	IDGlibcWillNotFixMedium   = "ATLASIA-FIXTURE-0003"
	IDUtilLinuxWillNotFixLow  = "ATLASIA-FIXTURE-0004"
	IDPgxHigh                 = "ATLASIA-FIXTURE-0005"
	IDAbsentPackage           = "ATLASIA-FIXTURE-0101"
	IDZlibFixedBeforeBookworm = "ATLASIA-FIXTURE-0102"
	IDPgxFixedAt592           = "ATLASIA-FIXTURE-0103"
	IDAptDebian11             = "ATLASIA-FIXTURE-0104"
)

// Advisory is one row of the fixture table.
type Advisory struct {
	ID string
	// Bucket is the top-level database bucket, one of the Bucket constants.
	Bucket string
	// Package is the Debian source package name (glibc, not libc6) or the
	// Go module path.
	Package string
	// Severity is the severity name Trivy reports: LOW, MEDIUM, HIGH or
	// CRITICAL.
	Severity string
	// Status is the status Trivy reports, one of the Status constants.
	Status string
	// FixedVersion is the Debian version that fixes an OS advisory, or the
	// first patched version of a Go advisory. Empty means unfixed.
	FixedVersion string
	// VulnerableVersions are the version constraints of a Go advisory in
	// the format trivy-db stores for GitHub advisories, e.g. ">=1.0.0, <1.2.3".
	VulnerableVersions []string
	// ExpectMatch is true when a scan of an image that contains Package must
	// report the advisory, and false for negative controls.
	ExpectMatch bool
	Title       string
	// Reason explains why the advisory matches or why it must not.
	Reason string
}

// advisories is the fixture table. The versions it was written against are
// those of Debian 12.15 (apt 2.6.1, zlib 1:1.2.13.dfsg-1, glibc
// 2.36-9+deb12u14, util-linux 2.38.1-5+deb12u3) and pgx v5.9.2 in the
// backend binary.
// The negative controls are CRITICAL so that a wrong match fails any gate.
var advisories = []Advisory{
	{
		ID:          IDAptUnfixedCritical,
		Bucket:      BucketDebian12,
		Package:     "apt",
		Severity:    "CRITICAL",
		Status:      StatusAffected,
		ExpectMatch: true,
		Title:       "Fixture: unfixed critical advisory in apt (not a real vulnerability)",
		Reason:      "every bookworm apt is affected; hardened images remove apt, so only unhardened images fail a CRITICAL gate",
	},
	{
		ID:           IDZlibFixedHigh,
		Bucket:       BucketDebian12,
		Package:      "zlib",
		Severity:     "HIGH",
		Status:       StatusFixed,
		FixedVersion: "1:99.0.0-1",
		ExpectMatch:  true,
		Title:        "Fixture: high advisory in zlib fixed in 1:99.0.0-1 (not a real vulnerability)",
		Reason:       "the fixed version is far above any bookworm zlib, so point releases keep it matching; every image keeps zlib1g",
	},
	{
		ID:          IDGlibcWillNotFixMedium,
		Bucket:      BucketDebian12,
		Package:     "glibc",
		Severity:    "MEDIUM",
		Status:      StatusWillNotFix,
		ExpectMatch: true,
		Title:       "Fixture: medium advisory in glibc that Debian will not fix (not a real vulnerability)",
		Reason:      "will_not_fix advisories have no fixed version, so every glibc matches",
	},
	{
		ID:          IDUtilLinuxWillNotFixLow,
		Bucket:      BucketDebian12,
		Package:     "util-linux",
		Severity:    "LOW",
		Status:      StatusWillNotFix,
		ExpectMatch: true,
		Title:       "Fixture: low advisory in util-linux that Debian will not fix (not a real vulnerability)",
		Reason:      "will_not_fix advisories have no fixed version, so every util-linux matches",
	},
	{
		ID:                 IDPgxHigh,
		Bucket:             BucketGoGHSA,
		Package:            "github.com/jackc/pgx/v5",
		Severity:           "HIGH",
		Status:             StatusFixed,
		FixedVersion:       "5.999.0",
		VulnerableVersions: []string{">=5.0.0, <5.999.0"},
		ExpectMatch:        true,
		Title:              "Fixture: high advisory in github.com/jackc/pgx/v5 (not a real vulnerability)",
		Reason:             "the range covers v5.9.2, the version in the backend binary's build info",
	},
	{
		ID:          IDAbsentPackage,
		Bucket:      BucketDebian12,
		Package:     "xorg-server",
		Severity:    "CRITICAL",
		Status:      StatusAffected,
		ExpectMatch: false,
		Title:       "Fixture: negative control in xorg-server, a package absent from the images (not a real vulnerability)",
		Reason:      "no platform image installs a binary package built from xorg-server",
	},
	{
		ID:           IDZlibFixedBeforeBookworm,
		Bucket:       BucketDebian12,
		Package:      "zlib",
		Severity:     "CRITICAL",
		Status:       StatusFixed,
		FixedVersion: "1:1.2.11.dfsg-1",
		ExpectMatch:  false,
		Title:        "Fixture: negative control in zlib fixed in 1:1.2.11.dfsg-1 (not a real vulnerability)",
		Reason:       "the fixed version is older than bookworm's 1:1.2.13.dfsg-1",
	},
	{
		ID:                 IDPgxFixedAt592,
		Bucket:             BucketGoGHSA,
		Package:            "github.com/jackc/pgx/v5",
		Severity:           "CRITICAL",
		Status:             StatusFixed,
		FixedVersion:       "5.9.2",
		VulnerableVersions: []string{"<5.9.2"},
		ExpectMatch:        false,
		Title:              "Fixture: negative control in github.com/jackc/pgx/v5 fixed in 5.9.2 (not a real vulnerability)",
		Reason:             "the range ends just before v5.9.2, so it also checks that the upper bound is exclusive",
	},
	{
		ID:          IDAptDebian11,
		Bucket:      BucketDebian11,
		Package:     "apt",
		Severity:    "CRITICAL",
		Status:      StatusAffected,
		ExpectMatch: false,
		Title:       "Fixture: negative control in apt of Debian 11 (not a real vulnerability)",
		Reason:      "the images are Debian 12, so Trivy never reads the debian 11 bucket",
	},
}

// Advisories returns a copy of the fixture table in ID order.
func Advisories() []Advisory {
	out := make([]Advisory, len(advisories))
	for i, a := range advisories {
		a.VulnerableVersions = append([]string(nil), a.VulnerableVersions...)
		out[i] = a
	}
	return out
}
