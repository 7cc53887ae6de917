// Package harden decides what the hardening step removes from a Debian-based
// image: the package manager and its caches, setuid and setgid bits,
// world-writable permissions, and the shells of images that need none.
//
// The decisions become a shell script that runs in a separate tool container
// (Debian, with dpkg) on the image's root filesystem mounted at a directory,
// so the hardened image itself needs no shell or package manager. Packages
// are purged with `dpkg --root`, which keeps the package database truthful,
// so a scanner that reads it finds exactly what is installed.
package harden

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Plan lists what the hardening step removes and changes.
type Plan struct {
	// Purge are the Debian packages purged with their maintainer scripts,
	// which run chrooted in the image and so need its shell.
	Purge []string
	// PurgeLast are the packages purged after Purge without running their
	// maintainer scripts: the shells, which those scripts need, and dpkg.
	PurgeLast []string
	// Remove are paths (globs relative to the root) deleted after purging:
	// caches, logs and lists that no package owns.
	Remove []string
	// WritableDirs are the directories that may stay world-writable; they
	// keep their sticky bit.
	WritableDirs []string
}

// packageManager are the Debian packages of apt. dpkg is purged separately,
// last, because purging the other packages needs it.
var packageManager = []string{"apt", "libapt-pkg6.0", "apt-utils", "aptitude", "debconf-i18n"}

// shells are the packages that provide /bin/sh and /bin/bash on Debian.
var shells = []string{"bash", "dash"}

// leftovers are files that no package owns but apt, dpkg and debconf leave
// behind.
var leftovers = []string{
	"var/lib/apt",
	"var/cache/apt",
	"var/log/apt",
	"var/log/dpkg.log",
	"var/log/alternatives.log",
	"var/cache/debconf/*-old",
	"var/lib/dpkg/*-old",
	"root/.cache",
	"tmp/*",
	"var/tmp/*",
}

// Option changes the Plan that New returns.
type Option func(*Plan)

// WithShells keeps bash and dash, for images whose entrypoint or
// HEALTHCHECK runs a shell script.
func WithShells() Option {
	return func(p *Plan) {
		p.PurgeLast = slices.DeleteFunc(p.PurgeLast, func(name string) bool { return slices.Contains(shells, name) })
	}
}

// New returns the default plan: purge apt, then the shells and dpkg, remove
// their leftovers, and allow world-writable permissions only on /tmp and
// /var/tmp.
func New(opts ...Option) Plan {
	p := Plan{
		Purge:        slices.Clone(packageManager),
		PurgeLast:    append(slices.Clone(shells), "dpkg"),
		Remove:       slices.Clone(leftovers),
		WritableDirs: []string{"tmp", "var/tmp"},
	}
	for _, opt := range opts {
		opt(&p)
	}
	return p
}

// Script returns a POSIX shell script that applies the plan to the root
// filesystem at root, an absolute path in the tool container. Packages that
// are not installed are skipped. It fails when root is not an absolute
// path, because every command of the script is relative to it.
func (p Plan) Script(root string) (string, error) {
	if !path.IsAbs(root) || path.Clean(root) == "/" {
		return "", fmt.Errorf("root %q must be an absolute path other than /", root)
	}
	root = path.Clean(root)
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("set -eu")
	line("root=%s", quote(root))
	line(`installed() { dpkg --root="$root" -s "$1" >/dev/null 2>&1; }`)

	if len(p.Purge) > 0 {
		line("# Purge the package manager with its maintainer scripts.")
		line("set --")
		line("for pkg in %s; do installed \"$pkg\" && set -- \"$@\" \"$pkg\"; done", quoteAll(p.Purge))
		line(`[ $# -eq 0 ] || dpkg --root="$root" --purge --force-remove-essential --force-depends "$@"`)
	}
	if len(p.PurgeLast) > 0 {
		line("# Purge the shells and dpkg without their maintainer scripts, which would need them.")
		line("set --")
		line("for pkg in %s; do installed \"$pkg\" && set -- \"$@\" \"$pkg\"; done", quoteAll(p.PurgeLast))
		line(`for pkg in "$@"; do rm -f "$root/var/lib/dpkg/info/$pkg.prerm" "$root/var/lib/dpkg/info/$pkg.postrm" "$root/var/lib/dpkg/info/$pkg:"*.prerm "$root/var/lib/dpkg/info/$pkg:"*.postrm; done`)
		// Processing the triggers that these purges activate (debianutils'
		// update-shells) needs a shell, so they are not processed. The
		// script does their work itself and marks the packages installed
		// again, because a scanner skips packages in a triggers state.
		line(`[ $# -eq 0 ] || dpkg --root="$root" --purge --no-triggers --force-remove-essential --force-depends "$@"`)
		line(`sed -i -e 's/^Status: install ok triggers-\(pending\|awaited\)$/Status: install ok installed/' -e '/^Triggers-\(Pending\|Awaited\):/d' "$root/var/lib/dpkg/status"`)
		line(`: >"$root/var/lib/dpkg/triggers/Unincorp"`)
		line(`if [ -f "$root/etc/shells" ]; then`)
		line(`  while IFS= read -r shell; do case "$shell" in /*) [ -e "$root$shell" ] && printf '%%s\n' "$shell" ;; *) printf '%%s\n' "$shell" ;; esac; done <"$root/etc/shells" >"$root/etc/shells.new" || true`)
		line(`  mv "$root/etc/shells.new" "$root/etc/shells"`)
		line(`fi`)
		// dash's postinst points /bin/sh at dash outside dpkg's file lists,
		// so the link stays behind after the purge.
		line(`if ! installed dash; then rm -f "$root/bin/sh" "$root/usr/bin/sh"; fi`)
	}
	if len(p.Remove) > 0 {
		line("# Remove the caches and logs that no package owns.")
		for _, glob := range p.Remove {
			line(`rm -rf "$root"/%s`, globQuote(glob))
		}
	}

	line("# Strip setuid and setgid bits.")
	line(`find "$root" -xdev \( -path "$root/dev" -o -path "$root/proc" -o -path "$root/sys" \) -prune -o \( -perm -4000 -o -perm -2000 \) -type f -exec chmod ug-s {} +`)
	line("# Remove world-writable permissions outside the allowed directories.")
	prune := []string{`-path "$root/dev"`, `-path "$root/proc"`, `-path "$root/sys"`}
	for _, dir := range p.WritableDirs {
		prune = append(prune, fmt.Sprintf(`-path "$root"/%s`, globQuote(strings.Trim(dir, "/"))))
	}
	line(`find "$root" -xdev \( %s \) -prune -o -perm -0002 ! -type l -exec chmod o-w {} +`, strings.Join(prune, " -o "))
	return b.String(), nil
}

// quote returns s as a single-quoted shell word.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// quoteAll returns the words single-quoted and joined by spaces.
func quoteAll(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quote(w)
	}
	return strings.Join(quoted, " ")
}

// globQuote quotes a glob so that the shell expands only its * and ?
// characters.
func globQuote(glob string) string {
	var b strings.Builder
	start := 0
	for i, r := range glob {
		if r == '*' || r == '?' {
			if i > start {
				b.WriteString(quote(glob[start:i]))
			}
			b.WriteRune(r)
			start = i + 1
		}
	}
	if start < len(glob) {
		b.WriteString(quote(glob[start:]))
	}
	return b.String()
}
