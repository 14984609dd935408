package inbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/kring-social/kring/app/community"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/events"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/membership"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/organisations"
	"github.com/kring-social/kring/app/reports"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/app/web"
	"github.com/kring-social/kring/federation"
	"github.com/kring-social/kring/federation/delivery"
	"github.com/kring-social/kring/federation/inbox"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// remotePeer is another fediverse server on loopback: it serves its users' actor documents and
// records what arrives at their inboxes.
type remotePeer struct {
	t        *testing.T
	server   *httptest.Server
	mu       sync.Mutex
	users    map[string]*rsa.PrivateKey
	posts    []receivedPost
	fetched  []string          // paths of the GETs that reached the peer
	software string            // the NodeInfo software name; no NodeInfo when empty
	objects  map[string][]byte // documents served by path, such as posts fetched by id
}

type receivedPost struct {
	Path   string
	Host   string
	Header http.Header
	Body   []byte
}

func newRemotePeer(t *testing.T) *remotePeer { return newRemotePeerAt(t, "127.0.0.1", "") }

// newRemotePeerAt starts a peer on its own loopback address (Kring keys what it knows of a server by
// host name, so two peers need two addresses) that says it runs software.
func newRemotePeerAt(t *testing.T, address, software string) *remotePeer {
	p := &remotePeer{t: t, users: map[string]*rsa.PrivateKey{}, software: software, objects: map[string][]byte{}}
	listener, err := net.Listen("tcp", address+":0")
	if err != nil {
		t.Fatal(err)
	}
	p.server = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.server.Listener.Close()
	p.server.Listener = listener
	p.server.Start()
	t.Cleanup(p.server.Close)
	return p
}

// serveObject makes the peer answer GETs of path with doc.
func (p *remotePeer) serveObject(path string, doc []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.objects[path] = doc
}

func (p *remotePeer) addUser(name string) *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[name] = key
	return key
}

func (p *remotePeer) actor(name string) string { return p.server.URL + "/users/" + name }

func (p *remotePeer) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		p.posts = append(p.posts, receivedPost{Path: r.URL.Path, Host: r.Host, Header: r.Header.Clone(), Body: body})
		w.WriteHeader(http.StatusAccepted)
		return
	}
	p.fetched = append(p.fetched, r.URL.Path)
	if doc, ok := p.objects[r.URL.Path]; ok {
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(doc)
		return
	}
	if p.software != "" && r.URL.Path == "/.well-known/nodeinfo" {
		_ = json.NewEncoder(w).Encode(map[string]any{"links": []any{map[string]any{
			"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": p.server.URL + "/nodeinfo/2.1"}}})
		return
	}
	if p.software != "" && r.URL.Path == "/nodeinfo/2.1" {
		_ = json.NewEncoder(w).Encode(map[string]any{"version": "2.1", "software": map[string]any{"name": p.software}})
		return
	}
	var name string
	if _, err := fmt.Sscanf(r.URL.Path, "/users/%s", &name); err != nil || p.users[name] == nil {
		http.NotFound(w, r)
		return
	}
	der, _ := x509.MarshalPKIXPublicKey(&p.users[name].PublicKey)
	actor := p.actor(name)
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":       actor, "type": "Person", "preferredUsername": name,
		"inbox": actor + "/inbox", "followers": actor + "/followers",
		"publicKey": map[string]any{"id": actor + "#main-key", "owner": actor, "publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))},
	}
	w.Header().Set("Content-Type", "application/activity+json")
	_ = json.NewEncoder(w).Encode(doc)
}

// fetches lists the paths Kring fetched from the peer.
func (p *remotePeer) fetches() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.fetched...)
}

func (p *remotePeer) received() []receivedPost {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]receivedPost(nil), p.posts...)
}

// receivedOfType is what the peer received of one activity type (a group's Accept and its welcome's
// Create reach a new member together).
func (p *remotePeer) receivedOfType(activityType string) []receivedPost {
	var out []receivedPost
	for _, post := range p.received() {
		var doc struct{ Type string }
		if json.Unmarshal(post.Body, &doc) == nil && doc.Type == activityType {
			out = append(out, post)
		}
	}
	return out
}

// kringUnderTest is the inbox and its worker side, on a real database, served over real HTTP.
type kringUnderTest struct {
	store     *store.Store
	iris      federation.IRIs
	server    *httptest.Server
	processor *inbox.Processor
	deliverer *delivery.Deliverer
	open      model.Group
	approval  model.Group
	talk      *conversations.Service
	members   *membership.Service
	community *community.Service
	reports   *reports.Service
	events    *events.Service
}

// postLimits are the rate limits the harness's groups apply: low enough for a test to reach.
var postLimits = conversations.Limits{Window: time.Hour, PerActor: 5, PerHost: 50}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func newKring(t *testing.T, st *store.Store) *kringUnderTest { return newKringWith(t, st, nil) }

// newKringWith is newKring with the receiver's configuration adjusted first.
func newKringWith(t *testing.T, st *store.Store, adjust func(*inbox.ReceiverConfig)) *kringUnderTest {
	t.Helper()
	return newKringWired(t, st, nil, adjust)
}

// newKringWired is newKringWith with the wiring's configuration adjusted too.
func newKringWired(t *testing.T, st *store.Store, wire func(*wiring.Config), adjust func(*inbox.ReceiverConfig)) *kringUnderTest {
	t.Helper()
	ctx := context.Background()
	served := testenv.ServeEngine(t, web.Options{})
	engine, server, iris := served.Engine, served.Server, served.IRIs

	if _, err := organisations.NewService(st).CreateOrganisation(ctx, "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	groupService := testenv.Groups(t, st)
	open, err := groupService.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "lobby", Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	approval, err := groupService.CreateGroup(ctx, groups.NewGroup{OrganisationSlug: "acme", Slug: "inner", Name: "Inner", ApproveFollowers: true})
	if err != nil {
		t.Fatal(err)
	}
	public, err := url.Parse(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	config := wiring.Config{PublicURL: public, Version: "test", FetchAllow: loopback, SigningKeys: testenv.SigningKeys(t),
		FetchTimeout: 5 * time.Second, PostLimits: postLimits}
	if wire != nil {
		wire(&config)
	}
	fed, err := wiring.Build(ctx, config, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Scheme stays empty (https): the tests sign RFC 9421's @target-uri as if behind the TLS proxy.
	// Admission is wide open: the tests' bursts measure quotas and races, which a full inbox's 503
	// would hide; overload_test.go narrows it to test admission itself.
	receiver := inbox.ReceiverConfig{Store: st, IRIs: iris, Verifier: &signing.Verifier{Resolver: fed.KeyResolver()},
		MaxInFlight: 1000}
	if adjust != nil {
		adjust(&receiver)
	}
	inbox.NewReceiver(receiver).Mount(engine)
	return &kringUnderTest{
		store: st, iris: iris, server: server, open: open, approval: approval, talk: fed.Conversations, reports: fed.Reports,
		members: fed.Membership, community: fed.Community, events: fed.Events,
		processor: fed.Processor(), deliverer: fed.Deliverer(),
	}
}

// post sends body to path, signed by keyID with key (unsigned when key is nil).
func (k *kringUnderTest) post(t *testing.T, path string, body []byte, keyID string, key *rsa.PrivateKey, adjust func(*http.Request)) int {
	t.Helper()
	status, _ := k.postReading(t, path, body, keyID, key, adjust)
	return status
}

// postReading is post that also returns the answer's body.
func (k *kringUnderTest) postReading(t *testing.T, path string, body []byte, keyID string, key *rsa.PrivateKey, adjust func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, k.server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if key != nil {
		if err := (signing.Signer{KeyID: keyID, Key: key}).Sign(req, body); err != nil {
			t.Fatal(err)
		}
	}
	if adjust != nil {
		adjust(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(answer)
}

func follow(id, actor, object string) []byte {
	body, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Follow", "actor": actor, "object": object})
	return body
}

// queued lists the outbox tasks of one type, oldest first; for the processing of inbound activities,
// also the tasks of those pending without a row (model.QueuedTask.Unrecorded), as the broker has
// them.
func queued(t *testing.T, st *store.Store, taskType string) []model.QueuedTask {
	t.Helper()
	var rows []model.QueuedTask
	if err := st.DB().Where("task_type = ?", taskType).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if taskType != tasks.TypeProcessInbound {
		return rows
	}
	var pending []string
	if err := st.DB().Raw(harnessPendingInbound, model.InboundPending).Scan(&pending).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range pending {
		payload, err := json.Marshal(tasks.ProcessInboundPayload{InboundActivityID: id})
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, model.QueuedTask{ID: id, TaskType: taskType, Payload: string(payload), Unrecorded: true})
	}
	return rows
}

// runQueued runs every queued task of the type through fn, as a worker would: with the task in hand
// in its context, and its row deleted afterwards unless the task's last write did.
func runQueued(t *testing.T, st *store.Store, taskType string, fn func(ctx context.Context, payload []byte) error) {
	t.Helper()
	for _, row := range queued(t, st, taskType) {
		ctx, inHand := store.WithTaskInHand(context.Background(), row.ID)
		if err := fn(ctx, []byte(row.Payload)); err != nil {
			t.Fatalf("%s task %s: %v", taskType, row.ID, err)
		}
		if inHand.Completed() {
			continue
		}
		if err := st.CompleteTask(context.Background(), row.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func (k *kringUnderTest) processInbound(t *testing.T) {
	runQueued(t, k.store, tasks.TypeProcessInbound, func(ctx context.Context, payload []byte) error {
		var p tasks.ProcessInboundPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		return k.processor.Process(ctx, p.InboundActivityID)
	})
}

// deliverAll runs the queued deliveries, one each and in batches, as the worker would.
func (k *kringUnderTest) deliverAll(t *testing.T) {
	runQueued(t, k.store, tasks.TypeDeliverActivity, func(ctx context.Context, payload []byte) error {
		var p tasks.DeliverActivityPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		return k.deliverer.Deliver(ctx, p.DeliveryID, false)
	})
	runQueued(t, k.store, tasks.TypeDeliverBatch, func(ctx context.Context, payload []byte) error {
		var p tasks.DeliverBatchPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		return k.deliverer.DeliverBatch(ctx, p.DeliveryIDs)
	})
}
