package audit

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// Files of dpkg's database and configuration.
const (
	dpkgStatusPath     = "/var/lib/dpkg/status"
	dpkgStatusDir      = "/var/lib/dpkg/status.d"
	dpkgInfoDir        = "/var/lib/dpkg/info"
	dpkgDiversionsPath = "/var/lib/dpkg/diversions"
	dpkgConfigPath     = "/etc/dpkg/dpkg.cfg"
	dpkgConfigDir      = "/etc/dpkg/dpkg.cfg.d"
)

// cleanedDirs are directories whose listed contents may be missing: apt's
// package lists and download cache, which DKL-DI-0005 requires to be deleted.
// Apt's file list names /var/lib/apt/lists/partial, for example, and
// `rm -rf /var/lib/apt/lists/*` removes it.
var cleanedDirs = []string{aptListsDir + "/", aptCacheDir + "/"}

// maxMissingPerPackage is the number of missing paths that the evidence line
// of one package names.
const maxMissingPerPackage = 5

// dpkgPackage is a stanza of /var/lib/dpkg/status.
type dpkgPackage struct {
	Name         string
	Architecture string
	Version      string
	// Status is "want flag state", such as "install ok installed".
	Status string
}

// installed reports whether the package's files are on disk: its state is
// "installed", whatever the selection ("install" or "hold").
func (p dpkgPackage) installed() bool {
	fields := strings.Fields(p.Status)
	return len(fields) == 3 && fields[2] == "installed"
}

// parseDpkgStatus returns the stanzas of a dpkg status file: RFC 822-style
// "Field: value" lines, continuation lines starting with a space or tab, and
// blank lines between stanzas.
func parseDpkgStatus(data string) []dpkgPackage {
	var pkgs []dpkgPackage
	var current dpkgPackage
	flush := func() {
		if current.Name != "" {
			pkgs = append(pkgs, current)
		}
		current = dpkgPackage{}
	}
	for _, line := range strings.Split(data, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		field, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch field {
		case "Package":
			current.Name = value
		case "Architecture":
			current.Architecture = value
		case "Version":
			current.Version = value
		case "Status":
			current.Status = value
		}
	}
	flush()
	return pkgs
}

// diversion is an entry of /var/lib/dpkg/diversions: the file that package
// (":" for a local diversion) moved another package's file to.
type diversion struct {
	to         string
	divertedBy string
}

// parseDiversions returns the diversions keyed by the path diverted. The
// file has three lines per diversion: the path, where it was moved, and the
// package that moved it.
func parseDiversions(data string) map[string]diversion {
	lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
	diversions := map[string]diversion{}
	for i := 0; i+2 < len(lines); i += 3 {
		diversions[lines[i]] = diversion{to: lines[i+1], divertedBy: lines[i+2]}
	}
	return diversions
}

// pathFilter is a path-exclude or path-include option of dpkg.
type pathFilter struct {
	include bool
	pattern string
}

// validConfigName matches the names of the files in /etc/dpkg/dpkg.cfg.d that
// dpkg reads; it skips others, such as backups ending in "~" or ".dpkg-old".
var validConfigName = regexp.MustCompile(`^[0-9A-Za-z_-]+$`)

// readPathFilters returns the path-exclude and path-include options of
// dpkg's configuration in the order dpkg reads them: the files of
// /etc/dpkg/dpkg.cfg.d sorted by name, then /etc/dpkg/dpkg.cfg.
func readPathFilters(img *imagefs.Image) []pathFilter {
	var names []string
	for _, e := range img.ReadDir(dpkgConfigDir) {
		_, name, _ := cutLast(e.Path)
		if validConfigName.MatchString(name) {
			names = append(names, e.Path)
		}
	}
	sort.Strings(names)
	names = append(names, dpkgConfigPath)

	var filters []pathFilter
	for _, name := range names {
		data, ok := img.File(name)
		if !ok {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			option, value := parseConfigLine(line)
			switch option {
			case "path-exclude":
				filters = append(filters, pathFilter{include: false, pattern: value})
			case "path-include":
				filters = append(filters, pathFilter{include: true, pattern: value})
			}
		}
	}
	return filters
}

// parseConfigLine splits a line of a dpkg configuration file into the option
// name, a run of letters, digits and "-", and its value, which follows after
// spaces or "=" and may be quoted. It returns "" for blank and comment lines.
func parseConfigLine(line string) (option, value string) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", ""
	}
	end := strings.IndexFunc(line, func(r rune) bool {
		return !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if end < 0 {
		return line, ""
	}
	option = line[:end]
	value = strings.TrimSpace(line[end:])
	value = strings.TrimSpace(strings.TrimPrefix(value, "="))
	if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
		value = value[1 : len(value)-1]
	}
	return option, value
}

// excluded reports whether dpkg skipped p when it unpacked packages: the last
// filter whose pattern matches p decides, as in dpkg's filters.c.
func excluded(filters []pathFilter, p string) bool {
	skip := false
	for _, f := range filters {
		if fnmatch(f.pattern, p) {
			skip = !f.include
		}
	}
	return skip
}

// packageDatabase is the dpkg database of an image, with dpkg's path filters
// and diversions.
type packageDatabase struct {
	img        *imagefs.Image
	packages   []dpkgPackage
	filters    []pathFilter
	diversions map[string]diversion
}

// listFile returns the path of the file list of pkg in /var/lib/dpkg/info:
// "NAME:ARCH.list" for Multi-Arch: same packages and "NAME.list" for the
// others. It returns "" when neither exists.
func (db *packageDatabase) listFile(pkg dpkgPackage) string {
	for _, name := range []string{pkg.Name + ":" + pkg.Architecture + ".list", pkg.Name + ".list"} {
		p := dpkgInfoDir + "/" + name
		if _, ok := db.img.Lstat(p); ok {
			return p
		}
	}
	return ""
}

// installedPath returns where the file p of package pkg is on disk: where a
// diversion by another package moved it, or p itself.
func (db *packageDatabase) installedPath(pkg, p string) string {
	if d, ok := db.diversions[p]; ok && d.divertedBy != pkg {
		return d.to
	}
	return p
}

// checkPackageDatabase passes when /var/lib/dpkg/status lists installed
// packages, each with its file list in /var/lib/dpkg/info, and every path of
// those lists exists in the image. Two more conditions catch packages that
// scanners would miss: no file list of a package missing from the status
// file names files that are still present, and every regular file in
// /usr/bin, /usr/sbin and /usr/lib belongs to an installed package.
//
// Paths that dpkg's path-exclude options kept from being unpacked, files that
// a diversion moved, and apt's caches (cleanedDirs) are accounted for. A package purged with dpkg has
// neither a status entry nor a file list, which is consistent. Files deleted
// by hand while the status file still lists the package are not: a scanner
// would report vulnerabilities of a package that is not there. A status entry
// deleted by hand while the files stay makes the scanner miss the package.
func checkPackageDatabase(t *target) (Status, []string) {
	img := t.img
	status, ok := img.File(dpkgStatusPath)
	if !ok {
		return missingStatus(t)
	}

	db := &packageDatabase{
		img:        img,
		packages:   parseDpkgStatus(string(status)),
		filters:    readPathFilters(img),
		diversions: map[string]diversion{},
	}
	if data, ok := img.File(dpkgDiversionsPath); ok {
		db.diversions = parseDiversions(string(data))
	}

	var evidence []string
	listedByInstalled := map[string]bool{}
	// owned holds the merged paths of the installed packages' files, with
	// symlinked directories such as /bin resolved.
	owned := map[string]bool{}
	installed, present, excludedCount, cleanedCount := 0, 0, 0, 0
	for _, pkg := range db.packages {
		if !pkg.installed() {
			continue
		}
		installed++
		listPath := db.listFile(pkg)
		if listPath == "" {
			evidence = append(evidence, fmt.Sprintf("package %s %s is installed but has no file list: neither %s/%s:%s.list nor %s/%s.list exists",
				pkg.Name, pkg.Version, dpkgInfoDir, pkg.Name, pkg.Architecture, dpkgInfoDir, pkg.Name))
			continue
		}
		list, ok := img.File(listPath)
		if !ok {
			evidence = append(evidence, fmt.Sprintf("package %s %s: %s could not be read", pkg.Name, pkg.Version, listPath))
			continue
		}

		var missing []string
		listed := listedPaths(string(list))
		for _, p := range listed {
			listedByInstalled[p] = true
			if e, ok := img.Lstat(db.installedPath(pkg.Name, p)); ok {
				owned[e.Path] = true
				present++
				continue
			}
			if excluded(db.filters, p) {
				excludedCount++
				continue
			}
			if hasAnyPrefix(p, cleanedDirs) {
				cleanedCount++
				continue
			}
			missing = append(missing, p)
		}
		if len(missing) > 0 {
			evidence = append(evidence, describeMissing(pkg, len(listed), missing))
		}
	}
	if installed == 0 {
		return Fail, []string{fmt.Sprintf("%s lists no installed packages: scanners would find no OS packages", dpkgStatusPath)}
	}

	evidence = append(evidence, db.leftoverLists(listedByInstalled)...)
	if line := unownedFiles(t, owned); line != "" {
		evidence = append(evidence, line)
	}
	if len(evidence) > 0 {
		return Fail, capEvidence(evidence)
	}

	summary := fmt.Sprintf("%d installed packages in %s, %d listed paths present", installed, dpkgStatusPath, present)
	if excludedCount > 0 {
		summary += fmt.Sprintf(", %d missing because dpkg path-exclude options skipped them", excludedCount)
	}
	if cleanedCount > 0 {
		summary += fmt.Sprintf(", %d missing from apt's cleaned cache directories", cleanedCount)
	}
	return Pass, []string{summary}
}

// missingStatus returns the result when /var/lib/dpkg/status cannot be read.
func missingStatus(t *target) (Status, []string) {
	if _, ok := t.img.Lstat(dpkgStatusPath); ok {
		return Fail, []string{fmt.Sprintf("%s exists but was not read: read the image with imagefs.WithContents(audit.KeepContents) and a content limit above its size", dpkgStatusPath)}
	}
	if entries := t.img.ReadDir(dpkgStatusDir); len(entries) > 0 {
		// NOTE: the file lists of distroless-style databases are not
		// compared with the image's files.
		return Pass, []string{fmt.Sprintf("no %s, but %s has %d entries (distroless layout); their file lists are not checked", dpkgStatusPath, dpkgStatusDir, len(entries))}
	}
	return Fail, []string{fmt.Sprintf("%s is missing: scanners would find no OS packages", dpkgStatusPath)}
}

// leftoverLists returns evidence for the file lists in /var/lib/dpkg/info of
// packages that have no stanza in the status file, whose files (other than
// directories and paths that an installed package also lists) are still
// present. Such files ship unseen by scanners.
func (db *packageDatabase) leftoverLists(listedByInstalled map[string]bool) []string {
	known := map[string]bool{}
	for _, pkg := range db.packages {
		known[pkg.Name] = true
	}

	var evidence []string
	for _, e := range db.img.ReadDir(dpkgInfoDir) {
		_, name, _ := cutLast(e.Path)
		base, ok := strings.CutSuffix(name, ".list")
		if !ok {
			continue
		}
		pkgName, _, _ := strings.Cut(base, ":")
		if known[pkgName] {
			continue
		}
		list, ok := db.img.File(e.Path)
		if !ok {
			continue
		}

		var present []string
		for _, p := range listedPaths(string(list)) {
			if listedByInstalled[p] {
				continue
			}
			if f, ok := db.img.Lstat(db.installedPath(pkgName, p)); ok && f.Type != imagefs.TypeDir {
				present = append(present, p)
			}
		}
		if len(present) > 0 {
			evidence = append(evidence, fmt.Sprintf("package %s is not in %s, but %d files that %s lists are present: %s",
				pkgName, dpkgStatusPath, len(present), e.Path, joinCapped(present, maxMissingPerPackage)))
		}
	}
	return evidence
}

// packageDirs are the directories where only packages install files. The FHS
// reserves /usr/local for programs and libraries installed by other means.
var packageDirs = []string{"/usr/bin", "/usr/sbin", "/usr/lib"}

// unownedFiles returns an evidence line for the regular files in packageDirs
// that no installed package lists, or "" when there are none. Such files are
// invisible to scanners, as when a package's status entry and file list were
// both deleted by hand. Symlinks are left out, because update-alternatives
// creates unlisted ones such as /usr/bin/awk.
func unownedFiles(t *target, owned map[string]bool) string {
	var unowned []string
	for _, dir := range packageDirs {
		for _, e := range t.filesUnder(dir) {
			if (e.Type == imagefs.TypeRegular || e.Type == imagefs.TypeHardlink) && !owned[e.Path] {
				unowned = append(unowned, e.Path)
			}
		}
	}
	if len(unowned) == 0 {
		return ""
	}
	return fmt.Sprintf("%d files in %s belong to no installed package, so scanners do not see them: %s",
		len(unowned), strings.Join(packageDirs, ", "), joinCapped(unowned, maxMissingPerPackage))
}

// listedPaths returns the paths of a dpkg .list file, without the "/." line
// that stands for the root directory.
func listedPaths(list string) []string {
	var paths []string
	for _, line := range strings.Split(list, "\n") {
		if line == "" || line == "/." {
			continue
		}
		paths = append(paths, line)
	}
	return paths
}

func describeMissing(pkg dpkgPackage, listed int, missing []string) string {
	return fmt.Sprintf("package %s %s is installed but %d of its %d listed paths are missing: %s",
		pkg.Name, pkg.Version, len(missing), listed, joinCapped(missing, maxMissingPerPackage))
}

// joinCapped joins the first max items of items with ", " and counts the
// rest.
func joinCapped(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
