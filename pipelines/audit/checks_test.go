package audit

import (
	"strings"
	"testing"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// checkCase is a change to a captured image and the result one check must
// give on it.
type checkCase struct {
	name   string
	image  string
	change func(t *testing.T, ti *testImage)
	want   Status
	// evidence are substrings that the evidence lines must contain, in any
	// line.
	evidence []string
	// absent are substrings that no evidence line may contain, such as the
	// value of a secret.
	absent []string
}

// runCheckCases runs the check with the given ID on each case.
func runCheckCases(t *testing.T, id string, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ti := loadTestImage(t, tc.image)
			if tc.change != nil {
				tc.change(t, ti)
			}
			report := Run(tc.image, ti.build(t))
			res, ok := report.Result(id)
			if !ok {
				t.Fatalf("report has no result for %s", id)
			}

			evidence := strings.Join(res.Evidence, "\n")
			if res.Status != tc.want {
				t.Errorf("%s status = %s, want %s; evidence:\n%s", id, res.Status, tc.want, evidence)
			}
			for _, s := range tc.evidence {
				if !strings.Contains(evidence, s) {
					t.Errorf("%s evidence does not contain %q:\n%s", id, s, evidence)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(evidence, s) {
					t.Errorf("%s evidence contains %q:\n%s", id, s, evidence)
				}
			}
		})
	}
}

func TestCheckUser(t *testing.T) {
	setUser := func(user string) func(*testing.T, *testImage) {
		return func(_ *testing.T, ti *testImage) { ti.setUser(user) }
	}
	runCheckCases(t, "CIS-DI-0001", []checkCase{
		{name: "orchestrator runs as 1000", image: orchestratorImage, want: Pass, evidence: []string{`USER "1000:1000" runs as UID 1000`}},
		{name: "database runs as 999", image: databaseImage, want: Pass, evidence: []string{`USER "999:999" runs as UID 999`}},
		{name: "frontend runs as nginx UID", image: frontendImage, want: Pass, evidence: []string{`USER "101:101" runs as UID 101`}},
		{name: "debian base has no USER", image: debianImage, want: Fail, evidence: []string{"no USER instruction"}},
		{name: "root by name", image: orchestratorImage, change: setUser("root"), want: Fail, evidence: []string{`USER "root" runs as root`}},
		{name: "root name with group", image: orchestratorImage, change: setUser("root:appuser"), want: Fail, evidence: []string{"runs as root"}},
		{name: "UID 0", image: orchestratorImage, change: setUser("0"), want: Fail, evidence: []string{"UID 0"}},
		{name: "UID 0 with GID 0", image: orchestratorImage, change: setUser("0:0"), want: Fail, evidence: []string{"UID 0"}},
		{name: "non-zero UID with root group", image: orchestratorImage, change: setUser("1000:0"), want: Pass},
		{name: "name in passwd", image: orchestratorImage, change: setUser("appuser"), want: Pass, evidence: []string{`maps user "appuser" to UID 1000`}},
		{name: "system user in passwd", image: databaseImage, change: setUser("postgres"), want: Pass, evidence: []string{"to UID 999"}},
		{name: "nginx user in passwd", image: frontendImage, change: setUser("nginx:nginx"), want: Pass, evidence: []string{`maps user "nginx" to UID 101`}},
		{name: "name missing from passwd", image: orchestratorImage, change: setUser("ghost"), want: Fail, evidence: []string{`user "ghost" is not in /etc/passwd`}},
		{
			name:  "name mapped to UID 0",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.setUser("toor")
				ti.contents[passwdPath] = append(ti.contents[passwdPath], "toor:x:0:0::/root:/bin/sh\n"...)
			},
			want:     Fail,
			evidence: []string{`maps user "toor" to UID 0`},
		},
		{
			name:  "passwd missing",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.setUser("appuser")
				ti.remove(func(p string) bool { return p == passwdPath })
			},
			want:     Fail,
			evidence: []string{"/etc/passwd is missing or unread"},
		},
	})
}

func TestCheckPackageManagers(t *testing.T) {
	runCheckCases(t, "ATL-DI-0001", []checkCase{
		{
			name:     "orchestrator ships apt and dpkg",
			image:    orchestratorImage,
			want:     Fail,
			evidence: []string{"/usr/bin/apt (regular", "/usr/bin/apt-get", "/usr/bin/dpkg (regular", "/usr/bin/dpkg-query"},
			// /bin is a symlink to usr/bin: each program is reported once.
			absent: []string{"\n/bin/", "\n/sbin/"},
		},
		{name: "database ships apt and dpkg", image: databaseImage, want: Fail, evidence: []string{"/usr/bin/apt-get"}},
		{name: "debian base ships apt and dpkg", image: debianImage, want: Fail, evidence: []string{"/usr/bin/dpkg"}},
		{name: "hardened orchestrator", image: orchestratorImage, change: harden, want: Pass, evidence: []string{"none of apt, apt-get"}},
		{name: "hardened database", image: databaseImage, change: harden, want: Pass},
		{name: "frontend ships apt and dpkg", image: frontendImage, want: Fail, evidence: []string{"/usr/bin/apt-get"}},
		{name: "hardened frontend", image: frontendImage, change: harden, want: Pass},
		{
			name:  "apt purged but dpkg kept",
			image: orchestratorImage,
			change: func(t *testing.T, ti *testImage) {
				ti.purge(t, "apt")
			},
			want:     Fail,
			evidence: []string{"/usr/bin/dpkg (regular"},
			absent:   []string{"/usr/bin/apt-get"},
		},
		{
			name:  "symlink to a package manager",
			image: orchestratorImage,
			change: func(t *testing.T, ti *testImage) {
				ti.harden(t)
				ti.addEntry(imagefs.Entry{Path: "/usr/local/bin/apk", Type: imagefs.TypeSymlink, Mode: 0o777, Linkname: "/opt/apk/apk.static"})
			},
			want:     Fail,
			evidence: []string{"/usr/local/bin/apk (symlink"},
		},
	})
}

func TestCheckHealthcheck(t *testing.T) {
	setHealthcheck := func(test ...string) func(*testing.T, *testImage) {
		return func(_ *testing.T, ti *testImage) {
			ti.runtimeConfig()["Healthcheck"] = map[string]any{"Test": test}
		}
	}
	runCheckCases(t, "CIS-DI-0006", []checkCase{
		{name: "orchestrator runs its healthcheck command", image: orchestratorImage, want: Pass, evidence: []string{"HEALTHCHECK CMD /usr/local/bin/ai-orchestrator healthcheck (interval 30s)"}},
		{name: "database runs pg_isready", image: databaseImage, want: Pass, evidence: []string{"pg_isready"}},
		{name: "frontend runs its script", image: frontendImage, want: Pass, evidence: []string{"HEALTHCHECK CMD /usr/local/bin/frontend-healthcheck (interval 30s)"}},
		{name: "debian base has none", image: debianImage, want: Fail, evidence: []string{"no HEALTHCHECK instruction"}},
		{name: "NONE disables it", image: orchestratorImage, change: setHealthcheck("NONE"), want: Fail, evidence: []string{"HEALTHCHECK NONE"}},
		{name: "empty test", image: orchestratorImage, change: setHealthcheck(), want: Fail},
		{name: "shell form", image: orchestratorImage, change: setHealthcheck("CMD-SHELL", "curl -f http://localhost:8080/healthz"), want: Pass, evidence: []string{"HEALTHCHECK CMD-SHELL curl -f"}},
		{
			name:     "command with a token is redacted",
			image:    orchestratorImage,
			change:   setHealthcheck("CMD-SHELL", "curl -H 'Authorization: ghp_"+strings.Repeat("a", 36)+"' localhost"),
			want:     Pass,
			evidence: []string{"command redacted"},
			absent:   []string{"ghp_"},
		},
	})
}

func TestCheckSetuid(t *testing.T) {
	runCheckCases(t, "CIS-DI-0008", []checkCase{
		{
			name:     "orchestrator has the base's setuid and setgid files",
			image:    orchestratorImage,
			want:     Fail,
			evidence: []string{"/usr/bin/passwd (regular, mode 4755", "/usr/bin/su (regular, mode 4755", "/usr/bin/mount (regular, mode 4755", "/usr/bin/chage (regular, mode 2755, uid 0, gid 42"},
		},
		{name: "debian base", image: debianImage, want: Fail, evidence: []string{"/usr/sbin/unix_chkpwd (regular, mode 2755"}},
		{name: "frontend", image: frontendImage, want: Fail, evidence: []string{"/usr/bin/newgrp (regular, mode 4755"}},
		{name: "hardened frontend", image: frontendImage, change: harden, want: Pass},
		{name: "hardened orchestrator", image: orchestratorImage, change: harden, want: Pass, evidence: []string{"no setuid or setgid files"}},
		{
			name:  "one setuid file left",
			image: databaseImage,
			change: func(t *testing.T, ti *testImage) {
				ti.harden(t)
				ti.chmod(t, "/usr/bin/newgrp", 0o4755)
			},
			want:     Fail,
			evidence: []string{"/usr/bin/newgrp (regular, mode 4755"},
			absent:   []string{"/usr/bin/passwd"},
		},
		{
			name:  "setgid directory is not reported",
			image: orchestratorImage,
			change: func(t *testing.T, ti *testImage) {
				ti.harden(t)
				ti.chmod(t, "/var/mail", 0o2775)
			},
			want: Pass,
		},
	})
}

func TestCheckWorldWritable(t *testing.T) {
	runCheckCases(t, "ATL-DI-0003", []checkCase{
		// The debootstrap base ships /dev nodes with mode 0666 and /tmp with 1777.
		{name: "orchestrator", image: orchestratorImage, want: Pass},
		{name: "debian base with device nodes", image: debianImage, want: Pass},
		{name: "frontend", image: frontendImage, want: Pass},
		{
			name:  "world-writable directory",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addEntry(imagefs.Entry{Path: "/app/data", Type: imagefs.TypeDir, Mode: 0o777, UID: 1000, GID: 1000})
			},
			want:     Fail,
			evidence: []string{"/app/data (dir, mode 0777, uid 1000, gid 1000"},
		},
		{
			name:  "world-writable file",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile("/etc/ai-orchestrator.yaml", 0o666, "listen: :8080\n")
			},
			want:     Fail,
			evidence: []string{"/etc/ai-orchestrator.yaml (regular, mode 0666"},
		},
		{
			name:  "tmp without sticky bit",
			image: orchestratorImage,
			change: func(t *testing.T, ti *testImage) {
				ti.chmod(t, "/tmp", 0o777)
			},
			want:     Fail,
			evidence: []string{"/tmp (dir, mode 0777"},
		},
		{
			name:  "sticky directory outside tmp",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addEntry(imagefs.Entry{Path: "/app/spool", Type: imagefs.TypeDir, Mode: imagefs.FileModeFromUnix(0o1777)})
			},
			want: Pass,
		},
		{
			name:  "file inside tmp",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile("/var/tmp/cache.db", 0o666, "")
			},
			want: Pass,
		},
	})
}

func TestCheckAptCaches(t *testing.T) {
	runCheckCases(t, "DKL-DI-0005", []checkCase{
		// Both Dockerfiles run apt-get clean and rm -rf /var/lib/apt/lists/*.
		{name: "orchestrator", image: orchestratorImage, want: Pass},
		{name: "database", image: databaseImage, want: Pass},
		{name: "frontend", image: frontendImage, want: Pass},
		{
			name:  "package lists left",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile("/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", 0o644, "lists")
			},
			want:     Fail,
			evidence: []string{"1 cached files, 5 bytes in all", "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4 (5 bytes"},
		},
		{
			name:  "package caches and downloaded debs",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile("/var/cache/apt/pkgcache.bin", 0o644, "cache")
				ti.addFile("/var/cache/apt/archives/ca-certificates_20230311_all.deb", 0o644, "deb")
				ti.addFile("/var/cache/apt/archives/partial/openssl_3.0.deb", 0o644, "partial")
			},
			want:     Fail,
			evidence: []string{"3 cached files", "/var/cache/apt/pkgcache.bin", "ca-certificates_20230311_all.deb", "/var/cache/apt/archives/partial/openssl_3.0.deb"},
		},
		{
			name:  "lock file and empty partial directory",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile(aptListsLock, 0o640, "")
				ti.addEntry(imagefs.Entry{Path: "/var/lib/apt/lists/partial", Type: imagefs.TypeDir, Mode: 0o700})
			},
			want: Pass,
		},
	})
}

func TestCheckSecrets(t *testing.T) {
	awsKey := "AKIA" + strings.Repeat("Q", 16)
	githubToken := "ghp_" + strings.Repeat("x1", 18)
	privateKey := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
	env := func(kv ...string) func(*testing.T, *testImage) {
		return func(_ *testing.T, ti *testImage) { ti.addEnv(kv...) }
	}
	label := func(name, value string) func(*testing.T, *testImage) {
		return func(_ *testing.T, ti *testImage) { ti.addLabel(name, value) }
	}
	runCheckCases(t, "CIS-DI-0010", []checkCase{
		{name: "orchestrator", image: orchestratorImage, want: Pass, evidence: []string{"no secrets in 3 ENV variables, 6 labels"}},
		{name: "frontend", image: frontendImage, want: Pass},
		{
			name:     "database ships the snakeoil private key",
			image:    databaseImage,
			want:     Fail,
			evidence: []string{"/etc/ssl/private/ssl-cert-snakeoil.key (regular"},
		},
		{
			name:     "password variable",
			image:    orchestratorImage,
			change:   env("DB_PASSWORD=hunter2-correct-horse"),
			want:     Fail,
			evidence: []string{"ENV DB_PASSWORD has a secret's name and is set (value redacted, 21 characters)"},
			absent:   []string{"hunter2"},
		},
		{name: "libpq password variable", image: orchestratorImage, change: env("PGPASSWORD=s3cret"), want: Fail, evidence: []string{"ENV PGPASSWORD"}, absent: []string{"s3cret"}},
		{name: "api key variable", image: orchestratorImage, change: env("OPENAI_API_KEY=sk-abc"), want: Fail, evidence: []string{"ENV OPENAI_API_KEY"}, absent: []string{"sk-abc"}},
		{name: "access key variable", image: orchestratorImage, change: env("AWS_SECRET_ACCESS_KEY=abc"), want: Fail, evidence: []string{"ENV AWS_SECRET_ACCESS_KEY"}},
		{name: "token variable", image: orchestratorImage, change: env("VAULT_TOKEN=hvs.abc"), want: Fail, evidence: []string{"ENV VAULT_TOKEN"}, absent: []string{"hvs.abc"}},
		{name: "credentials variable", image: orchestratorImage, change: env("GOOGLE_APPLICATION_CREDENTIALS={}"), want: Fail, evidence: []string{"ENV GOOGLE_APPLICATION_CREDENTIALS"}},
		{name: "password file path", image: orchestratorImage, change: env("POSTGRES_PASSWORD_FILE=/run/secrets/db-password"), want: Pass},
		{name: "password file that is no path", image: orchestratorImage, change: env("POSTGRES_PASSWORD_FILE=hunter2"), want: Fail, evidence: []string{"ENV POSTGRES_PASSWORD_FILE"}},
		{name: "empty password", image: orchestratorImage, change: env("DB_PASSWORD="), want: Pass},
		{name: "word that only starts like token", image: orchestratorImage, change: env("TOKENIZERS_PARALLELISM=false"), want: Pass},
		{name: "GPG key fingerprint", image: orchestratorImage, change: env("NGINX_GPGKEY=573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62"), want: Pass},
		{
			name:     "AWS key under an innocent name",
			image:    orchestratorImage,
			change:   env("UPLOAD_TARGET=s3://" + awsKey + "@bucket"),
			want:     Fail,
			evidence: []string{"ENV UPLOAD_TARGET contains what looks like an AWS access key ID"},
			absent:   []string{awsKey},
		},
		{name: "GitHub token value", image: orchestratorImage, change: env("GIT_AUTH=" + githubToken), want: Fail, evidence: []string{"a GitHub token"}, absent: []string{githubToken}},
		{name: "secret label", image: orchestratorImage, change: label("com.example.api-token", "abc123"), want: Fail, evidence: []string{"LABEL com.example.api-token has a secret's name"}, absent: []string{"abc123"}},
		{name: "private key label", image: orchestratorImage, change: label("org.example.signing", privateKey), want: Fail, evidence: []string{"LABEL org.example.signing contains what looks like a private key"}, absent: []string{"b3BlbnNzaC1rZXktdjEAAAAA"}},
		{
			name:  "AWS key in a build step",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				history := ti.config["history"].([]any)
				history = append(history, map[string]any{"created_by": "/bin/sh -c aws configure set aws_access_key_id " + awsKey})
				ti.config["history"] = history
			},
			want:     Fail,
			evidence: []string{"build step 14 of the history contains what looks like an AWS access key ID (command not shown)"},
			absent:   []string{awsKey},
		},
		{
			name:  "SSH key file",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile("/app/.ssh/id_ed25519", 0o600, "key")
			},
			want:     Fail,
			evidence: []string{"/app/.ssh/id_ed25519 (regular, 3 bytes, layer 0)"},
		},
		{
			name:  "Docker credentials file",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile("/root/.docker/config.json", 0o600, "{}")
			},
			want:     Fail,
			evidence: []string{"/root/.docker/config.json"},
		},
	})
}

func TestCheckPackageDatabase(t *testing.T) {
	runCheckCases(t, "ATL-DI-0002", []checkCase{
		// rm -rf /var/lib/apt/lists/* removed the partial directory that apt
		// lists: apt's cache directories are exempt.
		{name: "orchestrator", image: orchestratorImage, want: Pass, evidence: []string{"91 installed packages in /var/lib/dpkg/status", "1 missing from apt's cleaned cache directories"}},
		{name: "database", image: databaseImage, want: Pass, evidence: []string{"124 installed packages"}},
		{name: "debian base", image: debianImage, want: Pass},
		{name: "frontend", image: frontendImage, want: Pass, evidence: []string{"105 installed packages"}},
		{name: "hardened frontend", image: frontendImage, change: harden, want: Pass, evidence: []string{"103 installed packages"}},
		{name: "hardened orchestrator", image: orchestratorImage, change: harden, want: Pass, evidence: []string{"89 installed packages"}},
		{name: "hardened database", image: databaseImage, change: harden, want: Pass},
		{
			name:  "package manager deleted by hand",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.remove(func(p string) bool { return strings.HasPrefix(p, "/usr/bin/apt") })
			},
			want:     Fail,
			evidence: []string{"package apt 2.6.1 is installed but 7 of its 374 listed paths are missing: /usr/bin/apt, /usr/bin/apt-cache"},
		},
		{
			name:  "status entry deleted by hand",
			image: orchestratorImage,
			change: func(t *testing.T, ti *testImage) {
				ti.removeStatusEntries(t, "apt")
			},
			want:     Fail,
			evidence: []string{"package apt is not in /var/lib/dpkg/status, but 201 files that /var/lib/dpkg/info/apt.list lists are present: /etc/apt/apt.conf.d/01autoremove"},
		},
		{
			name:  "status entry and file list deleted by hand",
			image: orchestratorImage,
			change: func(t *testing.T, ti *testImage) {
				ti.removeStatusEntries(t, "apt")
				ti.remove(func(p string) bool { return p == dpkgInfoDir+"/apt.list" })
			},
			want:     Fail,
			evidence: []string{"30 files in /usr/bin, /usr/sbin, /usr/lib belong to no installed package, so scanners do not see them: /usr/bin/apt, /usr/bin/apt-cache"},
		},
		{
			name:  "binary copied into /usr/bin",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.addFile("/usr/bin/yq", 0o755, "binary")
			},
			want:     Fail,
			evidence: []string{"1 files in /usr/bin, /usr/sbin, /usr/lib belong to no installed package, so scanners do not see them: /usr/bin/yq"},
		},
		{
			name:  "file list missing",
			image: databaseImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.remove(func(p string) bool { return p == dpkgInfoDir+"/libc6:amd64.list" })
			},
			want:     Fail,
			evidence: []string{"package libc6 2.36-9+deb12u14 is installed but has no file list: neither /var/lib/dpkg/info/libc6:amd64.list nor /var/lib/dpkg/info/libc6.list exists"},
		},
		{
			name:  "status file missing",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.remove(func(p string) bool { return p == dpkgStatusPath })
			},
			want:     Fail,
			evidence: []string{"/var/lib/dpkg/status is missing: scanners would find no OS packages"},
		},
		{
			name:  "status file lists nothing installed",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.contents[dpkgStatusPath] = []byte("Package: apt\nStatus: deinstall ok config-files\nVersion: 2.6.1\n")
			},
			want:     Fail,
			evidence: []string{"lists no installed packages"},
		},
		{
			name:  "docs deleted by hand",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.remove(func(p string) bool { return strings.HasPrefix(p, "/usr/share/doc/") })
			},
			want:     Fail,
			evidence: []string{"/usr/share/doc/", "… and "},
		},
		{
			name:  "docs skipped by dpkg path-exclude",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.remove(func(p string) bool {
					return strings.HasPrefix(p, "/usr/share/doc/") && ti.files[p].Type != imagefs.TypeDir && !strings.HasSuffix(p, "/copyright")
				})
				ti.addFile(dpkgConfigDir+"/excludes", 0o644, "# keep copyright notices\npath-exclude=/usr/share/doc/*\npath-include /usr/share/doc/*/copyright\n")
			},
			want:     Pass,
			evidence: []string{"missing because dpkg path-exclude options skipped them"},
		},
		{
			name:  "path-include re-includes deleted copyright files",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.remove(func(p string) bool { return strings.HasPrefix(p, "/usr/share/doc/") })
				ti.addFile(dpkgConfigDir+"/excludes", 0o644, "path-exclude=/usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\n")
			},
			want:     Fail,
			evidence: []string{"/usr/share/doc/apt/copyright"},
		},
		{
			name:  "diverted file",
			image: orchestratorImage,
			change: func(_ *testing.T, ti *testImage) {
				e := ti.files["/usr/bin/apt-key"]
				delete(ti.files, "/usr/bin/apt-key")
				e.Path = "/usr/bin/apt-key.distrib"
				ti.files[e.Path] = e
				ti.addFile(dpkgDiversionsPath, 0o644, "/usr/bin/apt-key\n/usr/bin/apt-key.distrib\n:\n")
			},
			want: Pass,
		},
		{
			name:  "many packages with missing files",
			image: databaseImage,
			change: func(_ *testing.T, ti *testImage) {
				ti.remove(func(p string) bool { return strings.HasPrefix(p, "/usr/share/") })
			},
			want:     Fail,
			evidence: []string{"… and "},
		},
	})
}

func TestCheckPackageDatabaseEvidenceCap(t *testing.T) {
	ti := loadTestImage(t, databaseImage)
	ti.remove(func(p string) bool { return strings.HasPrefix(p, "/usr/") })
	res, _ := Run(databaseImage, ti.build(t)).Result("ATL-DI-0002")

	if len(res.Evidence) != maxEvidence {
		t.Errorf("got %d evidence lines, want the cap of %d", len(res.Evidence), maxEvidence)
	}
	last := res.Evidence[len(res.Evidence)-1]
	if !strings.HasPrefix(last, "… and ") || !strings.HasSuffix(last, " more") {
		t.Errorf("last evidence line = %q, want a count of the lines left out", last)
	}
}

// harden is (*testImage).harden as a checkCase change.
func harden(t *testing.T, ti *testImage) {
	ti.harden(t)
}
