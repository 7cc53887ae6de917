package audit

import (
	"fmt"
	"path"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// binDirs are the directories searched for package manager programs. With
// merged /usr (Debian 12), /bin and /sbin are symlinks to their /usr
// counterparts, and the check reports each program once.
var binDirs = []string{"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"}

// packageManagers are the programs that install, remove or query packages:
// Debian's apt and dpkg tools, and those of Alpine, Fedora/RHEL and SUSE in
// case a base image from them slips in.
var packageManagers = []string{
	"apt", "apt-get", "apt-cache", "apt-key", "apt-config", "apt-mark", "apt-cdrom", "aptitude",
	"dpkg", "dpkg-deb", "dpkg-query", "dpkg-divert", "dpkg-split", "dpkg-trigger", "dpkg-statoverride",
	"apk", "rpm", "yum", "dnf", "microdnf", "tdnf", "zypper",
}

// checkPackageManagers passes when none of packageManagers is in binDirs. A
// package manager lets an intruder install tools, and it is itself a package
// that scanners report vulnerabilities for.
func checkPackageManagers(t *target) (Status, []string) {
	var evidence []string
	seen := map[string]bool{}
	for _, dir := range binDirs {
		for _, name := range packageManagers {
			e, ok := t.img.Lstat(path.Join(dir, name))
			if !ok || seen[e.Path] {
				continue
			}
			seen[e.Path] = true
			evidence = append(evidence, describeEntry(e))
		}
	}
	if len(evidence) > 0 {
		return Fail, capEvidence(evidence)
	}
	return Pass, []string{fmt.Sprintf("none of %s in %s", strings.Join(packageManagers, ", "), strings.Join(binDirs, ", "))}
}

// Apt's download caches and package lists, which `apt-get clean` and
// `rm -rf /var/lib/apt/lists/*` remove.
const (
	aptListsDir    = "/var/lib/apt/lists"
	aptListsLock   = "/var/lib/apt/lists/lock"
	aptCacheDir    = "/var/cache/apt"
	aptArchivesDir = "/var/cache/apt/archives"
)

// checkAptCaches passes when the image has no package lists under
// /var/lib/apt/lists (the lock file and empty directories such as partial/
// are allowed), no /var/cache/apt/*.bin caches and no downloaded .deb files
// under /var/cache/apt/archives.
func checkAptCaches(t *target) (Status, []string) {
	var found []imagefs.Entry
	for _, e := range t.filesUnder(aptListsDir) {
		if e.Type != imagefs.TypeDir && e.Path != aptListsLock {
			found = append(found, e)
		}
	}
	for _, e := range t.filesUnder(aptCacheDir) {
		if e.Type == imagefs.TypeDir {
			continue
		}
		inCacheDir := path.Dir(e.Path) == aptCacheDir && strings.HasSuffix(e.Path, ".bin")
		inArchives := strings.HasPrefix(e.Path, aptArchivesDir+"/") && strings.HasSuffix(e.Path, ".deb")
		if inCacheDir || inArchives {
			found = append(found, e)
		}
	}

	if len(found) == 0 {
		return Pass, []string{fmt.Sprintf("no package lists in %s, no *.bin in %s, no *.deb in %s", aptListsDir, aptCacheDir, aptArchivesDir)}
	}
	var total int64
	evidence := []string{""}
	for _, e := range found {
		total += e.Size
		evidence = append(evidence, fmt.Sprintf("%s (%d bytes, layer %d)", e.Path, e.Size, e.Layer))
	}
	evidence[0] = fmt.Sprintf("%d cached files, %d bytes in all", len(found), total)
	return Fail, capEvidence(evidence)
}
