package audit

import (
	"io/fs"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// checkSetuid passes when no file has the setuid or setgid bit. Directories
// are not reported: setgid on a directory only makes new files inherit its
// group, and grants no privilege.
func checkSetuid(t *target) (Status, []string) {
	var evidence []string
	for _, e := range t.files {
		if e.Type == imagefs.TypeDir || e.Type == imagefs.TypeSymlink {
			continue
		}
		if e.Mode&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
			evidence = append(evidence, describeEntry(e))
		}
	}
	if len(evidence) > 0 {
		return Fail, capEvidence(evidence)
	}
	return Pass, []string{"no setuid or setgid files"}
}

// exemptDirs are the directories whose contents may be world-writable. The
// FHS intends /tmp and /var/tmp for that. Container runtimes mount their own
// file systems over /dev, /proc and /sys, so the image's entries there (such
// as the device nodes that debootstrap creates) never show in a container.
var exemptDirs = []string{"/tmp/", "/var/tmp/", "/dev/", "/proc/", "/sys/"}

// checkWorldWritable passes when no file or directory is writable by every
// user. Exempt are directories with the sticky bit (such as /tmp, where users
// cannot delete each other's files) and anything below exemptDirs. Symlinks
// are exempt too, because their mode is always 0777 and grants nothing.
func checkWorldWritable(t *target) (Status, []string) {
	var evidence []string
	for _, e := range t.files {
		if e.Mode&0o002 == 0 || e.Type == imagefs.TypeSymlink {
			continue
		}
		if e.Type == imagefs.TypeDir && e.Mode&fs.ModeSticky != 0 {
			continue
		}
		if hasAnyPrefix(e.Path, exemptDirs) {
			continue
		}
		evidence = append(evidence, describeEntry(e))
	}
	if len(evidence) > 0 {
		return Fail, capEvidence(evidence)
	}
	return Pass, []string{"no world-writable files or directories outside /tmp, /var/tmp, /dev, /proc and /sys, except sticky directories"}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
