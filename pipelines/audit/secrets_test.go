package audit

import "testing"

func TestIsSecretName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"DB_PASSWORD", true},
		{"PGPASSWORD", true},
		{"MYSQL_ROOT_PASSWD", true},
		{"CLIENT_SECRET", true},
		{"CLIENT_SECRETS", true},
		{"GITHUB_TOKEN", true},
		{"HF_TOKENS", true},
		{"OPENAI_API_KEY", true},
		{"APIKEY", true},
		{"STRIPE_APIKEY", true},
		{"AWS_ACCESS_KEY_ID", true},
		{"TLS_PRIVATE_KEY", true},
		{"GOOGLE_APPLICATION_CREDENTIALS", true},
		{"com.example.api-token", true},
		{"TOKENIZERS_PARALLELISM", false},
		{"NGINX_GPGKEY", false},
		{"KEYRING_DIR", false},
		{"PATH", false},
		{"LOG_DIR", false},
		{"org.opencontainers.image.source", false},
	}
	for _, tt := range tests {
		if got := isSecretName(tt.name); got != tt.want {
			t.Errorf("isSecretName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSecretValueKind(t *testing.T) {
	tests := []struct {
		value string
		want  string
	}{
		{"AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"},
		{"id=ASIAIOSFODNN7EXAMPLE;", "an AWS access key ID"},
		{"AKIAshort", ""},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIE", "a private key"},
		{"-----BEGIN PRIVATE KEY-----", "a private key"},
		{"-----BEGIN ENCRYPTED PRIVATE KEY-----", "a private key"},
		{"-----BEGIN CERTIFICATE-----", ""},
		{"ghp_0123456789abcdefghijklmnopqrstuvwxyz", "a GitHub token"},
		{"github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "a GitHub token"},
		{"ghp_short", ""},
		{"https://github.com/atlasia-ai/supplychain", ""},
	}
	for _, tt := range tests {
		if got := secretValueKind(tt.value); got != tt.want {
			t.Errorf("secretValueKind(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestLookupUID(t *testing.T) {
	passwd := "root:x:0:0:root:/root:/bin/bash\nbroken:x:abc:0::/:/bin/sh\nappuser:x:1000:1000::/app:/usr/sbin/nologin\n"
	tests := []struct {
		name    string
		wantUID int
		wantOK  bool
	}{
		{"root", 0, true},
		{"appuser", 1000, true},
		{"broken", 0, false},
		{"ghost", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		uid, ok := lookupUID(passwd, tt.name)
		if uid != tt.wantUID || ok != tt.wantOK {
			t.Errorf("lookupUID(%q) = %d, %v; want %d, %v", tt.name, uid, ok, tt.wantUID, tt.wantOK)
		}
	}
}
