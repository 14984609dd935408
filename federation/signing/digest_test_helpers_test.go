package signing

import (
	"crypto/sha256"
	"encoding/base64"
)

func sha256Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}
