package report

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// MaxTableRows is the number of rows Markdown shows of the other HIGH and
// CRITICAL findings and of the suppressed findings. Further rows are counted
// in a closing line. Blocking findings are never cut.
const MaxTableRows = 50

// Markdown renders the summary as GitHub-flavored Markdown for a step
// summary: the gate's verdict first, then the counts by severity per target,
// the blocking findings, the other HIGH and CRITICAL findings, and the
// suppressed findings, expired suppressions and unused suppressions. Tables
// list findings from the highest severity down, then by target, ID and
// package, so the same summary always gives the same text.
func Markdown(s Summary) string {
	var b strings.Builder
	b.WriteString("# Atlasia security scan\n\n")
	writeVerdict(&b, s)
	writeCounts(&b, s)
	writeBlocking(&b, s)
	writeOtherHigh(&b, s)
	writeSuppressions(&b, s)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func writeVerdict(b *strings.Builder, s Summary) {
	fmt.Fprintf(b, "**%s**", s.verdict())
	if s.Reason != "" {
		fmt.Fprintf(b, ": %s", escape(s.Reason))
	}
	fmt.Fprintf(b, ". The gate blocks on %s.\n\n", blockOnText(s.BlockOn))
	if s.DB != nil {
		fmt.Fprintf(b, "Vulnerability DB: %s.\n\n", escape(dbText(*s.DB)))
	}
}

func writeCounts(b *strings.Builder, s Summary) {
	b.WriteString("## Findings by target\n\n")
	names := s.targetNames()
	if len(names) == 0 {
		b.WriteString("No target was scanned.\n\n")
		return
	}

	severities := severitiesDescending()
	header := []string{"Target", "Image"}
	for _, severity := range severities {
		header = append(header, string(severity))
	}
	header = append(header, "Suppressed")
	writeHeader(b, header, len(severities)+1)

	suppressed := make([]findings.Finding, len(s.Suppressed))
	for i, sf := range s.Suppressed {
		suppressed[i] = sf.Finding
	}
	totals := make([]int, len(severities)+1)
	for _, name := range names {
		target := s.target(name)
		counts := countBySeverity(s.Findings, name)
		row := []string{escape(name), imageText(target)}
		for i, severity := range severities {
			row = append(row, strconv.Itoa(counts[severity]))
			totals[i] += counts[severity]
		}
		numSuppressed := 0
		for _, n := range countBySeverity(suppressed, name) {
			numSuppressed += n
		}
		row = append(row, strconv.Itoa(numSuppressed))
		totals[len(severities)] += numSuppressed
		writeRow(b, row)
	}
	row := []string{"**Total**", ""}
	for _, total := range totals {
		row = append(row, fmt.Sprintf("**%d**", total))
	}
	writeRow(b, row)
	b.WriteString("\nSuppressed findings are not counted under their severity.\n\n")
}

// imageText returns the image reference and digest of an image target, on
// two lines of a table cell.
func imageText(t findings.Target) string {
	parts := make([]string, 0, 2)
	for _, part := range []string{t.Image, t.Digest} {
		if part != "" {
			parts = append(parts, escape(part))
		}
	}
	return strings.Join(parts, "<br>")
}

func writeBlocking(b *strings.Builder, s Summary) {
	if len(s.Blocking) == 0 {
		return
	}
	blocking := sortFindings(s.Blocking)
	withExpired := false
	for _, f := range blocking {
		if _, ok := s.expiredFor(f); ok {
			withExpired = true
		}
	}

	fmt.Fprintf(b, "## Blocking findings (%d)\n\n", len(blocking))
	header := []string{"ID", "Severity", "Package or file", "Installed → fixed", "Target", "Image digest"}
	if withExpired {
		header = append(header, "Expired suppression")
	}
	writeHeader(b, header, 0)
	for _, f := range blocking {
		row := []string{
			escape(f.ID), string(f.Severity), escape(packageOrFile(f)), escape(versionsText(f)),
			escape(f.Target), escape(shortDigest(s.target(f.Target).Digest)),
		}
		if withExpired {
			text := ""
			if e, ok := s.expiredFor(f); ok {
				text = fmt.Sprintf("expired after %s (owner %s)", e.Expires.UTC().Format(dateLayout), e.Owner)
			}
			row = append(row, escape(text))
		}
		writeRow(b, row)
	}
	b.WriteString("\n")
}

func writeOtherHigh(b *strings.Builder, s Summary) {
	blocking := make(map[string]bool, len(s.Blocking))
	for _, f := range s.Blocking {
		blocking[f.Key()] = true
	}
	var other []findings.Finding
	for _, f := range sortFindings(s.Findings) {
		if isHighOrCritical(f) && !blocking[f.Key()] {
			other = append(other, f)
		}
	}
	if len(other) == 0 {
		return
	}

	fmt.Fprintf(b, "## Other HIGH and CRITICAL findings (%d)\n\n", len(other))
	writeHeader(b, []string{"ID", "Severity", "Target", "Package or file", "Installed", "Fixed", "Title"}, 0)
	for _, f := range other[:min(len(other), MaxTableRows)] {
		writeRow(b, []string{
			escape(f.ID), string(f.Severity), escape(f.Target), escape(packageOrFile(f)),
			escape(f.InstalledVersion), escape(f.FixedVersion), escape(f.Title),
		})
	}
	writeMore(b, len(other))
	b.WriteString("\n")
}

func writeSuppressions(b *strings.Builder, s Summary) {
	if len(s.Suppressed) == 0 && len(s.Expired) == 0 && len(s.Unused) == 0 {
		b.WriteString("No suppression matched a finding, expired or went unused.\n")
		return
	}

	if len(s.Suppressed) > 0 {
		suppressed := sortSuppressed(s.Suppressed)
		fmt.Fprintf(b, "## Suppressed findings (%d)\n\n", len(suppressed))
		writeHeader(b, []string{"ID", "Severity", "Target", "Package or file", "Owner", "Justification", "Expires"}, 0)
		for _, sf := range suppressed[:min(len(suppressed), MaxTableRows)] {
			f, e := sf.Finding, sf.Suppression
			writeRow(b, []string{
				escape(f.ID), string(f.Severity), escape(f.Target), escape(packageOrFile(f)),
				escape(e.Owner), escape(e.Justification), e.Expires.UTC().Format(dateLayout),
			})
		}
		writeMore(b, len(suppressed))
		b.WriteString("\n")
	}

	if len(s.Expired) > 0 {
		fmt.Fprintf(b, "## Expired suppressions (%d)\n\n", len(s.Expired))
		b.WriteString("These entries suppress nothing after their expiry day: fix the findings, or renew the entry with a new justification and expiry.\n\n")
		writeSuppressionTable(b, s.Expired)
	}

	if len(s.Unused) > 0 {
		fmt.Fprintf(b, "## Unused suppressions (%d)\n\n", len(s.Unused))
		b.WriteString("These entries match no finding: remove them from the suppressions file.\n\n")
		writeSuppressionTable(b, s.Unused)
	}
}

func writeSuppressionTable(b *strings.Builder, ss []Suppression) {
	writeHeader(b, []string{"ID", "Target", "Package", "Path", "Owner", "Justification", "Expires"}, 0)
	for _, e := range sortSuppressions(ss) {
		writeRow(b, []string{
			escape(e.ID), escape(orAny(e.Target)), escape(orAny(cmp.Or(e.Package, e.PURL))), escape(orAny(e.Path)),
			escape(e.Owner), escape(e.Justification), e.Expires.UTC().Format(dateLayout),
		})
	}
	b.WriteString("\n")
}

// writeMore writes the line that counts the rows past MaxTableRows.
func writeMore(b *strings.Builder, rows int) {
	if rows <= MaxTableRows {
		return
	}
	fmt.Fprintf(b, "\n…and %d more, listed in the scan's JSON report and SARIF log.\n", rows-MaxTableRows)
}

// writeHeader writes a table's header and delimiter rows. The last
// rightAligned columns are right-aligned, for counts.
func writeHeader(b *strings.Builder, columns []string, rightAligned int) {
	writeRow(b, columns)
	delimiters := make([]string, len(columns))
	for i := range columns {
		delimiters[i] = "---"
		if i >= len(columns)-rightAligned {
			delimiters[i] = "---:"
		}
	}
	writeRow(b, delimiters)
}

// writeRow writes one table row of cells that are already escaped.
func writeRow(b *strings.Builder, cells []string) {
	b.WriteString("| ")
	b.WriteString(strings.Join(cells, " | "))
	b.WriteString(" |\n")
}

// markdownEscaper escapes the characters that would end a table cell or start
// Markdown or HTML markup, so that a cell shows its text as it is.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`,
	"|", `\|`,
	"*", `\*`,
	"_", `\_`,
	"`", "\\`",
	"~", `\~`,
	"[", `\[`,
	"]", `\]`,
	"<", `\<`,
	">", `\>`,
	"&", `\&`,
	"\r\n", "<br>",
	"\n", "<br>",
	"\r", "<br>",
)

// escape returns text for a table cell or a line of Markdown: escaped, with
// line breaks as <br>, since a table row must stay on one line.
func escape(text string) string {
	return markdownEscaper.Replace(text)
}

// packageOrFile returns a finding's package, or else its file and line.
func packageOrFile(f findings.Finding) string {
	switch {
	case f.Package != "":
		return f.Package
	case f.Path != "" && f.Line > 0:
		return fmt.Sprintf("%s:%d", f.Path, f.Line)
	default:
		return f.Path
	}
}

// versionsText returns "installed → fixed", with "no fix" when no fixed
// version is known, or "" for a finding without versions.
func versionsText(f findings.Finding) string {
	if f.InstalledVersion == "" && f.FixedVersion == "" {
		return ""
	}
	return fmt.Sprintf("%s → %s", f.InstalledVersion, cmp.Or(f.FixedVersion, "no fix"))
}

// orAny returns the selector of a suppression, or "any" for an empty one,
// which matches every value.
func orAny(selector string) string {
	return cmp.Or(selector, "any")
}
