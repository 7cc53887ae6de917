package findings

import (
	"encoding/json"
	"errors"
	"fmt"
)

// trivySchemaVersion is the SchemaVersion of the JSON reports that Trivy
// v0.74 writes with --format json, the only schema ParseTrivyReport reads.
const trivySchemaVersion = 2

// trivyReport is the part of a Trivy JSON report that ParseTrivyReport reads.
// Field names are Trivy's, so that a decoding error names the report's field.
// Secrets leave out Match and Code on purpose: they contain the text around
// the secret, and no finding may carry it.
type trivyReport struct {
	SchemaVersion int
	Metadata      struct {
		ImageID string
	}
	Results []struct {
		Target          string
		Class           string
		Vulnerabilities []struct {
			VulnerabilityID  string
			PkgName          string
			PkgPath          string
			PkgIdentifier    struct{ PURL string }
			InstalledVersion string
			FixedVersion     string
			Status           string
			Severity         string
			Title            string
			PrimaryURL       string
		}
		Misconfigurations []struct {
			ID string
			// AVDID is the ID field of reports older than v0.74, which
			// writes ID instead.
			AVDID         string
			Title         string
			Message       string
			Severity      string
			PrimaryURL    string
			Status        string
			CauseMetadata struct{ StartLine int }
		}
		Secrets []struct {
			RuleID    string
			Severity  string
			Title     string
			StartLine int
		}
	}
}

// trivyLangPkgs is the Result.Class of language packages (Go modules in a
// binary, npm packages of a lock file), whose file the finding's Path names.
const trivyLangPkgs = "lang-pkgs"

// trivyMisconfFailed is the Status of a failed misconfiguration check. Trivy
// also writes PASS and EXCEPTION entries when asked to include non-failures.
const trivyMisconfFailed = "FAIL"

// ParseTrivy returns the findings of a Trivy JSON report (SchemaVersion 2,
// as `trivy image|fs|config --format json` writes it) about target. It is
// ParseTrivyReport without the completed target.
func ParseTrivy(data []byte, target Target) ([]Finding, error) {
	scan, err := ParseTrivyReport(data, target)
	if err != nil {
		return nil, err
	}
	return scan.Findings, nil
}

// ParseTrivyReport turns a Trivy JSON report (SchemaVersion 2) about target
// into a Scan: one finding per vulnerability, per secret and per failed
// misconfiguration check, in the report's order. Passed and excepted checks,
// packages and licenses are left out, and so is the matched text of a secret.
// The scan's Target is target with Digest set to the report's
// Metadata.ImageID when the report has one.
//
// It fails when the data is not JSON of that shape, when the schema version
// is not 2, when a finding lacks its ID or has an invalid severity, and when
// target.Digest is set but differs from the report's image ID. Each error
// names the target and the offending field or byte offset.
func ParseTrivyReport(data []byte, target Target) (Scan, error) {
	if target.Name == "" {
		return Scan{}, errors.New("parsing a Trivy report: the target has no name: set Target.Name, for example to \"image/ai-orchestrator\"")
	}

	var report trivyReport
	if err := json.Unmarshal(data, &report); err != nil {
		return Scan{}, fmt.Errorf("parsing the Trivy report of target %q%s: %w: pass the output of trivy --format json", target.Name, jsonErrorOffset(err), err)
	}
	if report.SchemaVersion != trivySchemaVersion {
		return Scan{}, fmt.Errorf("parsing the Trivy report of target %q: SchemaVersion is %d, expected %d: pass the output of trivy --format json (Trivy v0.74)", target.Name, report.SchemaVersion, trivySchemaVersion)
	}

	// An image ID in the report must agree with the digest the caller
	// expects, otherwise the findings belong to another image.
	if id := report.Metadata.ImageID; id != "" {
		if target.Digest != "" && target.Digest != id {
			return Scan{}, fmt.Errorf("parsing the Trivy report of target %q: Metadata.ImageID is %q but the target's digest is %q: scan the image of this target, or correct Target.Digest", target.Name, id, target.Digest)
		}
		target.Digest = id
	}

	found := []Finding{}
	for i, result := range report.Results {
		for j, v := range result.Vulnerabilities {
			field := fmt.Sprintf("Results[%d].Vulnerabilities[%d]", i, j)
			if v.VulnerabilityID == "" {
				return Scan{}, missingField(target, field+".VulnerabilityID")
			}
			severity, err := trivySeverity(target, field, v.Severity)
			if err != nil {
				return Scan{}, err
			}
			f := Finding{
				Target:           target.Name,
				Class:            Vulnerability,
				ID:               v.VulnerabilityID,
				Severity:         severity,
				Title:            v.Title,
				Package:          v.PkgName,
				InstalledVersion: v.InstalledVersion,
				FixedVersion:     v.FixedVersion,
				Status:           v.Status,
				PURL:             v.PkgIdentifier.PURL,
				Path:             v.PkgPath,
				URL:              v.PrimaryURL,
			}
			if f.Path == "" && result.Class == trivyLangPkgs {
				f.Path = result.Target
			}
			found = append(found, f)
		}

		for j, s := range result.Secrets {
			field := fmt.Sprintf("Results[%d].Secrets[%d]", i, j)
			if s.RuleID == "" {
				return Scan{}, missingField(target, field+".RuleID")
			}
			severity, err := trivySeverity(target, field, s.Severity)
			if err != nil {
				return Scan{}, err
			}
			found = append(found, Finding{
				Target:   target.Name,
				Class:    Secret,
				ID:       s.RuleID,
				Severity: severity,
				Title:    s.Title,
				Path:     result.Target,
				Line:     s.StartLine,
			})
		}

		for j, m := range result.Misconfigurations {
			if m.Status != trivyMisconfFailed {
				continue
			}
			field := fmt.Sprintf("Results[%d].Misconfigurations[%d]", i, j)
			id := m.ID
			if id == "" {
				id = m.AVDID
			}
			if id == "" {
				return Scan{}, missingField(target, field+".ID")
			}
			severity, err := trivySeverity(target, field, m.Severity)
			if err != nil {
				return Scan{}, err
			}
			found = append(found, Finding{
				Target:   target.Name,
				Class:    Misconfiguration,
				ID:       id,
				Severity: severity,
				Title:    m.Title,
				Path:     result.Target,
				Line:     m.CauseMetadata.StartLine,
				Message:  m.Message,
				URL:      m.PrimaryURL,
			})
		}
	}
	return Scan{Target: target, Findings: found}, nil
}

// trivySeverity parses the Severity of the finding at field.
func trivySeverity(target Target, field, name string) (Severity, error) {
	if name == "" {
		return "", missingField(target, field+".Severity")
	}
	severity, err := ParseSeverity(name)
	if err != nil {
		return "", fmt.Errorf("parsing the Trivy report of target %q: %s.Severity: %w", target.Name, field, err)
	}
	return severity, nil
}

func missingField(target Target, field string) error {
	return fmt.Errorf("parsing the Trivy report of target %q: %s is missing or empty: pass an unmodified report of trivy --format json", target.Name, field)
}

// jsonErrorOffset returns " at byte offset N" for the errors of
// encoding/json that carry an offset, else "".
func jsonErrorOffset(err error) string {
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Sprintf(" at byte offset %d", syntaxErr.Offset)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf(" at byte offset %d", typeErr.Offset)
	}
	return ""
}
