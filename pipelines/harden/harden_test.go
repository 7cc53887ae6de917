package harden

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestScriptRejectsRoot(t *testing.T) {
	for _, root := range []string{"", "rootfs", "/", "//", "./x"} {
		if _, err := New().Script(root); err == nil {
			t.Errorf("Script(%q) returned no error, want one: the script would change the tool container itself", root)
		}
	}
}

func TestScriptOrder(t *testing.T) {
	script, err := New().Script("/hardened")
	if err != nil {
		t.Fatal(err)
	}
	steps := []string{
		"'apt' 'libapt-pkg6.0'",
		"--purge --force-remove-essential",
		"'bash' 'dash' 'dpkg'",
		"--purge --no-triggers",
		"Status: install ok installed",
		`rm -rf "$root"/'var/lib/apt'`,
		"chmod ug-s",
		"chmod o-w",
	}
	at := 0
	for _, step := range steps {
		i := strings.Index(script[at:], step)
		if i < 0 {
			t.Fatalf("script lacks %q after offset %d:\n%s", step, at, script)
		}
		at += i + len(step)
	}
}

func TestScriptIsValidShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to parse the script with")
	}
	for name, plan := range map[string]Plan{"default": New(), "with shells": New(WithShells())} {
		script, err := plan.Script("/hardened")
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(sh, "-n", "-c", script).CombinedOutput(); err != nil {
			t.Errorf("%s plan: sh -n rejects the script: %v\n%s", name, err, out)
		}
	}
}

func TestWithShells(t *testing.T) {
	plan := New(WithShells())
	for _, shell := range []string{"bash", "dash"} {
		if slices.Contains(plan.PurgeLast, shell) {
			t.Errorf("WithShells plan purges %s: %v", shell, plan.PurgeLast)
		}
	}
	if !slices.Contains(plan.PurgeLast, "dpkg") {
		t.Errorf("WithShells plan keeps dpkg: %v", plan.PurgeLast)
	}
	if !slices.Contains(New().PurgeLast, "bash") {
		t.Errorf("default plan keeps bash: %v", New().PurgeLast)
	}
}

func TestGlobQuote(t *testing.T) {
	tests := []struct{ glob, want string }{
		{"var/lib/apt", `'var/lib/apt'`},
		{"tmp/*", `'tmp/'*`},
		{"var/cache/debconf/*-old", `'var/cache/debconf/'*'-old'`},
		{"it's/*", `'it'\''s/'*`},
		{"*", `*`},
	}
	for _, tt := range tests {
		if got := globQuote(tt.glob); got != tt.want {
			t.Errorf("globQuote(%q) = %s, want %s", tt.glob, got, tt.want)
		}
	}
}
