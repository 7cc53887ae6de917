package audit

import (
	"reflect"
	"testing"
)

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pattern string
		name    string
		want    bool
	}{
		{"/usr/share/doc/*", "/usr/share/doc/apt/copyright", true},
		{"/usr/share/doc/*", "/usr/share/doc", false},
		{"/usr/share/doc/*/copyright", "/usr/share/doc/apt/copyright", true},
		{"/usr/share/doc/*/copyright", "/usr/share/doc/apt/examples/copyright", true},
		{"/usr/share/doc/*/copyright", "/usr/share/doc/apt/changelog.gz", false},
		{"/usr/share/man/*", "/usr/share/man/man1/ls.1.gz", true},
		{"/usr/share/locale/??/*", "/usr/share/locale/de/LC_MESSAGES/apt.mo", true},
		{"/usr/share/locale/??/*", "/usr/share/locale/pt_BR/LC_MESSAGES/apt.mo", false},
		{"/usr/share/locale/[a-m]*", "/usr/share/locale/de", true},
		{"/usr/share/locale/[!a-m]*", "/usr/share/locale/de", false},
		{"/usr/share/locale/[^a-m]*", "/usr/share/locale/pt", true},
		{"/usr/share/locale/[]x]", "/usr/share/locale/]", true},
		{"/etc/\\*", "/etc/*", true},
		{"/etc/\\*", "/etc/passwd", false},
		{"/etc/[abc", "/etc/[abc", true},
		{"*", "", true},
		{"", "", true},
		{"", "/x", false},
		{"/a**b", "/a/x/b", true},
	}
	for _, tt := range tests {
		if got := fnmatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestExcluded(t *testing.T) {
	filters := []pathFilter{
		{include: false, pattern: "/usr/share/doc/*"},
		{include: true, pattern: "/usr/share/doc/*/copyright"},
		{include: false, pattern: "/usr/share/doc/secret/*"},
	}
	tests := []struct {
		path string
		want bool
	}{
		{"/usr/share/doc/apt/changelog.gz", true},
		{"/usr/share/doc/apt/copyright", false},
		{"/usr/share/doc/secret/copyright", true},
		{"/usr/bin/apt", false},
	}
	for _, tt := range tests {
		if got := excluded(filters, tt.path); got != tt.want {
			t.Errorf("excluded(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestParseConfigLine(t *testing.T) {
	tests := []struct {
		line       string
		wantOption string
		wantValue  string
	}{
		{"path-exclude=/usr/share/doc/*", "path-exclude", "/usr/share/doc/*"},
		{"path-include /usr/share/doc/*/copyright", "path-include", "/usr/share/doc/*/copyright"},
		{"  path-exclude = \"/usr/share/man/*\"  ", "path-exclude", "/usr/share/man/*"},
		{"force-unsafe-io", "force-unsafe-io", ""},
		{"# path-exclude=/usr", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		option, value := parseConfigLine(tt.line)
		if option != tt.wantOption || value != tt.wantValue {
			t.Errorf("parseConfigLine(%q) = %q, %q; want %q, %q", tt.line, option, value, tt.wantOption, tt.wantValue)
		}
	}
}

func TestParseDpkgStatus(t *testing.T) {
	status := `Package: apt
Status: install ok installed
Priority: important
Architecture: amd64
Version: 2.6.1
Description: commandline package manager
 This package provides commandline tools.
 .
 Status: this continuation line is not a field

Package: libc6
Status: hold ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u14


Package: old-tool
Status: deinstall ok config-files
Architecture: all
Version: 1.0
`
	want := []dpkgPackage{
		{Name: "apt", Architecture: "amd64", Version: "2.6.1", Status: "install ok installed"},
		{Name: "libc6", Architecture: "amd64", Version: "2.36-9+deb12u14", Status: "hold ok installed"},
		{Name: "old-tool", Architecture: "all", Version: "1.0", Status: "deinstall ok config-files"},
	}
	got := parseDpkgStatus(status)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseDpkgStatus = %+v, want %+v", got, want)
	}

	wantInstalled := []bool{true, true, false}
	for i, pkg := range got {
		if pkg.installed() != wantInstalled[i] {
			t.Errorf("%s installed() = %v, want %v", pkg.Name, pkg.installed(), wantInstalled[i])
		}
	}
}

func TestParseDiversions(t *testing.T) {
	data := "/usr/bin/apt-key\n/usr/bin/apt-key.distrib\n:\n/bin/sh\n/bin/sh.distrib\ndash\n"
	want := map[string]diversion{
		"/usr/bin/apt-key": {to: "/usr/bin/apt-key.distrib", divertedBy: ":"},
		"/bin/sh":          {to: "/bin/sh.distrib", divertedBy: "dash"},
	}
	if got := parseDiversions(data); !reflect.DeepEqual(got, want) {
		t.Errorf("parseDiversions = %+v, want %+v", got, want)
	}
}

func TestKeepContents(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/etc/passwd", true},
		{"/var/lib/dpkg/status", true},
		{"/var/lib/dpkg/diversions", true},
		{"/var/lib/dpkg/info/apt.list", true},
		{"/var/lib/dpkg/info/libc6:amd64.list", true},
		{"/var/lib/dpkg/info/apt.md5sums", false},
		{"/var/lib/dpkg/status.d/base-files", true},
		{"/etc/dpkg/dpkg.cfg", true},
		{"/etc/dpkg/dpkg.cfg.d/excludes", true},
		{"/etc/shadow", false},
		{"/var/lib/dpkg/status-old", false},
	}
	for _, tt := range tests {
		if got := KeepContents(tt.path); got != tt.want {
			t.Errorf("KeepContents(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
