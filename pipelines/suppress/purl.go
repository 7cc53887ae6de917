package suppress

import (
	"fmt"
	"net/url"
	"strings"
)

// purl is a package URL split into the parts that matching compares.
type purl struct {
	// base is "pkg:type/namespace/name", as written.
	base string
	// version is the unescaped version, empty when the URL has none.
	version    string
	qualifiers url.Values
}

// parsePURL splits a package URL of the form
// pkg:type/namespace/name@version?qualifiers#subpath. The subpath is
// dropped, because Trivy does not write one for the packages it reports.
func parsePURL(s string) (purl, error) {
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return purl{}, fmt.Errorf("purl %q does not start with \"pkg:\": give a package URL such as pkg:deb/debian/zlib1g", s)
	}
	rest, _, _ = strings.Cut(rest, "#")
	rest, rawQualifiers, _ := strings.Cut(rest, "?")

	// The version starts at the last "@" after the last "/", because an "@"
	// in a namespace, such as an npm scope, is escaped as %40.
	var p purl
	if at := strings.LastIndex(rest, "@"); at > strings.LastIndex(rest, "/") {
		version, err := url.PathUnescape(rest[at+1:])
		if err != nil || version == "" {
			return purl{}, fmt.Errorf("purl %q has an invalid version %q: escape it as Trivy does, for example 1.2.3%%2Bdeb12u1 for 1.2.3+deb12u1", s, rest[at+1:])
		}
		p.version = version
		rest = rest[:at]
	}
	typ, name, ok := strings.Cut(rest, "/")
	if !ok || typ == "" || name == "" || strings.HasSuffix(name, "/") {
		return purl{}, fmt.Errorf("purl %q has no type and name: give a package URL such as pkg:deb/debian/zlib1g", s)
	}
	p.base = "pkg:" + rest

	qualifiers, err := url.ParseQuery(rawQualifiers)
	if err != nil {
		return purl{}, fmt.Errorf("purl %q has invalid qualifiers %q: write them as key=value pairs joined by &: %w", s, rawQualifiers, err)
	}
	p.qualifiers = qualifiers
	return p, nil
}

// matches reports whether the finding's package URL got is the package of
// the entry's package URL p: equal base, and equal version and qualifiers
// where p sets them.
func (p purl) matches(got purl) bool {
	if p.base != got.base {
		return false
	}
	if p.version != "" && p.version != got.version {
		return false
	}
	for key := range p.qualifiers {
		if p.qualifiers.Get(key) != got.qualifiers.Get(key) {
			return false
		}
	}
	return true
}
