package audit

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// secretWords are the words of a variable or label name that mark it as a
// secret. A word matches when it ends with one of them, once a plural "S" is
// dropped, so PGPASSWORD and DB_PASSWORDS match and TOKENIZERS_PARALLELISM
// does not.
var secretWords = []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL"}

// secretKeyWords are the words that mark a name as a secret when KEY follows
// them, as in API_KEY, or when KEY ends them, as in APIKEY.
var secretKeyWords = []string{"API", "PRIVATE", "ACCESS"}

// pathSuffixes are the last words of names whose values are paths to a
// secret, not the secret itself, as in the Docker secrets convention
// POSTGRES_PASSWORD_FILE=/run/secrets/db-password.
var pathSuffixes = []string{"FILE", "PATH", "DIR"}

// secretPatterns match values that are secrets whatever their name.
var secretPatterns = []struct {
	kind    string
	pattern *regexp.Regexp
}{
	{"an AWS access key ID", regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a private key", regexp.MustCompile(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`)},
	{"a GitHub token", regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b`)},
}

// secretFileNames are file names that hold credentials: SSH keys, Git, curl
// and PostgreSQL password files, and the names that Dockle's CIS-DI-0010 also
// reports.
var secretFileNames = []string{
	"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
	".git-credentials", ".netrc", ".pgpass", ".htpasswd",
	"credentials.json", "credential.json", "password.txt",
}

// secretFileSuffixes are path suffixes of credential files: Docker's and the
// AWS CLI's, and the extensions of key stores and VPN profiles.
var secretFileSuffixes = []string{
	"/.docker/config.json", "/.aws/credentials",
	".ovpn", ".private_key", ".secret", ".psafe3", ".keychain", ".agilekeychain", ".jks",
}

// privateKeyDir is Debian's directory for TLS private keys, such as the
// snakeoil key that the ssl-cert package generates at install time. A key
// baked into an image is shared by every container made from it.
const privateKeyDir = "/etc/ssl/private/"

// checkSecrets passes when no environment variable, label or build step holds
// a secret, and no layer ships a credential file. Variables and labels are
// judged by name (secretWords, secretKeyWords) and by value (secretPatterns),
// build steps by value only. Files are judged by name in every layer,
// including files that a later layer deleted, because their bytes still ship.
// Evidence never contains a value.
func checkSecrets(t *target) (Status, []string) {
	var evidence []string
	for _, kv := range t.cfg.Env {
		name, value, _ := strings.Cut(kv, "=")
		evidence = append(evidence, judgeSetting("ENV", name, value)...)
	}
	for _, name := range sortedLabelNames(t.cfg.Labels) {
		evidence = append(evidence, judgeSetting("LABEL", name, t.cfg.Labels[name])...)
	}
	for i, h := range t.cfg.History {
		if kind := secretValueKind(h.CreatedBy); kind != "" {
			evidence = append(evidence, fmt.Sprintf("build step %d of the history contains what looks like %s (command not shown)", i, kind))
		}
	}
	if hc := t.cfg.Healthcheck; hc != nil {
		if kind := secretValueKind(strings.Join(hc.Test, " ")); kind != "" {
			evidence = append(evidence, fmt.Sprintf("HEALTHCHECK command contains what looks like %s (command not shown)", kind))
		}
	}
	for _, lp := range t.img.PathsInAnyLayer(isSecretFile) {
		if lp.Type == imagefs.TypeDir {
			continue
		}
		line := fmt.Sprintf("%s (%s, %d bytes, layer %d)", lp.Path, lp.Type, lp.Size, lp.Layer)
		if lp.Removed {
			line += ": deleted by a later layer, but its bytes still ship"
		}
		evidence = append(evidence, line)
	}

	if len(evidence) > 0 {
		return Fail, capEvidence(evidence)
	}
	return Pass, []string{fmt.Sprintf("no secrets in %d ENV variables, %d labels, %d build steps or file names", len(t.cfg.Env), len(t.cfg.Labels), len(t.cfg.History))}
}

// judgeSetting returns the evidence lines for an ENV variable or LABEL
// (kind) with the given name and value: none when it holds no secret.
func judgeSetting(kind, name, value string) []string {
	if value == "" {
		return nil
	}
	if valueKind := secretValueKind(value); valueKind != "" {
		return []string{fmt.Sprintf("%s %s contains what looks like %s (value redacted, %d characters)", kind, name, valueKind, len(value))}
	}
	if isSecretName(name) && !isPathToSecret(name, value) {
		return []string{fmt.Sprintf("%s %s has a secret's name and is set (value redacted, %d characters)", kind, name, len(value))}
	}
	return nil
}

// nameWords splits a variable or label name into upper-case words at "_",
// "-" and ".".
func nameWords(name string) []string {
	return strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool {
		return r == '_' || r == '-' || r == '.'
	})
}

func isSecretName(name string) bool {
	words := nameWords(name)
	for i, word := range words {
		singular := strings.TrimSuffix(word, "S")
		for _, w := range secretWords {
			if strings.HasSuffix(word, w) || strings.HasSuffix(singular, w) {
				return true
			}
		}
		for _, w := range secretKeyWords {
			if strings.HasSuffix(word, w+"KEY") || strings.HasSuffix(singular, w+"KEY") {
				return true
			}
			if strings.HasSuffix(word, w) && i+1 < len(words) && strings.TrimSuffix(words[i+1], "S") == "KEY" {
				return true
			}
		}
	}
	return false
}

// isPathToSecret reports whether name ends with a word of pathSuffixes and
// value is an absolute path.
func isPathToSecret(name, value string) bool {
	words := nameWords(name)
	if len(words) == 0 || !strings.HasPrefix(value, "/") || strings.ContainsAny(value, " \t\n") {
		return false
	}
	last := words[len(words)-1]
	for _, suffix := range pathSuffixes {
		if last == suffix {
			return true
		}
	}
	return false
}

// secretValueKind returns what kind of secret s contains, such as "a private
// key", or "" when it matches none of secretPatterns.
func secretValueKind(s string) string {
	for _, p := range secretPatterns {
		if p.pattern.MatchString(s) {
			return p.kind
		}
	}
	return ""
}

func isSecretFile(p string) bool {
	if strings.HasPrefix(p, privateKeyDir) {
		return true
	}
	base := path.Base(p)
	for _, name := range secretFileNames {
		if base == name {
			return true
		}
	}
	for _, suffix := range secretFileSuffixes {
		if strings.HasSuffix(p, suffix) {
			return true
		}
	}
	return false
}

func sortedLabelNames(labels map[string]string) []string {
	names := make([]string, 0, len(labels))
	for name := range labels {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
