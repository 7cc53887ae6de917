package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func failedIDs(r Report) []string {
	var ids []string
	for _, res := range r.Failed() {
		ids = append(ids, res.ID)
	}
	return ids
}

func TestRunVerdicts(t *testing.T) {
	tests := []struct {
		name       string
		image      string
		change     func(*testing.T, *testImage)
		wantFailed []string
	}{
		{name: "orchestrator before hardening", image: orchestratorImage, wantFailed: []string{"ATL-DI-0001", "CIS-DI-0008"}},
		{name: "database before hardening", image: databaseImage, wantFailed: []string{"ATL-DI-0001", "CIS-DI-0008", "CIS-DI-0010"}},
		{name: "frontend before hardening", image: frontendImage, wantFailed: []string{"ATL-DI-0001", "CIS-DI-0008"}},
		{name: "debian base", image: debianImage, wantFailed: []string{"CIS-DI-0001", "ATL-DI-0001", "CIS-DI-0006", "CIS-DI-0008"}},
		{name: "hardened orchestrator", image: orchestratorImage, change: harden, wantFailed: nil},
		{name: "hardened frontend", image: frontendImage, change: harden, wantFailed: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ti := loadTestImage(t, tt.image)
			if tt.change != nil {
				tt.change(t, ti)
			}
			report := Run(tt.image, ti.build(t))

			if got := failedIDs(report); !reflect.DeepEqual(got, tt.wantFailed) {
				t.Errorf("failed checks = %v, want %v", got, tt.wantFailed)
			}
			wantVerdict := Pass
			if len(tt.wantFailed) > 0 {
				wantVerdict = Fail
			}
			if report.Verdict != wantVerdict {
				t.Errorf("Verdict = %s, want %s", report.Verdict, wantVerdict)
			}
			if len(report.Results) != len(Checks()) {
				t.Errorf("report has %d results, want one per check (%d)", len(report.Results), len(Checks()))
			}
			if (report.Err() == nil) != (wantVerdict == Pass) {
				t.Errorf("Err() = %v with verdict %s", report.Err(), wantVerdict)
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	report := Run("atlasia/ai-orchestrator:dev", loadTestImage(t, orchestratorImage).build(t))
	data, err := report.JSON()
	if err != nil {
		t.Fatal(err)
	}

	// The field names are part of the output's contract.
	var doc struct {
		Image   string `json:"image"`
		ImageID string `json:"image_id"`
		Verdict string `json:"verdict"`
		Results []map[string]any
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	if doc.Image != "atlasia/ai-orchestrator:dev" || doc.Verdict != "fail" || !strings.HasPrefix(doc.ImageID, "sha256:") {
		t.Errorf("image, image_id, verdict = %q, %q, %q", doc.Image, doc.ImageID, doc.Verdict)
	}
	wantKeys := []string{"cis", "dockle", "evidence", "id", "status", "title"}
	for _, res := range doc.Results {
		var keys []string
		for k := range res {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("result %v has keys %v, want %v", res["id"], keys, wantKeys)
		}
		if _, ok := res["evidence"].([]any); !ok {
			t.Errorf("result %v evidence = %v, want a list", res["id"], res["evidence"])
		}
	}
	if first := doc.Results[0]; first["id"] != "CIS-DI-0001" || first["cis"] != "4.1" || first["dockle"] != "CIS-DI-0001" || first["status"] != "pass" {
		t.Errorf("first result = %v, want CIS-DI-0001 passing", first)
	}
}

func TestWriteJSON(t *testing.T) {
	pass := Report{Image: "a", Verdict: Pass, Results: []Result{}}
	fail := Report{Image: "b", Verdict: Fail, Results: []Result{}}
	tests := []struct {
		name        string
		reports     []Report
		wantVerdict Status
	}{
		{"no reports", nil, Pass},
		{"all pass", []Report{pass}, Pass},
		{"one fails", []Report{pass, fail}, Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, tt.reports...); err != nil {
				t.Fatal(err)
			}
			var got Summary
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("decoding %s: %v", buf.Bytes(), err)
			}
			if got.Verdict != tt.wantVerdict {
				t.Errorf("verdict = %s, want %s", got.Verdict, tt.wantVerdict)
			}
			if len(got.Reports) != len(tt.reports) {
				t.Errorf("%d reports, want %d", len(got.Reports), len(tt.reports))
			}
			if !strings.Contains(buf.String(), `"reports": [`) {
				t.Errorf("reports is not a list:\n%s", buf.String())
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	orchestrator := Run("atlasia/ai-orchestrator:dev", loadTestImage(t, orchestratorImage).build(t))
	hardened := loadTestImage(t, orchestratorImage)
	hardened.harden(t)
	hardenedReport := Run("atlasia/ai-orchestrator:hardened", hardened.build(t))

	var buf bytes.Buffer
	if err := WriteText(&buf, orchestrator, hardenedReport); err != nil {
		t.Fatal(err)
	}
	text := buf.String()

	for _, want := range []string{
		"atlasia/ai-orchestrator:dev (sha256:" + strings.TrimPrefix(orchestrator.ImageID, "sha256:")[:12] + "): FAIL, 2 of 8 checks failed\n",
		"  PASS  CIS-DI-0001  CIS 4.1   Create a user for the container\n",
		"  FAIL  ATL-DI-0001  CIS 4.3   Do not ship a package manager\n        /usr/bin/apt (regular, mode 0755, uid 0, gid 0, layer 0)\n",
		"  FAIL  CIS-DI-0008  CIS 4.8   Confirm safety of setuid/setgid files\n",
		"        /usr/bin/passwd (regular, mode 4755, uid 0, gid 0, layer 0)\n",
		"  PASS  DKL-DI-0005  -         Clear apt-get caches\n",
		"atlasia/ai-orchestrator:hardened (sha256:",
		"): PASS, 0 of 8 checks failed\n",
		"\n1 of 2 images failed the audit\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text report does not contain %q:\n%s", want, text)
		}
	}
}

func TestReportErr(t *testing.T) {
	report := Run("atlasia/ai-db:dev", loadTestImage(t, databaseImage).build(t))
	err := report.Err()
	if err == nil {
		t.Fatal("Err() = nil for an unhardened image")
	}

	msg := err.Error()
	for _, want := range []string{
		`image "atlasia/ai-db:dev" (` + report.ImageID + `) failed 3 hardening checks`,
		`ATL-DI-0001 "Do not ship a package manager": /usr/bin/apt (regular`,
		`CIS-DI-0010 "Do not store credential in environment variables/files": /etc/ssl/private/ssl-cert-snakeoil.key`,
		"more evidence lines",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Err() = %q, want it to contain %q", msg, want)
		}
	}
}

func TestChecksTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks() {
		if seen[c.ID] {
			t.Errorf("duplicate check ID %s", c.ID)
		}
		seen[c.ID] = true
		isDockle := strings.HasPrefix(c.ID, "CIS-DI-") || strings.HasPrefix(c.ID, "DKL-DI-")
		if isDockle && c.Dockle != c.ID {
			t.Errorf("check %s has Dockle ID %q, want its own ID", c.ID, c.Dockle)
		}
		if !isDockle && (!strings.HasPrefix(c.ID, "ATL-DI-") || c.Dockle != "") {
			t.Errorf("check %s: a check Dockle lacks has an ATL-DI- ID and no Dockle ID (got %q)", c.ID, c.Dockle)
		}
		if c.Title == "" || c.run == nil {
			t.Errorf("check %s has no title or no function", c.ID)
		}
	}
}

func TestReadmeListsChecks(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Checks() {
		row := "|"
		for _, cell := range []string{c.ID, c.CIS, c.Dockle, c.Title} {
			if cell == "" {
				row += " |"
			} else {
				row += " " + cell + " |"
			}
		}
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no row starting %q", row)
		}
	}
}
