package compose

import (
	"slices"
	"strings"
	"testing"
)

func TestAnchorsAndMergeKeys(t *testing.T) {
	tests := []ruleCase{
		{
			// A finding on a merged value points at each service's "<<", so
			// the two findings have different lines and keys.
			"merged into two services",
			`x-unsafe: &unsafe
  privileged: true
  network_mode: host
services:
  a:
    <<: *unsafe
  b:
    image: b:1
    <<: *unsafe
`, nil, []hit{
				{"ATL-CMP-001", "a", 6}, {"ATL-CMP-002", "a", 6},
				{"ATL-CMP-001", "b", 9}, {"ATL-CMP-002", "b", 9},
			},
		},
		{
			"alias as a value",
			`x-caps: &caps [NET_RAW]
services:
  a:
    cap_add: *caps
`, nil, []hit{{"ATL-CMP-005", "a", 4}},
		},
		{
			"alias inside an anchor",
			`x-socket: &socket /var/run/docker.sock:/var/run/docker.sock
x-mounts: &mounts
  volumes:
    - *socket
services:
  a:
    <<: *mounts
`, nil, []hit{{"ATL-CMP-003", "a", 7}},
		},
		{
			"own key wins over merged key, before or after",
			`x-base: &base
  privileged: true
  pid: host
services:
  a:
    privileged: false
    <<: *base
    pid: private
`, nil, nil,
		},
		{
			"first mapping of a merge list wins",
			`x-safe: &safe
  network_mode: bridge
x-unsafe: &unsafe
  network_mode: host
  ipc: host
services:
  a:
    <<: [*safe, *unsafe]
`, nil, []hit{{"ATL-CMP-002", "a", 8}},
		},
		{
			"inline merge mapping",
			`services:
  a:
    <<: {privileged: true}
`, nil, []hit{{"ATL-CMP-001", "a", 3}},
		},
		{
			"nested merge",
			`x-base: &base
  privileged: true
x-middle: &middle
  <<: *base
  ipc: host
services:
  a:
    <<: *middle
`, nil, []hit{{"ATL-CMP-001", "a", 8}, {"ATL-CMP-002", "a", 8}},
		},
		{
			"whole service as an alias",
			`services:
  a: &a
    privileged: true
  b: *a
`, nil, []hit{{"ATL-CMP-001", "a", 3}, {"ATL-CMP-001", "b", 4}},
		},
		{
			"reset removes a merged key",
			`x-base: &base
  privileged: true
services:
  a:
    <<: *base
    privileged: !reset null
`, nil, nil,
		},
		{
			"services merged from an anchor",
			`x-services: &services
  a:
    pid: host
services:
  <<: *services
`, nil, []hit{{"ATL-CMP-002", "a", 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hitsOfRules(t, tt.compose, "ATL-CMP-001", "ATL-CMP-002", "ATL-CMP-003", "ATL-CMP-005")
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got  %v\n want %v", got, tt.want)
			}
		})
	}
}

// hitsOfRules returns the hits of the given rules.
func hitsOfRules(t *testing.T, compose string, rules ...string) []hit {
	t.Helper()
	var out []hit
	for _, h := range hits(t, compose) {
		if slices.Contains(rules, h.rule) {
			out = append(out, h)
		}
	}
	return out
}

func TestMultipleDocuments(t *testing.T) {
	tests := []ruleCase{
		{
			"later document sets a key",
			`services:
  a:
    image: a:1
---
services:
  a:
    privileged: true
`, nil, []hit{{"ATL-CMP-001", "a", 7}},
		},
		{
			"later document overrides a key",
			`services:
  a:
    privileged: true
---
services:
  a:
    privileged: false
`, nil, nil,
		},
		{
			"sequences are appended",
			`services:
  a:
    cap_add: [NET_BIND_SERVICE]
---
services:
  a:
    cap_add: [NET_RAW]
`, nil, []hit{{"ATL-CMP-005", "a", 3}},
		},
		{
			"volumes are merged by target",
			`services:
  a:
    volumes:
      - /var/run/docker.sock:/sock
---
services:
  a:
    volumes:
      - type: bind
        source: ./sock
        target: /sock
`, nil, nil,
		},
		{
			"reset removes a key of an earlier document",
			`services:
  a:
    privileged: true
---
services:
  a:
    privileged: !reset null
`, nil, nil,
		},
		{
			"override replaces a sequence",
			`services:
  a:
    cap_add: [SYS_ADMIN]
---
services:
  a:
    cap_add: !override []
`, nil, nil,
		},
		{
			"empty documents are skipped",
			`---
---
services:
  a:
    pid: host
---
`, nil, []hit{{"ATL-CMP-002", "a", 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hitsOfRules(t, tt.compose, "ATL-CMP-001", "ATL-CMP-002", "ATL-CMP-003", "ATL-CMP-005")
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got  %v\n want %v", got, tt.want)
			}
		})
	}
}

func TestExtends(t *testing.T) {
	tests := []ruleCase{
		{
			"inherited key points at extends",
			`services:
  base:
    privileged: true
  app:
    image: app:1
    extends: base
`, nil, []hit{{"ATL-CMP-001", "base", 3}, {"ATL-CMP-001", "app", 6}},
		},
		{
			"mapping syntax and a chain",
			`services:
  app:
    extends:
      service: middle
  middle:
    extends: {service: base}
  base:
    pid: host
`, nil, []hit{{"ATL-CMP-002", "app", 3}, {"ATL-CMP-002", "middle", 6}, {"ATL-CMP-002", "base", 8}},
		},
		{
			"own key wins",
			`services:
  base:
    network_mode: host
  app:
    extends: base
    network_mode: bridge
`, nil, []hit{{"ATL-CMP-002", "base", 3}},
		},
		{
			"sequences are appended",
			`services:
  base:
    cap_add: [NET_RAW]
  app:
    extends: base
    cap_add: [SYS_ADMIN]
`, nil, []hit{{"ATL-CMP-005", "base", 3}, {"ATL-CMP-005", "app", 5}},
		},
		{
			"another file is not read",
			`services:
  app:
    extends:
      file: common.yml
      service: base
    image: app:1
`, nil, nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hitsOfRules(t, tt.compose, "ATL-CMP-001", "ATL-CMP-002", "ATL-CMP-005")
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got  %v\n want %v", got, tt.want)
			}
		})
	}

	t.Run("inherited read_only", func(t *testing.T) {
		compose := "services:\n  base:\n    read_only: true\n  app:\n    extends: base\n"
		if got := hitsOf(t, "ATL-CMP-007", compose); len(got) != 0 {
			t.Errorf("ATL-CMP-007 findings: %v, want none", got)
		}
	})
}

func TestNullService(t *testing.T) {
	got := hitsOf(t, "ATL-CMP-004", "services:\n  app:\n")
	want := []hit{{"ATL-CMP-004", "app", 2}}
	if !slices.Equal(got, want) {
		t.Errorf("ATL-CMP-004 findings: got %v, want %v", got, want)
	}
}

func TestExtendsMergesVolumesByTarget(t *testing.T) {
	compose := `services:
  base:
    volumes:
      - /var/run/docker.sock:/sock
  app:
    extends: base
    volumes:
      - ./sock:/sock
`
	got := hitsOf(t, "ATL-CMP-003", compose)
	want := []hit{{"ATL-CMP-003", "base", 4}}
	if !slices.Equal(got, want) {
		t.Errorf("ATL-CMP-003 findings: got %v, want %v", got, want)
	}
}

func TestServicesOnOneLine(t *testing.T) {
	found, err := Check([]byte("services: {a: {image: a}, b: {image: b}}\n"), "compose.yml")
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	keys := map[string]bool{}
	for _, f := range found {
		if keys[f.Key()] {
			t.Errorf("two findings share the key %q", f.Key())
		}
		keys[f.Key()] = true
	}
	for _, f := range found {
		if f.ID == "ATL-CMP-012" {
			want := `service "a" uses image "a", which has no tag`
			if !strings.HasPrefix(f.Message, want) {
				t.Errorf("message %q does not start with %q", f.Message, want)
			}
			if !strings.Contains(f.Message, `service "b" uses image "b"`) {
				t.Errorf("message %q does not name service b", f.Message)
			}
		}
	}
}
