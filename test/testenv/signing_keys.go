package testenv

import (
	"crypto"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/groups"
)

// fixtureKeysPEM holds RSA-2048 keys generated once for the tests (openssl genpkey), as PKCS#8
// "PRIVATE KEY" blocks.
//
//go:embed testdata/signing_keys.pem
var fixtureKeysPEM []byte

type keyPair struct{ publicPEM, privatePEM string }

// fixtureKeys decodes the fixture keys once per test process.
var fixtureKeys = sync.OnceValues(func() ([]keyPair, error) {
	var pairs []keyPair
	for rest := fixtureKeysPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return pairs, nil
		}
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("fixture key %d: %w", len(pairs), err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("fixture key %d is a %T", len(pairs), key)
		}
		public, err := x509.MarshalPKIXPublicKey(signer.Public())
		if err != nil {
			return nil, fmt.Errorf("fixture key %d: %w", len(pairs), err)
		}
		pairs = append(pairs, keyPair{
			publicPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: public})),
			privatePEM: string(pem.EncodeToMemory(block)),
		})
	}
})

// keysHandedOut counts, per running test, the fixture keys its generators have handed out, so
// every generator of one test (its wiring's and its fixtures') hands out different keys.
var keysHandedOut sync.Map // testing.TB -> *keyCounter

type keyCounter struct {
	sync.Mutex
	next int
}

// SigningKeys returns a key generator for t: it hands out the fixture keys, each at most once in
// this test, and generates fresh keys once they run out. Tests need keys that differ from each
// other within a test, not keys nobody has seen; generating an RSA-2048 key costs 100-300 ms of
// CPU and was the largest single cost of the suite.
func SigningKeys(t testing.TB) groups.KeyGenerator {
	t.Helper()
	pairs, err := fixtureKeys()
	if err != nil {
		t.Fatalf("test signing keys: %v", err)
	}
	counter, loaded := keysHandedOut.LoadOrStore(t, &keyCounter{})
	if !loaded {
		t.Cleanup(func() { keysHandedOut.Delete(t) })
	}
	c := counter.(*keyCounter)
	return func() (string, string, error) {
		c.Lock()
		defer c.Unlock()
		if c.next >= len(pairs) {
			return groups.GenerateSigningKey()
		}
		c.next++
		return pairs[c.next-1].publicPEM, pairs[c.next-1].privatePEM, nil
	}
}
