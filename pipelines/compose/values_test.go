package compose

import (
	"testing"

	"gopkg.in/yaml.v3"
)

func TestInterpolate(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{"app:${TAG:-dev}", "app:dev"},
		{"app:${TAG-dev}", "app:dev"},
		{"app:${TAG}", "app:"},
		{"app:$TAG", "app:"},
		{"app:$TAG-x", "app:-x"},
		{"${TAG:+set}", ""},
		{"${TAG+set}", ""},
		{"app:${TAG:?set TAG}", "app:<required>"},
		{"app:${TAG?}", "app:<required>"},
		{"cost $$5", "cost $5"},
		{"$${TAG}", "${TAG}"},
		{"${A:-${B:-nested}}/x", "nested/x"},
		{"${A:-${B}}", ""},
		{"${A:-x}${B:-y}", "xy"},
		{"${A:-a}:${B:-b}:c", "a:b:c"},
		{"${DATABASE_URL:-postgres://${USER:-atlasia}@db/${NAME:-atlasia}?sslmode=disable}", "postgres://atlasia@db/atlasia?sslmode=disable"},
		{"trailing $", "trailing $"},
		{"$1 invalid", "$1 invalid"},
		{"${unclosed", "${unclosed"},
		{"${1bad}", "${1bad}"},
		{"${A*b}", "${A*b}"},
	}
	for _, tt := range tests {
		if got := interpolate(tt.in, "<required>"); got != tt.want {
			t.Errorf("interpolate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1024", 1024, true},
		{"256M", 256 << 20, true},
		{"256m", 256 << 20, true},
		{"512MiB", 512 << 20, true},
		{"1g", 1 << 30, true},
		{"1.5GB", 1.5 * (1 << 30), true},
		{"2 k", 2048, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"lots", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseBytes(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseBytes(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseShortVolume(t *testing.T) {
	tests := []struct {
		in   string
		want mount
	}{
		{"/var/run/docker.sock:/var/run/docker.sock:ro", mount{kind: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: true}},
		{"./data:/data", mount{kind: "bind", source: "./data", target: "/data"}},
		{"~/data:/data:rw,z", mount{kind: "bind", source: "~/data", target: "/data"}},
		{"data:/data", mount{kind: "volume", source: "data", target: "/data"}},
		{"/data", mount{kind: "volume", target: "/data"}},
		{`C:\data:/data:ro`, mount{kind: "bind", source: `C:\data`, target: "/data", readOnly: true}},
		{`\\.\pipe\docker_engine:\\.\pipe\docker_engine`, mount{kind: "bind", source: `\\.\pipe\docker_engine`, target: `\\.\pipe\docker_engine`}},
	}
	for _, tt := range tests {
		if got := parseShortVolume(tt.in); got != tt.want {
			t.Errorf("parseShortVolume(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParsePort(t *testing.T) {
	tests := []struct {
		in                        string
		hostIP, published, target string
		allInterfaces             bool
	}{
		{"8080", "", "", "8080", true},
		{"8080:80", "", "8080", "80", true},
		{"127.0.0.1:8080:80", "127.0.0.1", "8080", "80", false},
		{"127.0.0.1::80", "127.0.0.1", "", "80", false},
		{"0.0.0.0:8080:80/tcp", "0.0.0.0", "8080", "80", true},
		{"[::1]:8080:80", "::1", "8080", "80", false},
		{"::1:8080:80", "::1", "8080", "80", false},
		{"[::]:8080:80/udp", "::", "8080", "80", true},
		{"10.0.0.5:9000-9001:9000-9001", "10.0.0.5", "9000-9001", "9000-9001", false},
	}
	for _, tt := range tests {
		p, ok := parsePort(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: tt.in})
		if !ok {
			t.Errorf("parsePort(%q) failed", tt.in)
			continue
		}
		if p.hostIP != tt.hostIP || p.published != tt.published || p.target != tt.target {
			t.Errorf("parsePort(%q) = host IP %q, published %q, target %q, want %q, %q, %q", tt.in, p.hostIP, p.published, p.target, tt.hostIP, tt.published, tt.target)
		}
		if got := p.onAllInterfaces(); got != tt.allInterfaces {
			t.Errorf("parsePort(%q).onAllInterfaces() = %v, want %v", tt.in, got, tt.allInterfaces)
		}
	}
}

func TestParseNoNewPrivileges(t *testing.T) {
	tests := []struct {
		in                 string
		enabled, isSetting bool
	}{
		{"no-new-privileges", true, true},
		{"no-new-privileges:true", true, true},
		{"no-new-privileges=true", true, true},
		{"no-new-privileges=1", true, true},
		{"no-new-privileges:false", false, true},
		{"no-new-privileges=yes", false, true},
		{"seccomp=unconfined", false, false},
		{"label=type:container_t", false, false},
		{"no-new-privileges-x:true", false, false},
	}
	for _, tt := range tests {
		enabled, isSetting := parseNoNewPrivileges(tt.in)
		if enabled != tt.enabled || isSetting != tt.isSetting {
			t.Errorf("parseNoNewPrivileges(%q) = %v, %v, want %v, %v", tt.in, enabled, isSetting, tt.enabled, tt.isSetting)
		}
	}
}

func TestNormalizeCapability(t *testing.T) {
	for in, want := range map[string]string{
		"NET_ADMIN":     "NET_ADMIN",
		"net_admin":     "NET_ADMIN",
		"CAP_NET_ADMIN": "NET_ADMIN",
		"cap_sys_admin": "SYS_ADMIN",
		" all ":         "ALL",
	} {
		if got := normalizeCapability(in); got != want {
			t.Errorf("normalizeCapability(%q) = %q, want %q", in, got, want)
		}
	}
}
