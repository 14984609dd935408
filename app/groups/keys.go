package groups

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// signingKeyBits is the RSA size every fediverse server verifies; larger keys would cost more per
// signature in fan-out for no interoperable gain.
const signingKeyBits = 2048

// KeyGenerator makes a signing key pair for a local actor: the public half as PKIX "PUBLIC KEY" PEM
// (what actor documents publish), the private half as PKCS#8 "PRIVATE KEY" PEM.
type KeyGenerator func() (publicPEM, privatePEM string, err error)

// GenerateSigningKey is the KeyGenerator every process uses: a fresh RSA-2048 key pair.
func GenerateSigningKey() (publicPEM, privatePEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return "", "", fmt.Errorf("generate RSA key: %w", err)
	}
	private, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("encode private key: %w", err)
	}
	public, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("encode public key: %w", err)
	}
	publicPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: public}))
	privatePEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: private}))
	return publicPEM, privatePEM, nil
}
