module github.com/atlasia-ai/supplychain/images/ai-orchestrator

go 1.26.8

// pgx is pinned to exactly v5.9.2. The Trivy fixture database in
// infra/airgap/trivyfixture has two advisories written against this version:
// a range that covers it, which scans must report, and a range that ends just
// below it, which scans must not report. Trivy reads the version from the
// binary's Go build info, so another version changes what a scan of this
// image reports.
require github.com/jackc/pgx/v5 v5.9.2

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.2 // indirect
	golang.org/x/sync v0.17.0 // indirect
	golang.org/x/text v0.29.0 // indirect
)
