package fetch

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kring-social/kring/test/testenv"
)

// A burst of requests signed with a key Kring has not seen costs the signer's server one fetch, and
// a caller whose deadline passes stops waiting while the fetch finishes for the next one.
func TestConcurrentKeyLookupsShareOneFetch(t *testing.T) {
	t.Parallel()
	st := testenv.Postgres(t)
	actors, _ := newActors(t, st)
	aliceKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	release := make(chan struct{})
	base := server(t, func(base string, w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		<-release // a slow server: answers only when the test lets it
		body, _ := json.Marshal(aliceDocument(publicPEM(t, aliceKey))(base))
		activityJSON(w, string(body))
	})
	keyID := base + "/users/alice#main-key"

	// One caller gives up after its deadline, however long the server takes.
	impatient, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := actors.PublicKey(impatient, keyID, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lookup past its deadline: %v, want the deadline", err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key, err := actors.PublicKey(context.Background(), keyID, false)
			if err == nil && !key.Key.(*rsa.PublicKey).Equal(&aliceKey.PublicKey) {
				err = errors.New("wrong key")
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches of one actor, want 1", n)
	}
}
