package report

import (
	"cmp"
	"fmt"
	"strings"
	"text/tabwriter"
)

// Table renders the summary as plain text for a terminal. It starts with one
// aligned row per reported finding (gate, target, ID, severity, package,
// installed and fixed versions, title), from the highest severity down. The
// GATE column is "blocks" for a blocking finding. A line for each expired and
// unused suppression and the number of suppressed findings follow. The gate's
// verdict comes last, where a terminal shows it after the table has scrolled
// by.
func Table(s Summary) string {
	var b strings.Builder
	if len(s.Findings) == 0 {
		b.WriteString("No findings.\n")
	} else {
		writeFindingsTable(&b, s)
	}
	b.WriteString("\n")

	for _, e := range sortSuppressions(s.Expired) {
		fmt.Fprintf(&b, "Expired suppression %s (%s, owner %s): expired after %s, so it suppresses nothing.\n",
			plain(e.ID), selectorText(e), plain(e.Owner), e.Expires.UTC().Format(dateLayout))
	}
	for _, e := range sortSuppressions(s.Unused) {
		fmt.Fprintf(&b, "Unused suppression %s (%s, owner %s) matches no finding: remove it.\n",
			plain(e.ID), selectorText(e), plain(e.Owner))
	}
	fmt.Fprintf(&b, "Suppressed findings: %d.\n", len(s.Suppressed))
	if s.DB != nil {
		fmt.Fprintf(&b, "Vulnerability DB: %s.\n", plain(dbText(*s.DB)))
	}

	fmt.Fprintf(&b, "Gate: %s", s.verdict())
	if s.Reason != "" {
		fmt.Fprintf(&b, ": %s", plain(s.Reason))
	}
	fmt.Fprintf(&b, " (blocks on %s).\n", blockOnText(s.BlockOn))
	return b.String()
}

func writeFindingsTable(b *strings.Builder, s Summary) {
	blocking := make(map[string]bool, len(s.Blocking))
	for _, f := range s.Blocking {
		blocking[f.Key()] = true
	}

	w := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "GATE\tTARGET\tID\tSEVERITY\tPACKAGE\tINSTALLED\tFIXED\tTITLE")
	for _, f := range sortFindings(s.Findings) {
		gate := "-"
		if blocking[f.Key()] {
			gate = "blocks"
		}
		cells := []string{gate, f.Target, f.ID, string(f.Severity), packageOrFile(f), f.InstalledVersion, f.FixedVersion, f.Title}
		for i, cell := range cells {
			cells[i] = cmp.Or(plain(cell), "-")
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	// Flush returns only write errors, and strings.Builder.Write always
	// returns a nil error.
	_ = w.Flush()
}

// plainReplacer turns the characters that would break a tabwriter row into
// spaces.
var plainReplacer = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// plain returns text on one line without tabs, for a table cell.
func plain(text string) string {
	return plainReplacer.Replace(text)
}

// selectorText describes which findings a suppression selects, e.g.
// "target image/ai-orchestrator, package zlib1g", or "every target".
func selectorText(e Suppression) string {
	var parts []string
	for _, selector := range []struct{ key, value string }{
		{"target", e.Target}, {"package", e.Package}, {"purl", e.PURL}, {"path", e.Path},
	} {
		if selector.value != "" {
			parts = append(parts, selector.key+" "+plain(selector.value))
		}
	}
	if len(parts) == 0 {
		return "every target"
	}
	return strings.Join(parts, ", ")
}
