package suppress

import (
	"reflect"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// Findings with the values of a real Trivy v0.74 scan of the backend image
// and of a Dockerfile (pipelines/findings/testdata).
var (
	zlib = findings.Finding{
		Target: "image/ai-orchestrator", Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0002", Severity: findings.High,
		Package: "zlib1g", InstalledVersion: "1:1.2.13.dfsg-1", FixedVersion: "1:99.0.0-1", Status: "fixed",
		PURL: "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12.15&epoch=1",
	}
	apt = findings.Finding{
		Target: "image/ai-orchestrator", Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0001", Severity: findings.Critical,
		Package: "apt", InstalledVersion: "2.6.1", Status: "affected",
		PURL: "pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12.15",
	}
	libapt = findings.Finding{
		Target: "image/ai-orchestrator", Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0001", Severity: findings.Critical,
		Package: "libapt-pkg6.0", InstalledVersion: "2.6.1", Status: "affected",
		PURL: "pkg:deb/debian/libapt-pkg6.0@2.6.1?arch=amd64&distro=debian-12.15",
	}
	pgx = findings.Finding{
		Target: "image/ai-orchestrator", Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0005", Severity: findings.High,
		Package: "github.com/jackc/pgx/v5", InstalledVersion: "v5.9.2", FixedVersion: "5.999.0", Status: "fixed",
		PURL: "pkg:golang/github.com/jackc/pgx/v5@v5.9.2", Path: "usr/local/bin/ai-orchestrator",
	}
	secret = findings.Finding{
		Target: "image/secret-fixture", Class: findings.Secret, ID: "aws-access-key-id", Severity: findings.Critical,
		Title: "AWS Access Key ID", Path: "/etc/atlasia/settings.env", Line: 1,
	}
	rootUser = findings.Finding{
		Target: "source", Class: findings.Misconfiguration, ID: "DS-0002", Severity: findings.High,
		Title: "Image user should not be 'root'", Path: "Dockerfile",
	}
)

func TestEntryMatches(t *testing.T) {
	tests := []struct {
		name    string
		entry   Entry
		finding findings.Finding
		want    bool
	}{
		{name: "id only", entry: Entry{ID: "ATLASIA-FIXTURE-0002"}, finding: zlib, want: true},
		{name: "id in other case", entry: Entry{ID: "atlasia-fixture-0002"}, finding: zlib, want: true},
		{name: "other id", entry: Entry{ID: "ATLASIA-FIXTURE-0001"}, finding: zlib, want: false},
		{name: "target", entry: Entry{ID: "ATLASIA-FIXTURE-0002", Target: "image/ai-orchestrator"}, finding: zlib, want: true},
		{name: "other target", entry: Entry{ID: "ATLASIA-FIXTURE-0002", Target: "image/frontend"}, finding: zlib, want: false},
		{name: "package", entry: Entry{ID: "ATLASIA-FIXTURE-0001", Package: "apt"}, finding: apt, want: true},
		{name: "other package", entry: Entry{ID: "ATLASIA-FIXTURE-0001", Package: "apt"}, finding: libapt, want: false},
		{name: "purl without version", entry: Entry{ID: "ATLASIA-FIXTURE-0002", PURL: "pkg:deb/debian/zlib1g"}, finding: zlib, want: true},
		{name: "purl is no prefix", entry: Entry{ID: "ATLASIA-FIXTURE-0002", PURL: "pkg:deb/debian/zlib"}, finding: zlib, want: false},
		{name: "purl version", entry: Entry{ID: "ATLASIA-FIXTURE-0002", PURL: "pkg:deb/debian/zlib1g@1.2.13.dfsg-1"}, finding: zlib, want: true},
		{name: "purl other version", entry: Entry{ID: "ATLASIA-FIXTURE-0002", PURL: "pkg:deb/debian/zlib1g@1.2.13.dfsg-2"}, finding: zlib, want: false},
		{name: "purl qualifier", entry: Entry{ID: "ATLASIA-FIXTURE-0002", PURL: "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1"}, finding: zlib, want: true},
		{name: "purl other qualifier", entry: Entry{ID: "ATLASIA-FIXTURE-0002", PURL: "pkg:deb/debian/zlib1g?epoch=2"}, finding: zlib, want: false},
		{name: "purl escaped version", entry: Entry{ID: "ATLASIA-FIXTURE-0003", PURL: "pkg:deb/debian/libc6@2.36-9+deb12u14"}, finding: findings.Finding{ID: "ATLASIA-FIXTURE-0003", PURL: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64"}, want: true},
		{name: "purl go module", entry: Entry{ID: "ATLASIA-FIXTURE-0005", PURL: "pkg:golang/github.com/jackc/pgx/v5"}, finding: pgx, want: true},
		{name: "purl of finding without purl", entry: Entry{ID: "DS-0002", PURL: "pkg:deb/debian/apt"}, finding: rootUser, want: false},
		{name: "path of language package", entry: Entry{ID: "ATLASIA-FIXTURE-0005", Path: "/usr/local/bin/ai-orchestrator"}, finding: pgx, want: true},
		{name: "path of secret", entry: Entry{ID: "aws-access-key-id", Path: "etc/atlasia/settings.env"}, finding: secret, want: true},
		{name: "other path", entry: Entry{ID: "aws-access-key-id", Path: "/etc/atlasia/other.env"}, finding: secret, want: false},
		{name: "misconfiguration", entry: Entry{ID: "DS-0002", Target: "source", Path: "Dockerfile"}, finding: rootUser, want: true},
		{name: "all selectors", entry: Entry{ID: "ATLASIA-FIXTURE-0005", Target: "image/ai-orchestrator", Package: "github.com/jackc/pgx/v5", PURL: "pkg:golang/github.com/jackc/pgx/v5@v5.9.2", Path: "usr/local/bin/ai-orchestrator"}, finding: pgx, want: true},
		{name: "one selector differs", entry: Entry{ID: "ATLASIA-FIXTURE-0005", Target: "image/ai-orchestrator", Package: "github.com/jackc/pgx/v4", Path: "usr/local/bin/ai-orchestrator"}, finding: pgx, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.entry.Matches(tt.finding); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEntryActiveAt(t *testing.T) {
	entry := Entry{ID: "CVE-1", Expires: date("2026-01-31")}
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{name: "day before", now: time.Date(2026, 1, 30, 12, 0, 0, 0, time.UTC), want: true},
		{name: "expiry day start", now: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), want: true},
		{name: "expiry day end", now: time.Date(2026, 1, 31, 23, 59, 59, 999999999, time.UTC), want: true},
		{name: "day after", now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), want: false},
		// 01:00 on February 1 in UTC+2 is still January 31 in UTC.
		{name: "expiry day in UTC, next day locally", now: time.Date(2026, 2, 1, 1, 0, 0, 0, time.FixedZone("UTC+2", 2*3600)), want: true},
		// 23:00 on January 31 in UTC-2 is already February 1 in UTC.
		{name: "next day in UTC, expiry day locally", now: time.Date(2026, 1, 31, 23, 0, 0, 0, time.FixedZone("UTC-2", -2*3600)), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := entry.ActiveAt(tt.now); got != tt.want {
				t.Errorf("ActiveAt(%v) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	zlibEntry := Entry{ID: "ATLASIA-FIXTURE-0002", Package: "zlib1g", Owner: "platform-team", Justification: "j", Expires: date("2027-03-31"), Index: 0}
	aptExpired := Entry{ID: "ATLASIA-FIXTURE-0001", Package: "apt", Owner: "security", Justification: "j", Expires: date("2026-06-14"), Index: 1}
	aptToday := Entry{ID: "ATLASIA-FIXTURE-0001", Package: "apt", Owner: "security", Justification: "j", Expires: date("2026-06-15"), Index: 2}
	unusedEntry := Entry{ID: "CVE-2024-0001", Owner: "o", Justification: "j", Expires: date("2027-01-01"), Index: 3}
	expiredUnmatched := Entry{ID: "CVE-2020-0001", Owner: "o", Justification: "j", Expires: date("2025-01-01"), Index: 4}
	allApt := Entry{ID: "ATLASIA-FIXTURE-0001", Owner: "o", Justification: "j", Expires: date("2027-01-01"), Index: 5}

	tests := []struct {
		name    string
		found   []findings.Finding
		entries []Entry
		want    Result
	}{
		{
			name:  "no entries",
			found: []findings.Finding{apt, zlib},
			want: Result{
				Kept: []findings.Finding{apt, zlib}, Suppressed: []Match{}, ExpiredMatches: []Match{},
				Expired: []Entry{}, Unused: []Entry{},
			},
		},
		{
			name:    "active entry suppresses",
			found:   []findings.Finding{apt, zlib},
			entries: []Entry{zlibEntry},
			want: Result{
				Kept: []findings.Finding{apt}, Suppressed: []Match{{Finding: zlib, Entry: zlibEntry}}, ExpiredMatches: []Match{},
				Expired: []Entry{}, Unused: []Entry{},
			},
		},
		{
			name:    "expiry day still suppresses",
			found:   []findings.Finding{apt},
			entries: []Entry{aptToday},
			want: Result{
				Kept: []findings.Finding{}, Suppressed: []Match{{Finding: apt, Entry: aptToday}}, ExpiredMatches: []Match{},
				Expired: []Entry{}, Unused: []Entry{},
			},
		},
		{
			name:    "expired entry keeps finding",
			found:   []findings.Finding{apt, libapt},
			entries: []Entry{aptExpired},
			want: Result{
				Kept: []findings.Finding{apt, libapt}, Suppressed: []Match{}, ExpiredMatches: []Match{{Finding: apt, Entry: aptExpired}},
				Expired: []Entry{aptExpired}, Unused: []Entry{},
			},
		},
		{
			name:    "active entry wins over expired one",
			found:   []findings.Finding{apt},
			entries: []Entry{aptExpired, aptToday},
			want: Result{
				Kept: []findings.Finding{}, Suppressed: []Match{{Finding: apt, Entry: aptToday}}, ExpiredMatches: []Match{},
				Expired: []Entry{aptExpired}, Unused: []Entry{},
			},
		},
		{
			name:    "unused and expired unmatched",
			found:   []findings.Finding{zlib},
			entries: []Entry{zlibEntry, unusedEntry, expiredUnmatched},
			want: Result{
				Kept: []findings.Finding{}, Suppressed: []Match{{Finding: zlib, Entry: zlibEntry}}, ExpiredMatches: []Match{},
				Expired: []Entry{expiredUnmatched}, Unused: []Entry{unusedEntry},
			},
		},
		{
			// Both entries match apt: the first suppresses it, and the
			// second is used too, so it is not reported as unused.
			name:    "first matching entry suppresses",
			found:   []findings.Finding{apt, libapt},
			entries: []Entry{aptToday, allApt},
			want: Result{
				Kept: []findings.Finding{}, Suppressed: []Match{{Finding: apt, Entry: aptToday}, {Finding: libapt, Entry: allApt}},
				ExpiredMatches: []Match{}, Expired: []Entry{}, Unused: []Entry{},
			},
		},
		{
			name:    "no findings",
			entries: []Entry{zlibEntry, aptExpired},
			want: Result{
				Kept: []findings.Finding{}, Suppressed: []Match{}, ExpiredMatches: []Match{},
				Expired: []Entry{aptExpired}, Unused: []Entry{zlibEntry},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Apply(tt.found, tt.entries, now)
			if !reflect.DeepEqual(got.Kept, tt.want.Kept) {
				t.Errorf("Kept = %+v\nwant %+v", got.Kept, tt.want.Kept)
			}
			if !reflect.DeepEqual(got.Suppressed, tt.want.Suppressed) {
				t.Errorf("Suppressed = %+v\nwant %+v", got.Suppressed, tt.want.Suppressed)
			}
			if !reflect.DeepEqual(got.ExpiredMatches, tt.want.ExpiredMatches) {
				t.Errorf("ExpiredMatches = %+v\nwant %+v", got.ExpiredMatches, tt.want.ExpiredMatches)
			}
			if !reflect.DeepEqual(got.Expired, tt.want.Expired) {
				t.Errorf("Expired = %+v\nwant %+v", got.Expired, tt.want.Expired)
			}
			if !reflect.DeepEqual(got.Unused, tt.want.Unused) {
				t.Errorf("Unused = %+v\nwant %+v", got.Unused, tt.want.Unused)
			}
		})
	}
}

func TestResultExpiredFor(t *testing.T) {
	expired := Entry{ID: "ATLASIA-FIXTURE-0001", Package: "apt", Owner: "security", Justification: "j", Expires: date("2026-01-31")}
	result := Apply([]findings.Finding{apt, libapt}, []Entry{expired}, date("2026-02-01"))

	got, ok := result.ExpiredFor(apt)
	if !ok || !reflect.DeepEqual(got, expired) {
		t.Errorf("ExpiredFor(apt) = %+v, %v, want the expired entry", got, ok)
	}
	if _, ok := result.ExpiredFor(libapt); ok {
		t.Error("ExpiredFor(libapt) found an entry, want none")
	}
}
