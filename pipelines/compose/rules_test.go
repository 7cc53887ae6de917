package compose

import (
	"slices"
	"strings"
	"testing"
)

// ruleCase is a compose file and the findings of one rule that it gives.
type ruleCase struct {
	name    string
	compose string
	opts    []Option
	want    []hit
}

func runRuleCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := hitsOf(t, rule, tt.compose, tt.opts...)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s findings:\n got  %v\n want %v", rule, got, tt.want)
			}
		})
	}
}

func TestPrivilegedRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-001", []ruleCase{
		{"true", "services:\n  app:\n    image: a:1\n    privileged: true\n", nil, []hit{{"ATL-CMP-001", "app", 4}}},
		{"false", "services:\n  app:\n    privileged: false\n", nil, nil},
		{"missing", "services:\n  app:\n    image: a:1\n", nil, nil},
		{"yes string", "services:\n  app:\n    privileged: \"yes\"\n", nil, []hit{{"ATL-CMP-001", "app", 3}}},
		{"interpolated default", "services:\n  app:\n    privileged: ${PRIVILEGED:-true}\n", nil, []hit{{"ATL-CMP-001", "app", 3}}},
		{"unset variable", "services:\n  app:\n    privileged: ${PRIVILEGED}\n", nil, nil},
		{
			"merge key",
			`x-base: &base
  privileged: true
services:
  app:
    <<: *base
    image: a:1
  other:
    <<: *base
    privileged: false
`, nil, []hit{{"ATL-CMP-001", "app", 5}},
		},
	})
}

func TestHostNamespacesRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-002", []ruleCase{
		{"network_mode host", "services:\n  app:\n    network_mode: host\n", nil, []hit{{"ATL-CMP-002", "app", 3}}},
		{"pid host", "services:\n  app:\n    pid: host\n", nil, []hit{{"ATL-CMP-002", "app", 3}}},
		{"ipc host", "services:\n  app:\n    ipc: host\n", nil, []hit{{"ATL-CMP-002", "app", 3}}},
		{"uts host", "services:\n  app:\n    uts: host\n", nil, []hit{{"ATL-CMP-002", "app", 3}}},
		{"userns_mode host", "services:\n  app:\n    userns_mode: host\n", nil, []hit{{"ATL-CMP-002", "app", 3}}},
		{"all five", "services:\n  app:\n    network_mode: host\n    pid: host\n    ipc: host\n    uts: host\n    userns_mode: host\n", nil, []hit{
			{"ATL-CMP-002", "app", 3}, {"ATL-CMP-002", "app", 4}, {"ATL-CMP-002", "app", 5}, {"ATL-CMP-002", "app", 6}, {"ATL-CMP-002", "app", 7},
		}},
		{"bridge and private", "services:\n  app:\n    network_mode: bridge\n    ipc: private\n", nil, nil},
		{"another service's namespaces", "services:\n  app:\n    network_mode: \"service:db\"\n    pid: \"container:db\"\n  db:\n    image: db:1\n", nil, nil},
		{"interpolated", "services:\n  app:\n    network_mode: ${NETWORK_MODE:-host}\n", nil, []hit{{"ATL-CMP-002", "app", 3}}},
		{
			"external network named host",
			`services:
  app:
    networks: [outside]
networks:
  outside:
    name: host
    external: true
`, nil, []hit{{"ATL-CMP-002", "app", 3}},
		},
		{
			"external network host in mapping syntax",
			`services:
  app:
    networks:
      edge: {}
      host: {}
networks:
  edge: {}
  host:
    external: true
`, nil, []hit{{"ATL-CMP-002", "app", 5}},
		},
		{
			"legacy external name",
			`services:
  app:
    networks: [outside]
networks:
  outside:
    external:
      name: host
`, nil, []hit{{"ATL-CMP-002", "app", 3}},
		},
		{
			"project network called host",
			`services:
  app:
    networks: [host]
networks:
  host: {}
`, nil, nil,
		},
	})

	t.Run("flow mapping on one line", func(t *testing.T) {
		found, err := Check([]byte("services:\n  app: {image: a:1, network_mode: host, pid: host}\n"), "compose.yml")
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		var messages []string
		for _, f := range found {
			if f.ID == "ATL-CMP-002" {
				messages = append(messages, f.Message)
			}
		}
		if len(messages) != 1 {
			t.Fatalf("ATL-CMP-002 findings on one line: got %d, want 1 that names both keys", len(messages))
		}
		for _, key := range []string{"network_mode: host", "pid: host"} {
			if !strings.Contains(messages[0], key) {
				t.Errorf("message %q does not name %s", messages[0], key)
			}
		}
	})
}

func TestDockerSocketRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-003", []ruleCase{
		{"short syntax", "services:\n  app:\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n", nil, []hit{{"ATL-CMP-003", "app", 4}}},
		{"short syntax read-only", "services:\n  app:\n    volumes:\n      - \"/var/run/docker.sock:/sock:ro\"\n", nil, []hit{{"ATL-CMP-003", "app", 4}}},
		{"run path", "services:\n  app:\n    volumes: [\"/run/docker.sock:/var/run/docker.sock\"]\n", nil, []hit{{"ATL-CMP-003", "app", 3}}},
		{"rootless socket", "services:\n  app:\n    volumes:\n      - /run/user/1000/docker.sock:/var/run/docker.sock\n", nil, []hit{{"ATL-CMP-003", "app", 4}}},
		{"parent directory", "services:\n  app:\n    volumes:\n      - /var/run:/host/var/run:ro\n", nil, []hit{{"ATL-CMP-003", "app", 4}}},
		{"parent directory with slash", "services:\n  app:\n    volumes:\n      - /run/:/host/run\n", nil, []hit{{"ATL-CMP-003", "app", 4}}},
		{"host root", "services:\n  app:\n    volumes:\n      - /:/host:ro\n", nil, []hit{{"ATL-CMP-003", "app", 4}}},
		{"interpolated source", "services:\n  app:\n    volumes:\n      - ${DOCKER_SOCKET:-/var/run/docker.sock}:/var/run/docker.sock\n", nil, []hit{{"ATL-CMP-003", "app", 4}}},
		{
			"long syntax",
			`services:
  app:
    volumes:
      - type: bind
        source: /var/run/docker.sock
        target: /var/run/docker.sock
        read_only: true
`, nil, []hit{{"ATL-CMP-003", "app", 4}},
		},
		{
			"named volume bound to the socket",
			`services:
  app:
    volumes:
      - docker:/var/run/docker.sock
volumes:
  docker:
    driver: local
    driver_opts:
      type: none
      o: bind
      device: /var/run/docker.sock
`, nil, []hit{{"ATL-CMP-003", "app", 4}},
		},
		{
			"Windows named pipe",
			`services:
  app:
    volumes:
      - type: npipe
        source: \\.\pipe\docker_engine
        target: \\.\pipe\docker_engine
`, nil, []hit{{"ATL-CMP-003", "app", 4}},
		},
		{"anonymous volume at the socket path", "services:\n  app:\n    volumes:\n      - /var/run/docker.sock\n", nil, nil},
		{"named volume", "services:\n  app:\n    volumes:\n      - data:/var/run\nvolumes:\n  data: {}\n", nil, nil},
		{"relative bind", "services:\n  app:\n    volumes:\n      - ./run:/var/run\n", nil, nil},
		{"similar name", "services:\n  app:\n    volumes:\n      - /var/lib/docker.sock.bak:/backup\n      - /var/run-app:/run-app\n", nil, nil},
		{"tmpfs on /run", "services:\n  app:\n    volumes:\n      - type: tmpfs\n        target: /run\n", nil, nil},
	})
}

func TestCapDropRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-004", []ruleCase{
		{"missing", "services:\n  app:\n    image: a:1\n", nil, []hit{{"ATL-CMP-004", "app", 2}}},
		{"all", "services:\n  app:\n    cap_drop: [ALL]\n", nil, nil},
		{"all in lower case", "services:\n  app:\n    cap_drop:\n      - all\n", nil, nil},
		{"all among others", "services:\n  app:\n    cap_drop: [NET_RAW, ALL]\n", nil, nil},
		{"only some", "services:\n  app:\n    cap_drop: [NET_RAW, CAP_MKNOD]\n", nil, []hit{{"ATL-CMP-004", "app", 3}}},
		{"empty list", "services:\n  app:\n    cap_drop: []\n", nil, []hit{{"ATL-CMP-004", "app", 3}}},
		{"reset", "x-base: &base\n  cap_drop: [ALL]\nservices:\n  app:\n    <<: *base\n    cap_drop: !reset []\n", nil, []hit{{"ATL-CMP-004", "app", 4}}},
	})
}

func TestCapAddRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-005", []ruleCase{
		{"allowed default", "services:\n  ai-orchestrator:\n    cap_add: [NET_BIND_SERVICE]\n", nil, nil},
		{"allowed with prefix and case", "services:\n  ai-orchestrator:\n    cap_add: [cap_net_bind_service]\n", nil, nil},
		{"database defaults", "services:\n  ai-db:\n    cap_add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID]\n", nil, nil},
		{"vault defaults", "services:\n  vault:\n    cap_add: [IPC_LOCK, NET_BIND_SERVICE]\n", nil, nil},
		{"none added", "services:\n  web:\n    image: a:1\n", nil, nil},
		{"not in the allow-list", "services:\n  ai-orchestrator:\n    cap_add:\n      - NET_BIND_SERVICE\n      - NET_RAW\n", nil, []hit{{"ATL-CMP-005", "ai-orchestrator", 5}}},
		{"service without allow-list", "services:\n  web:\n    cap_add: [NET_BIND_SERVICE]\n", nil, []hit{{"ATL-CMP-005", "web", 3}}},
		{"sys_admin", "services:\n  ai-db:\n    cap_add:\n      - CHOWN\n      - CAP_SYS_ADMIN\n", nil, []hit{{"ATL-CMP-005", "ai-db", 5}}},
		{"all", "services:\n  vault:\n    cap_add: [ALL]\n", nil, []hit{{"ATL-CMP-005", "vault", 3}}},
		{"option allows", "services:\n  web:\n    cap_add: [NET_RAW]\n", []Option{WithAllowedCapabilities("web", "cap_net_raw")}, nil},
		{"option replaces the default", "services:\n  ai-orchestrator:\n    cap_add: [NET_BIND_SERVICE]\n", []Option{WithAllowedCapabilities("ai-orchestrator")}, []hit{{"ATL-CMP-005", "ai-orchestrator", 3}}},
		{"option keeps other defaults", "services:\n  vault:\n    cap_add: [IPC_LOCK]\n", []Option{WithAllowedCapabilities("web", "NET_RAW")}, nil},
	})

	t.Run("message lists rejected and allowed", func(t *testing.T) {
		found, err := Check([]byte("services:\n  ai-db:\n    cap_add: [CHOWN, SYS_ADMIN, NET_RAW, net_raw]\n"), "compose.yml")
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		for _, f := range found {
			if f.ID != "ATL-CMP-005" {
				continue
			}
			for _, want := range []string{"SYS_ADMIN, NET_RAW (allowed: CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID)", "never allowed"} {
				if !strings.Contains(f.Message, want) {
					t.Errorf("message %q does not contain %q", f.Message, want)
				}
			}
			return
		}
		t.Error("no ATL-CMP-005 finding")
	})
}

func TestNoNewPrivilegesRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-006", []ruleCase{
		{"colon true", "services:\n  app:\n    security_opt: [\"no-new-privileges:true\"]\n", nil, nil},
		{"equals true", "services:\n  app:\n    security_opt:\n      - no-new-privileges=true\n", nil, nil},
		{"bare", "services:\n  app:\n    security_opt: [no-new-privileges]\n", nil, nil},
		{"missing", "services:\n  app:\n    image: a:1\n", nil, []hit{{"ATL-CMP-006", "app", 2}}},
		{"other options only", "services:\n  app:\n    security_opt:\n      - apparmor=docker-default\n", nil, []hit{{"ATL-CMP-006", "app", 3}}},
		{"colon false", "services:\n  app:\n    security_opt:\n      - label=type:svirt_apache_t\n      - no-new-privileges:false\n", nil, []hit{{"ATL-CMP-006", "app", 5}}},
		{"equals false", "services:\n  app:\n    security_opt: [\"no-new-privileges=false\"]\n", nil, []hit{{"ATL-CMP-006", "app", 3}}},
		{"invalid value", "services:\n  app:\n    security_opt: [\"no-new-privileges:yes\"]\n", nil, []hit{{"ATL-CMP-006", "app", 3}}},
		{"last setting wins on", "services:\n  app:\n    security_opt:\n      - no-new-privileges:false\n      - no-new-privileges:true\n", nil, nil},
		{"last setting wins off", "services:\n  app:\n    security_opt:\n      - no-new-privileges\n      - no-new-privileges=0\n", nil, []hit{{"ATL-CMP-006", "app", 5}}},
	})
}

func TestReadOnlyRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-007", []ruleCase{
		{"true", "services:\n  app:\n    read_only: true\n", nil, nil},
		{"missing", "services:\n  app:\n    image: a:1\n", nil, []hit{{"ATL-CMP-007", "app", 2}}},
		{"false", "services:\n  app:\n    image: a:1\n    read_only: false\n", nil, []hit{{"ATL-CMP-007", "app", 4}}},
		{"null", "services:\n  app:\n    read_only:\n", nil, []hit{{"ATL-CMP-007", "app", 3}}},
		{"on string", "services:\n  app:\n    read_only: \"on\"\n", nil, nil},
		{"data volume and read_only", "services:\n  ai-db:\n    read_only: true\n    volumes:\n      - ai-db-data:/var/lib/postgresql/data\n", nil, nil},
		{"exempt", "services:\n  vault:\n    image: v:1\n", []Option{WithWritableRootFilesystem("vault")}, nil},
		{"exemption is per service", "services:\n  vault:\n    image: v:1\n  app:\n    image: a:1\n", []Option{WithWritableRootFilesystem("vault")}, []hit{{"ATL-CMP-007", "app", 4}}},
	})

	t.Run("message lists writable mounts", func(t *testing.T) {
		compose := `services:
  app:
    tmpfs: /run:size=1m
    volumes:
      - data:/data
      - ./config:/config:ro
      - type: volume
        source: cache
        target: /cache
`
		found, err := Check([]byte(compose), "compose.yml")
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		for _, f := range found {
			if f.ID == "ATL-CMP-007" {
				if want := "(/data, /cache, /run) stay writable"; !strings.Contains(f.Message, want) {
					t.Errorf("message %q does not contain %q", f.Message, want)
				}
				return
			}
		}
		t.Error("no ATL-CMP-007 finding")
	})
}

func TestLimitRules(t *testing.T) {
	limited := `    deploy:
      resources:
        limits:
          cpus: "0.5"
          memory: 256M
          pids: 128
`
	t.Run("deploy limits", func(t *testing.T) {
		for _, rule := range []string{"ATL-CMP-008", "ATL-CMP-009", "ATL-CMP-010"} {
			if got := hitsOf(t, rule, "services:\n  app:\n"+limited); len(got) != 0 {
				t.Errorf("%s findings: %v, want none", rule, got)
			}
		}
	})
	t.Run("service-level limits", func(t *testing.T) {
		compose := "services:\n  app:\n    cpus: 1\n    mem_limit: 1g\n    pids_limit: 100\n"
		for _, rule := range []string{"ATL-CMP-008", "ATL-CMP-009", "ATL-CMP-010"} {
			if got := hitsOf(t, rule, compose); len(got) != 0 {
				t.Errorf("%s findings: %v, want none", rule, got)
			}
		}
	})
	t.Run("missing", func(t *testing.T) {
		compose := "services:\n  app:\n    image: a:1\n    cpu_shares: 512\n"
		for _, rule := range []string{"ATL-CMP-008", "ATL-CMP-009", "ATL-CMP-010"} {
			want := []hit{{rule, "app", 2}}
			if got := hitsOf(t, rule, compose); !slices.Equal(got, want) {
				t.Errorf("%s findings: got %v, want %v", rule, got, want)
			}
		}
	})
	t.Run("limits block without values", func(t *testing.T) {
		compose := "services:\n  app:\n    deploy:\n      resources:\n        limits: {}\n"
		for _, rule := range []string{"ATL-CMP-008", "ATL-CMP-009", "ATL-CMP-010"} {
			want := []hit{{rule, "app", 2}}
			if got := hitsOf(t, rule, compose); !slices.Equal(got, want) {
				t.Errorf("%s findings: got %v, want %v", rule, got, want)
			}
		}
	})

	runRuleCases(t, "ATL-CMP-008", []ruleCase{
		{"mebibytes", "services:\n  app:\n    mem_limit: 512MiB\n", nil, nil},
		{"bytes", "services:\n  app:\n    mem_limit: 1073741824\n", nil, nil},
		{"interpolated default", "services:\n  app:\n    mem_limit: ${MEMORY:-256m}\n", nil, nil},
		{"zero", "services:\n  app:\n    mem_limit: 0\n", nil, []hit{{"ATL-CMP-008", "app", 3}}},
		{"deploy zero", "services:\n  app:\n    deploy:\n      resources:\n        limits:\n          memory: \"0\"\n", nil, []hit{{"ATL-CMP-008", "app", 6}}},
		{"unset variable", "services:\n  app:\n    mem_limit: ${MEMORY}\n", nil, []hit{{"ATL-CMP-008", "app", 3}}},
		{"invalid size", "services:\n  app:\n    mem_limit: lots\n", nil, []hit{{"ATL-CMP-008", "app", 3}}},
		{"zero in one place, set in the other", "services:\n  app:\n    mem_limit: 0\n    deploy:\n      resources:\n        limits:\n          memory: 64M\n", nil, nil},
	})
	runRuleCases(t, "ATL-CMP-009", []ruleCase{
		{"cpu_quota", "services:\n  app:\n    cpu_quota: 50000\n", nil, nil},
		{"zero cpus", "services:\n  app:\n    cpus: 0\n", nil, []hit{{"ATL-CMP-009", "app", 3}}},
		{"cpu_shares is no limit", "services:\n  app:\n    cpu_shares: 256\n", nil, []hit{{"ATL-CMP-009", "app", 2}}},
	})
	runRuleCases(t, "ATL-CMP-010", []ruleCase{
		{"unlimited", "services:\n  app:\n    pids_limit: -1\n", nil, []hit{{"ATL-CMP-010", "app", 3}}},
		{"deploy zero", "services:\n  app:\n    deploy:\n      resources:\n        limits:\n          pids: 0\n", nil, []hit{{"ATL-CMP-010", "app", 6}}},
	})
}

func TestPortsRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-011", []ruleCase{
		{"loopback", "services:\n  app:\n    ports:\n      - \"127.0.0.1:8080:8080\"\n", nil, nil},
		{"no host IP", "services:\n  app:\n    ports:\n      - \"8080:8080\"\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{"target only", "services:\n  app:\n    ports:\n      - \"8080\"\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{"integer", "services:\n  app:\n    ports:\n      - 8080\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{"with protocol", "services:\n  app:\n    ports:\n      - 5353:53/udp\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{"range", "services:\n  app:\n    ports:\n      - \"127.0.0.1:9000-9001:9000-9001\"\n      - \"9100-9101:9100-9101\"\n", nil, []hit{{"ATL-CMP-011", "app", 5}}},
		{"IPv4 any", "services:\n  app:\n    ports:\n      - \"0.0.0.0:80:80\"\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{"IPv6 any in brackets", "services:\n  app:\n    ports:\n      - \"[::]:80:80\"\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{"IPv6 any", "services:\n  app:\n    ports:\n      - \":::80:80\"\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{"IPv6 loopback in brackets", "services:\n  app:\n    ports:\n      - \"[::1]:80:80\"\n", nil, nil},
		{"IPv6 loopback", "services:\n  app:\n    ports:\n      - \"::1:80:80\"\n", nil, nil},
		{"loopback with random host port", "services:\n  app:\n    ports:\n      - \"127.0.0.1::80\"\n", nil, nil},
		{"interpolated host IP", "services:\n  app:\n    ports:\n      - \"${BIND_ADDRESS:-127.0.0.1}:80:80\"\n", nil, nil},
		{"unset host IP", "services:\n  app:\n    ports:\n      - \"${BIND_ADDRESS}:80:80\"\n", nil, []hit{{"ATL-CMP-011", "app", 4}}},
		{
			"long syntax without host_ip",
			`services:
  app:
    ports:
      - target: 80
        published: "8080"
        protocol: tcp
`, nil, []hit{{"ATL-CMP-011", "app", 4}},
		},
		{
			"long syntax with loopback",
			`services:
  app:
    ports:
      - target: 80
        host_ip: 127.0.0.1
        published: "8080"
`, nil, nil,
		},
		{
			"long syntax with any address",
			`services:
  app:
    ports:
      - target: 80
        published: "8080"
        host_ip: "::"
`, nil, []hit{{"ATL-CMP-011", "app", 6}},
		},
		{"two ports on one line", "services:\n  app:\n    ports: [\"80:80\", \"443:443\"]\n", nil, []hit{{"ATL-CMP-011", "app", 3}}},
		{"expose only", "services:\n  app:\n    expose: [\"8080\"]\n", nil, nil},
	})
}

func TestImageTagRule(t *testing.T) {
	runRuleCases(t, "ATL-CMP-012", []ruleCase{
		{"no tag", "services:\n  app:\n    image: nginx\n", nil, []hit{{"ATL-CMP-012", "app", 3}}},
		{"latest", "services:\n  app:\n    image: nginx:latest\n", nil, []hit{{"ATL-CMP-012", "app", 3}}},
		{"version tag", "services:\n  app:\n    image: nginx:1.27\n", nil, nil},
		{"digest", "services:\n  app:\n    image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000\n", nil, nil},
		{"tag and digest", "services:\n  app:\n    image: nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000\n", nil, nil},
		{"registry port without tag", "services:\n  app:\n    image: localhost:5000/team/app\n", nil, []hit{{"ATL-CMP-012", "app", 3}}},
		{"registry port with tag", "services:\n  app:\n    image: localhost:5000/team/app:2.1\n", nil, nil},
		{"default tag", "services:\n  app:\n    image: atlasia/app:${ATLASIA_VERSION:-dev}\n", nil, nil},
		{"default tag latest", "services:\n  app:\n    image: atlasia/app:${ATLASIA_VERSION:-latest}\n", nil, []hit{{"ATL-CMP-012", "app", 3}}},
		{"variable without default", "services:\n  app:\n    image: atlasia/app:${ATLASIA_VERSION}\n", nil, []hit{{"ATL-CMP-012", "app", 3}}},
		{"required variable", "services:\n  app:\n    image: atlasia/app:${ATLASIA_VERSION:?set ATLASIA_VERSION}\n", nil, nil},
		{"required reference", "services:\n  app:\n    image: ${APP_IMAGE?}\n", nil, nil},
		{"required registry only", "services:\n  app:\n    image: ${REGISTRY:?}/app\n", nil, []hit{{"ATL-CMP-012", "app", 3}}},
		{"build only", "services:\n  app:\n    build: ./app\n", nil, nil},
		{"build with untagged image", "services:\n  app:\n    build: ./app\n    image: atlasia/app\n", nil, []hit{{"ATL-CMP-012", "app", 4}}},
	})
}
