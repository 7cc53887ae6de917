// Package audit checks that a container image is hardened. A hardened image
// runs as a non-root user, ships no package manager, caches or setuid files,
// stores no secrets and has a health check. Its package database matches its
// files, so that vulnerability scanners report what is really installed.
//
// The checks work on an imagefs.Image read with
// imagefs.WithContents(KeepContents), and need no container engine. They
// follow section 4 of the CIS Docker Benchmark v1.6 ("Container Images and
// Build File Configuration") and Dockle's checkpoints: a check that Dockle
// also has uses Dockle's ID (CIS-DI-…, DKL-DI-…), and a check of this project
// uses an ATL-DI-… ID. Checks lists them all.
package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// Status is the outcome of a check, or the verdict on an image.
type Status string

// The statuses.
const (
	Pass Status = "pass"
	Fail Status = "fail"
)

// Check is one hardening rule.
type Check struct {
	// ID is Dockle's ID for the rule, such as "CIS-DI-0001", or this
	// project's "ATL-DI-…" where Dockle has no such check.
	ID    string
	Title string
	// CIS is the section of the CIS Docker Benchmark v1.6 that the rule
	// implements, such as "4.1", or "" when none does.
	CIS string
	// Dockle is the ID of the Dockle checkpoint that the rule matches, or ""
	// when Dockle has none.
	Dockle string

	run func(t *target) (Status, []string)
}

// checks are in the order of the report: CIS sections first.
var checks = []Check{
	{ID: "CIS-DI-0001", Title: "Create a user for the container", CIS: "4.1", Dockle: "CIS-DI-0001", run: checkUser},
	{ID: "ATL-DI-0001", Title: "Do not ship a package manager", CIS: "4.3", run: checkPackageManagers},
	{ID: "ATL-DI-0002", Title: "Keep the package database consistent with the files", CIS: "4.4", run: checkPackageDatabase},
	{ID: "CIS-DI-0006", Title: "Add HEALTHCHECK instruction to the container image", CIS: "4.6", Dockle: "CIS-DI-0006", run: checkHealthcheck},
	{ID: "CIS-DI-0008", Title: "Confirm safety of setuid/setgid files", CIS: "4.8", Dockle: "CIS-DI-0008", run: checkSetuid},
	{ID: "CIS-DI-0010", Title: "Do not store credential in environment variables/files", CIS: "4.10", Dockle: "CIS-DI-0010", run: checkSecrets},
	{ID: "DKL-DI-0005", Title: "Clear apt-get caches", Dockle: "DKL-DI-0005", run: checkAptCaches},
	{ID: "ATL-DI-0003", Title: "Do not ship world-writable files or directories", run: checkWorldWritable},
}

// Checks returns every check in the order that Run reports them.
func Checks() []Check {
	return append([]Check(nil), checks...)
}

// Result is the outcome of one check on one image. Its JSON field names are
// stable: id, title, cis, dockle, status ("pass" or "fail") and evidence
// (a list of lines, never null).
type Result struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	CIS    string `json:"cis"`
	Dockle string `json:"dockle"`
	Status Status `json:"status"`
	// Evidence names the files, variables or settings that decided the
	// status. It never contains the value of a secret.
	Evidence []string `json:"evidence"`
}

// Report is the audit of one image. Its JSON field names are stable: image,
// image_id, verdict ("pass" when every check passed, else "fail") and results.
type Report struct {
	// Image is the name the caller gave, such as "atlasia/ai-orchestrator:dev".
	Image string `json:"image"`
	// ImageID is the sha256 digest of the image config, as Docker shows it.
	ImageID string   `json:"image_id"`
	Verdict Status   `json:"verdict"`
	Results []Result `json:"results"`
}

// Run runs every check on img and returns the report for the image named
// imageName. Read img with imagefs.WithContents(KeepContents): without the
// contents of /etc/passwd and the dpkg database, the checks that read them
// fail, and their evidence names the file that could not be read.
func Run(imageName string, img *imagefs.Image) Report {
	t := newTarget(img)
	report := Report{
		Image:   imageName,
		ImageID: img.ConfigDigest(),
		Verdict: Pass,
	}
	for _, c := range checks {
		status, evidence := c.run(t)
		if evidence == nil {
			evidence = []string{}
		}
		report.Results = append(report.Results, Result{
			ID:       c.ID,
			Title:    c.Title,
			CIS:      c.CIS,
			Dockle:   c.Dockle,
			Status:   status,
			Evidence: evidence,
		})
		if status != Pass {
			report.Verdict = Fail
		}
	}
	return report
}

// Failed returns the results of the checks that failed.
func (r Report) Failed() []Result {
	var failed []Result
	for _, res := range r.Results {
		if res.Status != Pass {
			failed = append(failed, res)
		}
	}
	return failed
}

// Result returns the result of the check with the given ID, and false when
// the report has none.
func (r Report) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.ID == id {
			return res, true
		}
	}
	return Result{}, false
}

// KeepContents reports whether the checks read the contents of the file at
// path: /etc/passwd, the dpkg database under /var/lib/dpkg and dpkg's
// configuration under /etc/dpkg. Pass it to imagefs.WithContents.
func KeepContents(path string) bool {
	switch path {
	case passwdPath, dpkgStatusPath, dpkgDiversionsPath, dpkgConfigPath:
		return true
	}
	dir, name, _ := cutLast(path)
	switch dir {
	case dpkgInfoDir:
		return strings.HasSuffix(name, ".list")
	case dpkgStatusDir, dpkgConfigDir:
		return true
	}
	return false
}

// cutLast splits p at its last slash.
func cutLast(p string) (dir, name string, ok bool) {
	i := strings.LastIndex(p, "/")
	if i < 0 {
		return "", p, false
	}
	return p[:i], p[i+1:], true
}

// target is an image under audit, with what several checks share.
type target struct {
	img   *imagefs.Image
	cfg   imagefs.Config
	files []imagefs.Entry
}

func newTarget(img *imagefs.Image) *target {
	return &target{img: img, cfg: img.Config(), files: img.Files()}
}

// filesUnder returns the merged entries strictly below dir, sorted by path.
func (t *target) filesUnder(dir string) []imagefs.Entry {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	start := sort.Search(len(t.files), func(i int) bool { return t.files[i].Path >= prefix })
	end := start
	for end < len(t.files) && strings.HasPrefix(t.files[end].Path, prefix) {
		end++
	}
	return t.files[start:end]
}

// maxEvidence is the number of evidence lines a check lists before it
// counts the rest in one line.
const maxEvidence = 25

// capEvidence returns lines with at most maxEvidence of them, the last line
// counting those left out.
func capEvidence(lines []string) []string {
	if len(lines) <= maxEvidence {
		return lines
	}
	kept := append([]string(nil), lines[:maxEvidence-1]...)
	return append(kept, fmt.Sprintf("… and %d more", len(lines)-(maxEvidence-1)))
}

// describeEntry returns a short description of e for evidence lines, such as
// "/usr/bin/passwd (regular, mode 4755, uid 0, gid 0, layer 0)".
func describeEntry(e imagefs.Entry) string {
	return fmt.Sprintf("%s (%s, mode %04o, uid %d, gid %d, layer %d)", e.Path, e.Type, imagefs.UnixMode(e.Mode), e.UID, e.GID, e.Layer)
}
