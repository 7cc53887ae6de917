// Package ocidigest computes and checks the sha256 digests that name the
// blobs of container image tarballs.
package ocidigest

import (
	"crypto/sha256"
	"encoding/hex"
)

// SHA256 returns the OCI digest of data: "sha256:" and 64 hex digits.
func SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// IsHex reports whether s is the encoded part of a sha256 digest: 64
// lowercase hex digits.
func IsHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
