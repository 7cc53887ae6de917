package ocidigest

import (
	"strings"
	"testing"
)

func TestSHA256(t *testing.T) {
	want := "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := SHA256(nil); got != want {
		t.Errorf("SHA256(nil) = %s, want %s", got, want)
	}
}

func TestIsHex(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{strings.Repeat("a", 64), true},
		{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true},
		{strings.Repeat("a", 63), false},
		{strings.Repeat("A", 64), false},
		{strings.Repeat("g", 64), false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsHex(tt.s); got != tt.want {
			t.Errorf("IsHex(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
