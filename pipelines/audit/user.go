package audit

import (
	"fmt"
	"strconv"
	"strings"
)

const passwdPath = "/etc/passwd"

// checkUser passes when the image's USER is a non-zero UID, or a name that the
// image's /etc/passwd maps to a non-zero UID. An empty USER runs as root, and a
// name missing from /etc/passwd makes the container fail to start.
func checkUser(t *target) (Status, []string) {
	spec := t.cfg.User
	if spec == "" {
		return Fail, []string{"no USER instruction: the container runs as root"}
	}
	user, _, _ := strings.Cut(spec, ":")

	if uid, err := strconv.Atoi(user); err == nil {
		if uid == 0 {
			return Fail, []string{fmt.Sprintf("USER %q runs as UID 0 (root)", spec)}
		}
		return Pass, []string{fmt.Sprintf("USER %q runs as UID %d", spec, uid)}
	}
	if user == "root" {
		return Fail, []string{fmt.Sprintf("USER %q runs as root", spec)}
	}

	data, ok := t.img.File(passwdPath)
	if !ok {
		return Fail, []string{fmt.Sprintf("USER %q is a name, but %s is missing or unread, so its UID is unknown", spec, passwdPath)}
	}
	uid, found := lookupUID(string(data), user)
	switch {
	case !found:
		return Fail, []string{fmt.Sprintf("USER %q: user %q is not in %s, so the container cannot start", spec, user, passwdPath)}
	case uid == 0:
		return Fail, []string{fmt.Sprintf("USER %q: %s maps user %q to UID 0 (root)", spec, passwdPath, user)}
	default:
		return Pass, []string{fmt.Sprintf("USER %q: %s maps user %q to UID %d", spec, passwdPath, user, uid)}
	}
}

// lookupUID returns the UID of the user name in the contents of an
// /etc/passwd file, "name:password:UID:GID:GECOS:home:shell" per line. Lines
// with a UID that is not a number are skipped.
func lookupUID(passwd, name string) (int, bool) {
	for _, line := range strings.Split(passwd, "\n") {
		fields := strings.Split(line, ":")
		if len(fields) < 3 || fields[0] != name {
			continue
		}
		uid, err := strconv.Atoi(fields[2])
		if err != nil {
			continue
		}
		return uid, true
	}
	return 0, false
}
