package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dagger/atlasia/internal/dagger"

	"github.com/atlasia-ai/supplychain/pipelines/audit"
	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// Audit checks the hardening of the images and prints the report.
//
// It checks the platform's built images, or the given image tarballs,
// against CIS Docker Benchmark section 4 and Dockle checks.
// The checks: a non-root user, no package manager, no apt caches, no setuid
// or setgid files, no world-writable paths, a HEALTHCHECK, no secrets in ENV
// or labels, and a package database consistent with the files. It returns
// the report, and fails with the report when any check fails.
func (m *Atlasia) Audit(
	ctx context.Context,
	// Directory of image tarballs (`docker save` or OCI layout) to audit
	// instead of the platform's hardened images. Each *.tar file is one
	// image, named after the file.
	// +optional
	tarballs *dagger.Directory,
	// Report format: text or json.
	// +default="text"
	format string,
) (string, error) {
	if format != "text" && format != "json" {
		return "", fmt.Errorf("invalid format %q: use text or json", format)
	}
	reports, err := m.audit(ctx, tarballs)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if format == "json" {
		err = audit.WriteJSON(&out, reports...)
	} else {
		err = audit.WriteText(&out, reports...)
	}
	if err != nil {
		return "", err
	}
	for _, report := range reports {
		if report.Err() != nil {
			return "", fmt.Errorf("audit failed:\n%s", out.String())
		}
	}
	return out.String(), nil
}

// AuditReport returns the audit's reports, also when checks fail.
//
// It runs the same checks as Audit and returns a directory with audit.txt
// and audit.json, so that the reports can be exported either way.
func (m *Atlasia) AuditReport(
	ctx context.Context,
	// Directory of image tarballs to audit instead of the platform's
	// hardened images.
	// +optional
	tarballs *dagger.Directory,
) (*dagger.Directory, error) {
	reports, err := m.audit(ctx, tarballs)
	if err != nil {
		return nil, err
	}
	var text, raw bytes.Buffer
	if err := audit.WriteText(&text, reports...); err != nil {
		return nil, err
	}
	if err := audit.WriteJSON(&raw, reports...); err != nil {
		return nil, err
	}
	return dag.Directory().
		WithNewFile("audit.txt", text.String()).
		WithNewFile("audit.json", raw.String()), nil
}

// audit exports each image tarball into the module's container and runs the
// checks of pipelines/audit on it.
func (m *Atlasia) audit(ctx context.Context, tarballs *dagger.Directory) ([]audit.Report, error) {
	if tarballs == nil {
		built, err := m.Build(ctx, true)
		if err != nil {
			return nil, err
		}
		tarballs = built
	}
	names, err := tarballs.Glob(ctx, "*.tar")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		entries, _ := tarballs.Entries(ctx)
		return nil, fmt.Errorf("no *.tar image tarballs to audit in the given directory (it has %v); export images with `docker save -o NAME.tar IMAGE`", entries)
	}

	work, err := os.MkdirTemp("", "audit")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var reports []audit.Report
	for _, name := range names {
		path := filepath.Join(work, filepath.Base(name))
		if _, err := tarballs.File(name).Export(ctx, path); err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		img, err := imagefs.ReadTarball(path, imagefs.WithContents(audit.KeepContents))
		if err != nil {
			return nil, fmt.Errorf("read image tarball %s: %w", name, err)
		}
		reports = append(reports, audit.Run(strings.TrimSuffix(filepath.Base(name), ".tar"), img))
		os.Remove(path)
	}
	return reports, nil
}
