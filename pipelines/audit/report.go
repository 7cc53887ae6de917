package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// JSON returns the report as indented JSON: an object with the fields image,
// image_id, verdict and results, each result with id, title, cis, dockle,
// status and evidence.
func (r Report) JSON() ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the audit report of %q: %w", r.Image, err)
	}
	return data, nil
}

// Summary is the JSON document that WriteJSON writes for several images.
// Verdict is "fail" when any report failed, else "pass".
type Summary struct {
	Verdict Status   `json:"verdict"`
	Reports []Report `json:"reports"`
}

// WriteJSON writes the reports to w as one indented JSON object, a Summary.
// It returns an error only when writing to w fails.
func WriteJSON(w io.Writer, reports ...Report) error {
	summary := Summary{Verdict: Pass, Reports: reports}
	if summary.Reports == nil {
		summary.Reports = []Report{}
	}
	for _, r := range reports {
		if r.Verdict != Pass {
			summary.Verdict = Fail
		}
	}
	data, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding audit reports: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("writing audit reports: %w", err)
	}
	return nil
}

// WriteText writes the reports to w for a person to read. Each image gets a
// heading with its name, ID and verdict, then one line per check (status, ID,
// CIS section, title) with its evidence indented below. A closing line counts
// the images that failed. It returns an error only when writing to w fails.
func WriteText(w io.Writer, reports ...Report) error {
	var b strings.Builder
	failedImages := 0
	for i, r := range reports {
		if i > 0 {
			b.WriteString("\n")
		}
		failed := len(r.Failed())
		if failed > 0 {
			failedImages++
		}
		fmt.Fprintf(&b, "%s (%s): %s, %d of %d checks failed\n", r.Image, shortDigest(r.ImageID), strings.ToUpper(string(r.Verdict)), failed, len(r.Results))
		for _, res := range r.Results {
			cis := "-"
			if res.CIS != "" {
				cis = "CIS " + res.CIS
			}
			fmt.Fprintf(&b, "  %-4s  %-11s  %-8s  %s\n", strings.ToUpper(string(res.Status)), res.ID, cis, res.Title)
			for _, line := range res.Evidence {
				fmt.Fprintf(&b, "        %s\n", line)
			}
		}
	}
	fmt.Fprintf(&b, "\n%d of %d images failed the audit\n", failedImages, len(reports))

	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing audit reports: %w", err)
	}
	return nil
}

// Err returns nil when every check passed, and otherwise an error that names
// the image, its ID, each failed check and the first line of its evidence.
func (r Report) Err() error {
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	var parts []string
	for _, res := range failed {
		part := fmt.Sprintf("%s %q", res.ID, res.Title)
		if len(res.Evidence) > 0 {
			part += ": " + res.Evidence[0]
			if more := len(res.Evidence) - 1; more > 0 {
				part += fmt.Sprintf(" (+%d more evidence lines)", more)
			}
		}
		parts = append(parts, part)
	}
	return fmt.Errorf("image %q (%s) failed %d hardening checks: %s", r.Image, r.ImageID, len(failed), strings.Join(parts, "; "))
}

// shortDigest returns "sha256:" and the first 12 hex digits of digest, the
// length that `docker images` shows.
func shortDigest(digest string) string {
	alg, hex, ok := strings.Cut(digest, ":")
	if !ok || len(hex) <= 12 {
		return digest
	}
	return alg + ":" + hex[:12]
}
