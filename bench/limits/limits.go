// Package limits measures, in the benchmark's own run, what the machine can do at most: the figures
// Kring's benchmarks report their results against.
package limits

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// onAllCores runs op perCore times on each core and returns operations per second.
func onAllCores(perCore int, op func()) float64 {
	cores := runtime.GOMAXPROCS(0)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < cores; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perCore; i++ {
				op()
			}
		}()
	}
	wg.Wait()
	return float64(perCore*cores) / time.Since(start).Seconds()
}

// RSASignaturesPerSecond is how many RSA-2048 PKCS#1 v1.5 signatures all cores make per second: the
// bound on deliveries, since every inbox gets its own signature.
func RSASignaturesPerSecond(key *rsa.PrivateKey) float64 {
	digest := sha256.Sum256([]byte("benchmark"))
	return onAllCores(300, func() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
			panic(err)
		}
	})
}

// RSAVerificationsPerSecond is how many RSA-2048 signatures all cores check per second.
func RSAVerificationsPerSecond(key *rsa.PrivateKey) float64 {
	digest := sha256.Sum256([]byte("benchmark"))
	signature, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		panic(err)
	}
	return onAllCores(5000, func() {
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], signature); err != nil {
			panic(err)
		}
	})
}

// CommittedInsertsPerSecond is how many single-row inserts of 2 KiB rows, each committed on its own,
// db takes per second from workers goroutines at once: the bound on an inbox that commits every
// activity it acknowledges. It uses a table of its own, dropped afterwards.
func CommittedInsertsPerSecond(ctx context.Context, db *sql.DB, workers int) (float64, error) {
	table := "insert_probe_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+table+" (id TEXT PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
		return 0, err
	}
	defer db.ExecContext(ctx, "DROP TABLE "+table) //nolint:errcheck // a leftover probe table harms nothing
	body := strings.Repeat("x", 2048)
	const each = 100
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := strconv.Itoa(w) + "-" + strconv.Itoa(i)
				if _, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id, body) VALUES ($1, $2)", id, body); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(each*workers) / time.Since(start).Seconds(), nil
}
