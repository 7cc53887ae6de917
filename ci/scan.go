package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"dagger/atlasia/internal/dagger"

	"github.com/atlasia-ai/supplychain/pipelines/compose"
	"github.com/atlasia-ai/supplychain/pipelines/findings"
	"github.com/atlasia-ai/supplychain/pipelines/gate"
	"github.com/atlasia-ai/supplychain/pipelines/platform"
	"github.com/atlasia-ai/supplychain/pipelines/report"
	"github.com/atlasia-ai/supplychain/pipelines/sarif"
	"github.com/atlasia-ai/supplychain/pipelines/suppress"
)

const (
	trivyCacheDir   = "/root/.cache/trivy"
	trivyWorkDir    = "/work"
	composeFile     = "infra/docker-compose.ai.yml"
	defaultConfig   = "infra/trivy-config.yaml"
	composeTarget   = "compose"
	sourceTarget    = "source"
	imageTargetKind = "image"
)

// Scan scans the platform and prints the Markdown summary.
//
// It runs Trivy and the project's compose checks. Targets: each image
// (vulnerabilities and secrets, from its tarball), the source tree
// (misconfigurations and secrets), and infra/docker-compose.ai.yml. It
// fails when the gate blocks, with each blocking finding in the error.
// scan-reports runs the same scan and returns the reports whether the gate
// blocks or not.
//
// The result is cached per session only, because the verdict depends on
// the date (suppressions expire) and on the DB, not only on the arguments;
// the Trivy runs underneath stay cached while the DB is unchanged.
// +cache="session"
func (m *Atlasia) Scan(
	ctx context.Context,
	// Directory of image tarballs to scan instead of building the platform;
	// each *.tar file is the target image/<file name without .tar>.
	// +optional
	tarballs *dagger.Directory,
	// Scan the hardened images. Set to false to scan the images as their
	// Dockerfiles build them.
	// +default=true
	harden bool,
	// Trivy and gate configuration (default: infra/trivy-config.yaml of the checkout).
	// +optional
	config *dagger.File,
	// Suppressions file (default: the file the configuration names,
	// infra/trivy-suppressions.yaml of the checkout).
	// +optional
	suppressions *dagger.File,
	// Severities that block, comma-separated, e.g. HIGH,CRITICAL (default: the configuration's, CRITICAL).
	// +optional
	blockOn string,
	// Severities to report, comma-separated (default: the configuration's, HIGH,CRITICAL).
	// +optional
	severity string,
	// OCI repository of the Trivy vulnerability DB (default: Trivy's).
	// +optional
	dbRepository string,
	// OCI repository of the Trivy checks bundle (default: Trivy's).
	// +optional
	checksBundleRepository string,
	// Allow plain-HTTP and self-signed registries for the DB and checks bundle.
	// +optional
	insecure bool,
	// Use the DB and checks already in the cache volume; download nothing.
	// +optional
	offline bool,
	// Scan the targets one after another instead of concurrently.
	// +optional
	serial bool,
	// Targets to scan, comma-separated, e.g. image/ai-orchestrator,compose
	// (default: every image, source and compose).
	// +optional
	targets string,
) (string, error) {
	result, err := m.scan(ctx, scanOptions{
		Tarballs: tarballs, Harden: harden, Config: config, Suppressions: suppressions,
		BlockOn: blockOn, Severity: severity, DBRepository: dbRepository,
		ChecksBundleRepository: checksBundleRepository, Insecure: insecure, Offline: offline, Serial: serial,
		Targets: targets,
	})
	if err != nil {
		return "", err
	}
	if err := result.verdict.Err(); err != nil {
		return "", fmt.Errorf("%w\n\n%s", err, result.summary)
	}
	return result.summary, nil
}

// ScanReports returns the scan's reports, also when the gate blocks.
//
// It runs the scan of `scan` and returns a JSON report per target
// (image-ai-orchestrator.json, image-frontend.json, source.json,
// compose.json), scan.sarif (one run per target, each with its own
// category), table.txt, summary.md and verdict.json. Export them with
// `export --path reports`.
// +cache="session"
func (m *Atlasia) ScanReports(
	ctx context.Context,
	// Directory of image tarballs to scan instead of building the platform.
	// +optional
	tarballs *dagger.Directory,
	// Scan the hardened images.
	// +default=true
	harden bool,
	// Trivy and gate configuration (default: infra/trivy-config.yaml of the checkout).
	// +optional
	config *dagger.File,
	// Suppressions file (default: the file the configuration names).
	// +optional
	suppressions *dagger.File,
	// Severities that block, comma-separated.
	// +optional
	blockOn string,
	// Severities to report, comma-separated.
	// +optional
	severity string,
	// OCI repository of the Trivy vulnerability DB.
	// +optional
	dbRepository string,
	// OCI repository of the Trivy checks bundle.
	// +optional
	checksBundleRepository string,
	// Allow plain-HTTP and self-signed registries for the DB and checks bundle.
	// +optional
	insecure bool,
	// Use the DB and checks already in the cache volume.
	// +optional
	offline bool,
	// Scan the targets one after another.
	// +optional
	serial bool,
	// Targets to scan, comma-separated (default: every target).
	// +optional
	targets string,
) (*dagger.Directory, error) {
	result, err := m.scan(ctx, scanOptions{
		Tarballs: tarballs, Harden: harden, Config: config, Suppressions: suppressions,
		BlockOn: blockOn, Severity: severity, DBRepository: dbRepository,
		ChecksBundleRepository: checksBundleRepository, Insecure: insecure, Offline: offline, Serial: serial,
		Targets: targets,
	})
	if err != nil {
		return nil, err
	}
	return result.reports, nil
}

// scanOptions are the arguments that Scan and ScanReports share.
type scanOptions struct {
	Tarballs               *dagger.Directory
	Harden                 bool
	Config                 *dagger.File
	Suppressions           *dagger.File
	BlockOn                string
	Severity               string
	DBRepository           string
	ChecksBundleRepository string
	Insecure               bool
	Offline                bool
	Serial                 bool
	Targets                string
}

// scanResult is the gate verdict, the Markdown summary and the reports of
// one scan.
type scanResult struct {
	verdict gate.Verdict
	summary string
	reports *dagger.Directory
}

// targetScan is the output of one target's scan.
type targetScan struct {
	scan findings.Scan
	// report is the target's JSON report: Trivy's, or the compose findings.
	report *dagger.File
	sarif  sarif.TargetLog
}

func (m *Atlasia) scan(ctx context.Context, o scanOptions) (*scanResult, error) {
	policy, err := m.scanPolicy(ctx, o)
	if err != nil {
		return nil, err
	}
	entries, err := m.suppressions(ctx, o, policy)
	if err != nil {
		return nil, err
	}

	// The targets are known before anything is built, so an invalid
	// --targets fails at once, and a scan without image targets builds
	// nothing.
	var tarballNames []string
	if o.Tarballs != nil {
		if tarballNames, err = o.Tarballs.Glob(ctx, "*.tar"); err != nil {
			return nil, err
		}
		if len(tarballNames) == 0 {
			return nil, errors.New("no *.tar image tarballs to scan in the given directory; export images with `docker save -o NAME.tar IMAGE` or `dagger call build export --path DIR`")
		}
	} else {
		for _, img := range platform.Images() {
			tarballNames = append(tarballNames, img.Name+".tar")
		}
	}
	imageTargets := map[string]string{}
	var order []string
	for _, name := range tarballNames {
		target := imageTargetKind + "/" + strings.TrimSuffix(path.Base(name), ".tar")
		imageTargets[target] = name
		order = append(order, target)
	}
	order = append(order, sourceTarget, composeTarget)
	selected, err := selectTargets(order, o.Targets)
	if err != nil {
		return nil, err
	}
	needTrivy, needImages := false, false
	for _, name := range selected {
		if _, ok := imageTargets[name]; ok {
			needImages = true
		}
		needTrivy = needTrivy || name != composeTarget
	}

	tarballs := o.Tarballs
	if needImages && tarballs == nil {
		if tarballs, err = m.Build(ctx, o.Harden); err != nil {
			return nil, err
		}
	}
	var trivy *dagger.Container
	var db *findings.DB
	if needTrivy {
		if trivy, db, err = m.trivy(ctx, o); err != nil {
			return nil, err
		}
	}

	// One job per target; each writes its slot of scans.
	jobs := make([]func(context.Context) (targetScan, error), len(selected))
	for i, name := range selected {
		switch name {
		case sourceTarget:
			jobs[i] = func(ctx context.Context) (targetScan, error) {
				// Test fixtures (deliberately bad Dockerfiles, fake keys) live in
				// testdata directories and are not part of what ships.
				return scanTrivy(ctx, trivy.WithMountedDirectory("/src", m.Source), findings.Target{Name: sourceTarget, Kind: "filesystem"},
					"fs", policy.TrivyArgsWithScanners([]string{"misconfig", "secret"}), "--skip-dirs", "**/testdata", "/src")
			}
		case composeTarget:
			jobs[i] = m.scanCompose
		default:
			file := imageTargets[name]
			target := findings.Target{Name: name, Kind: imageTargetKind, Image: path.Base(file)}
			tarball := tarballs.File(file)
			jobs[i] = func(ctx context.Context) (targetScan, error) {
				return scanTrivy(ctx, trivy.WithMountedFile(trivyWorkDir+"/image.tar", tarball), target,
					"image", policy.TrivyArgs(), "--input", trivyWorkDir+"/image.tar")
			}
		}
	}

	scans := make([]targetScan, len(jobs))
	group, groupCtx := errgroup.WithContext(ctx)
	if o.Serial {
		group.SetLimit(1)
	}
	for i, job := range jobs {
		group.Go(func() error {
			result, err := job(groupCtx)
			scans[i] = result
			return err
		})
	}
	if err := group.Wait(); err != nil {
		return nil, err
	}

	return render(policy, entries, scans, db)
}

// render evaluates the gate and writes the reports. The files made here
// are written to the module's working directory and loaded from there,
// because contents passed to Directory.WithNewFile appear in full in the
// engine's progress output, and Trivy's JSON reports carry the scanned
// images' configuration, environment variables included.
func render(policy gate.Policy, entries []suppress.Entry, scans []targetScan, db *findings.DB) (*scanResult, error) {
	all := make([]findings.Scan, len(scans))
	logs := make([]sarif.TargetLog, len(scans))
	reports := dag.Directory()
	for i, s := range scans {
		all[i] = s.scan
		logs[i] = s.sarif
		reports = reports.WithFile(reportName(s.scan.Target.Name), s.report, readable)
	}
	verdict := gate.Evaluate(policy, all, entries, time.Now().UTC())
	summary := report.FromVerdict(verdict)
	summary.DB = db

	merged, err := sarif.Merge(logs...)
	if err != nil {
		return nil, err
	}
	sarifData, err := sarif.Encode(merged)
	if err != nil {
		return nil, err
	}
	verdictData, err := json.MarshalIndent(verdict, "", "  ")
	if err != nil {
		return nil, err
	}
	markdown := report.Markdown(summary)
	generated := map[string][]byte{
		"scan.sarif":   sarifData,
		"table.txt":    []byte(report.Table(summary)),
		"summary.md":   []byte(markdown),
		"verdict.json": append(verdictData, '\n'),
	}
	for name, data := range generated {
		file, err := workdirFile("reports/"+name, data)
		if err != nil {
			return nil, err
		}
		reports = reports.WithFile(name, file, readable)
	}
	return &scanResult{verdict: verdict, summary: markdown, reports: reports}, nil
}

// reportName returns the file name of a target's JSON report, such as
// image-ai-orchestrator.json.
func reportName(target string) string {
	return strings.ReplaceAll(target, "/", "-") + ".json"
}

// workdirFile writes data to name in the module's working directory and
// returns it as a Dagger file.
func workdirFile(name string, data []byte) (*dagger.File, error) {
	if err := os.MkdirAll(path.Dir(name), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return nil, err
	}
	return dag.CurrentModule().WorkdirFile(name), nil
}

// scanPolicy reads the configuration and applies the per-call overrides.
func (m *Atlasia) scanPolicy(ctx context.Context, o scanOptions) (gate.Policy, error) {
	file, source := o.Config, "--config"
	if file != nil {
		if name, err := file.Name(ctx); err == nil {
			source = name
		}
	}
	if file == nil {
		file, source = m.Source.File(defaultConfig), defaultConfig
	}
	data, err := file.Contents(ctx)
	if err != nil {
		return gate.Policy{}, fmt.Errorf("read the scan configuration %s: %w", source, err)
	}
	policy, err := gate.ParsePolicy([]byte(data), source)
	if err != nil {
		return gate.Policy{}, err
	}
	if o.Severity != "" {
		if policy, err = policy.WithReport(o.Severity); err != nil {
			return gate.Policy{}, fmt.Errorf("--severity: %w", err)
		}
	}
	if o.BlockOn != "" {
		if policy, err = policy.WithBlockOn(o.BlockOn); err != nil {
			return gate.Policy{}, fmt.Errorf("--block-on: %w", err)
		}
	}
	return policy, nil
}

// suppressions reads the suppressions file of the call or of the policy.
func (m *Atlasia) suppressions(ctx context.Context, o scanOptions, policy gate.Policy) ([]suppress.Entry, error) {
	file, source := o.Suppressions, "--suppressions"
	if file != nil {
		if name, err := file.Name(ctx); err == nil {
			source = name
		}
	}
	if file == nil {
		if policy.SuppressionsFile == "" {
			return nil, nil
		}
		file, source = m.Source.File(policy.SuppressionsFile), policy.SuppressionsFile
	}
	data, err := file.Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the suppressions file %s: %w", source, err)
	}
	return suppress.Parse([]byte(data), source)
}

// trivy returns the Trivy container that every Trivy target runs in, with
// the vulnerability DB ready in its cache volume. Unless the scan is
// offline, a first step downloads the DB, which Trivy skips when the cached
// DB is current. The DB's metadata becomes part of every scan's inputs, so a
// new DB reruns the scans while an unchanged one reuses the engine's cache.
// It also returns the DB's description for the reports.
func (m *Atlasia) trivy(ctx context.Context, o scanOptions) (*dagger.Container, *findings.DB, error) {
	// One cache volume per DB and checks repository, so that a scan never
	// uses a DB that another repository put in the cache.
	sources := sha256.Sum256([]byte(o.DBRepository + "\n" + o.ChecksBundleRepository))
	ctr := dag.Container().
		From(m.TrivyImage).
		WithMountedCache(trivyCacheDir, dag.CacheVolume("atlasia-trivy-"+hex.EncodeToString(sources[:6]))).
		// An empty working directory: Trivy reads .trivyignore and
		// trivy.yaml from it without saying so.
		WithWorkdir(trivyWorkDir).
		WithEnvVariable("TRIVY_CACHE_DIR", trivyCacheDir).
		WithEnvVariable("TRIVY_SKIP_VERSION_CHECK", "true").
		WithEnvVariable("TRIVY_DISABLE_TELEMETRY", "true").
		WithEnvVariable("TRIVY_NO_PROGRESS", "true").
		// Fewer garbage collections: the source scan measured here used
		// 0.5 s less CPU and 120 MB more memory (450 MB in all).
		WithEnvVariable("GOGC", "400")
	if o.DBRepository != "" {
		ctr = ctr.WithEnvVariable("TRIVY_DB_REPOSITORY", o.DBRepository)
	}
	if o.ChecksBundleRepository != "" {
		ctr = ctr.WithEnvVariable("TRIVY_CHECKS_BUNDLE_REPOSITORY", o.ChecksBundleRepository)
	}
	if o.Insecure {
		ctr = ctr.WithEnvVariable("TRIVY_INSECURE", "true")
	}
	if o.Offline {
		ctr = ctr.WithEnvVariable("TRIVY_SKIP_CHECK_UPDATE", "true")
	}

	// One exec checks the DB and prints its metadata, which only an exec can
	// read from the cache volume. The hour in its environment makes the
	// engine rerun it once an hour. Trivy's DB is built every six hours
	// (trivy.dev, "Database").
	script := "cat " + trivyCacheDir + "/db/metadata.json"
	if !o.Offline {
		script = "trivy image --download-db-only && " + script
	}
	metadata, err := ctr.
		WithEnvVariable("ATLASIA_DB_CHECK_HOUR", time.Now().UTC().Truncate(time.Hour).Format(time.RFC3339)).
		WithExec([]string{"sh", "-c", script}).
		Stdout(ctx)
	repository := orDefault(o.DBRepository, "Trivy's default repository")
	var execErr *dagger.ExecError
	switch {
	case err == nil:
	case !errors.As(err, &execErr):
		// The exec did not start, so the Trivy image is the likely cause.
		return nil, nil, fmt.Errorf("failed to start the Trivy image %s: check --trivy-image, a module argument: %v", m.TrivyImage, err)
	case o.Offline:
		return nil, nil, fmt.Errorf("no Trivy DB from %s in the cache volume: run the scan once without --offline, with the same --db-repository and --checks-bundle-repository:\n%s", repository, strings.TrimSpace(execErr.Stderr))
	default:
		hint := "check --db-repository"
		if !o.Insecure {
			hint += ", and pass --insecure for a plain-HTTP registry"
		}
		return nil, nil, fmt.Errorf("failed to download the Trivy DB from %s: %s:\n%s", repository, hint, strings.TrimSpace(execErr.Stderr))
	}
	db, err := findings.ParseDBMetadata([]byte(metadata), o.DBRepository)
	if err != nil {
		return nil, nil, fmt.Errorf("read the Trivy DB from %s: %w", repository, err)
	}
	return ctr.
		WithEnvVariable("ATLASIA_TRIVY_DB", strings.TrimSpace(metadata)).
		WithEnvVariable("TRIVY_SKIP_DB_UPDATE", "true").
		// Concurrent scans would contend for the lock of the file-system
		// cache of scanned layers; the DB itself is read only.
		WithEnvVariable("TRIVY_CACHE_BACKEND", "memory"), &db, nil
}

// scanTrivy runs `trivy SUBCOMMAND` with the policy's flags and the target's
// arguments, and returns its findings, its JSON report and its SARIF log
// (converted from the JSON, without a second scan).
func scanTrivy(ctx context.Context, ctr *dagger.Container, target findings.Target, subcommand string, policyArgs []string, args ...string) (targetScan, error) {
	const jsonReport, sarifReport = trivyWorkDir + "/report.json", trivyWorkDir + "/report.sarif"
	command := []string{"trivy", subcommand, "--format", "json", "--output", jsonReport}
	command = append(command, policyArgs...)
	command = append(command, args...)

	// One exec for the scan and the conversion, because each exec starts a
	// container.
	script := `"$@" && trivy convert --format sarif --output ` + sarifReport + " " + jsonReport
	scanned := ctr.WithExec(append([]string{"sh", "-c", script, "sh"}, command...))
	reportFile := scanned.File(jsonReport)
	data, err := reportFile.Contents(ctx)
	if err != nil {
		return targetScan{}, fmt.Errorf("trivy %s of %s: %w", subcommand, target.Name, err)
	}
	sarifData, err := scanned.File(sarifReport).Contents(ctx)
	if err != nil {
		return targetScan{}, fmt.Errorf("convert the Trivy report of %s to SARIF: %w", target.Name, err)
	}
	scan, err := findings.ParseTrivyReport([]byte(data), target)
	if err != nil {
		return targetScan{}, err
	}
	return targetScan{
		scan:   scan,
		report: reportFile,
		sarif:  sarif.TargetLog{Category: sarif.Category(target.Name), Log: []byte(sarifData)},
	}, nil
}

// scanCompose runs the project's compose checks on the checkout's compose
// file.
func (m *Atlasia) scanCompose(ctx context.Context) (targetScan, error) {
	data, err := m.Source.File(composeFile).Contents(ctx)
	if err != nil {
		return targetScan{}, fmt.Errorf("read %s: %w", composeFile, err)
	}
	found, err := compose.Check([]byte(data), composeFile, compose.WithTarget(composeTarget))
	if err != nil {
		return targetScan{}, err
	}
	run, err := sarif.FromFindings(sarif.Category(composeTarget), sarif.Tool{
		Name:           "atlasia-compose-checks",
		Version:        m.Version,
		InformationURI: "https://github.com/atlasia-ai/supplychain/blob/main/pipelines/compose/README.md",
	}, found)
	if err != nil {
		return targetScan{}, err
	}
	encoded, err := json.MarshalIndent(found, "", "  ")
	if err != nil {
		return targetScan{}, err
	}
	reportFile, err := workdirFile("reports/"+reportName(composeTarget), append(encoded, '\n'))
	if err != nil {
		return targetScan{}, err
	}
	return targetScan{
		scan:   findings.Scan{Target: findings.Target{Name: composeTarget, Kind: "compose"}, Findings: found},
		report: reportFile,
		sarif:  sarif.TargetLog{Category: sarif.Category(composeTarget), Runs: []*sarif.Run{run}},
	}, nil
}

// selectTargets returns the targets named in the comma-separated list, in
// the order of available, or every available target when the list is
// empty. It fails on a name that is not available.
func selectTargets(available []string, list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return available, nil
	}
	requested := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(available, name) {
			return nil, fmt.Errorf("invalid --targets entry %q: the targets of this scan are %s", name, strings.Join(available, ", "))
		}
		requested[name] = true
	}
	var selected []string
	for _, name := range available {
		if requested[name] {
			selected = append(selected, name)
		}
	}
	return selected, nil
}
