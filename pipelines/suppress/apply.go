package suppress

import (
	"strings"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// Match is a finding with the suppression entry that matched it.
type Match struct {
	Finding findings.Finding `json:"finding"`
	Entry   Entry            `json:"suppression"`
}

// Result is the outcome of Apply.
type Result struct {
	// Kept are the findings that no active entry matched, in input order.
	Kept []findings.Finding `json:"kept"`
	// Suppressed are the findings that an active entry matched, each with
	// the first such entry in file order.
	Suppressed []Match `json:"suppressed"`
	// ExpiredMatches are the kept findings that an expired entry matched,
	// each with the first such entry in file order.
	ExpiredMatches []Match `json:"expired_matches"`
	// Expired are the entries whose expiry day has passed, whether or not
	// they matched a finding.
	Expired []Entry `json:"expired"`
	// Unused are the active entries that matched no finding, so they can be
	// removed.
	Unused []Entry `json:"unused"`
}

// ExpiredFor returns the expired entry that matched the kept finding f, and
// false when none did.
func (r Result) ExpiredFor(f findings.Finding) (Entry, bool) {
	key := f.Key()
	for _, m := range r.ExpiredMatches {
		if m.Finding.Key() == key {
			return m.Entry, true
		}
	}
	return Entry{}, false
}

// Matches reports whether every selector the entry sets (id, target,
// package, purl, path) matches the finding. It does not look at the expiry.
// An entry whose purl is not a valid package URL, which Parse rejects,
// matches nothing.
func (e Entry) Matches(f findings.Finding) bool {
	if !strings.EqualFold(e.ID, f.ID) {
		return false
	}
	if e.Target != "" && e.Target != f.Target {
		return false
	}
	if e.Package != "" && e.Package != f.Package {
		return false
	}
	if e.Path != "" && strings.TrimPrefix(e.Path, "/") != strings.TrimPrefix(f.Path, "/") {
		return false
	}
	if e.PURL != "" {
		want, err := parsePURL(e.PURL)
		if err != nil {
			return false
		}
		got, err := parsePURL(f.PURL)
		if err != nil || !want.matches(got) {
			return false
		}
	}
	return true
}

// Apply splits found into the findings the entries suppress at the time now
// and those they keep. An entry suppresses up to and including its expiry
// day in UTC. An active entry counts as used when it matches any finding,
// even one that an earlier entry already suppresses.
func Apply(found []findings.Finding, entries []Entry, now time.Time) Result {
	result := Result{
		Kept:           []findings.Finding{},
		Suppressed:     []Match{},
		ExpiredMatches: []Match{},
		Expired:        []Entry{},
		Unused:         []Entry{},
	}
	var active, expired []Entry
	for _, e := range entries {
		if e.ActiveAt(now) {
			active = append(active, e)
		} else {
			expired = append(expired, e)
		}
	}
	result.Expired = append(result.Expired, expired...)

	used := make([]bool, len(active))
	for _, f := range found {
		suppressed := false
		for i, e := range active {
			if !e.Matches(f) {
				continue
			}
			used[i] = true
			if !suppressed {
				result.Suppressed = append(result.Suppressed, Match{Finding: f, Entry: e})
				suppressed = true
			}
		}
		if suppressed {
			continue
		}

		result.Kept = append(result.Kept, f)
		for _, e := range expired {
			if e.Matches(f) {
				result.ExpiredMatches = append(result.ExpiredMatches, Match{Finding: f, Entry: e})
				break
			}
		}
	}

	for i, e := range active {
		if !used[i] {
			result.Unused = append(result.Unused, e)
		}
	}
	return result
}
