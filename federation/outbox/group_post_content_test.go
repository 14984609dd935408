package outbox_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/kring-social/kring/app/apperror"
	"github.com/kring-social/kring/app/conversations"
	"github.com/kring-social/kring/app/groups"
	"github.com/kring-social/kring/app/model"
	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/federation/signing"
	"github.com/kring-social/kring/federation/wiring"
	"github.com/kring-social/kring/test/testenv"
)

// mentionedServer is another server with one account, carol: it answers WebFinger and her actor
// document, and keeps what her inbox is sent, with who signed it.
type mentionedServer struct {
	host     string // 127.0.0.1:port
	actorIRI string
	mu       sync.Mutex
	received []received
	verifier *signing.Verifier
}

type received struct {
	signer string
	doc    map[string]any
}

func newMentionedServer(t *testing.T, kringKeys signing.PublicKeyResolver) *mentionedServer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	publicPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	m := &mentionedServer{verifier: &signing.Verifier{Resolver: kringKeys}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := "http://" + m.host
		switch {
		case r.URL.Path == "/.well-known/webfinger" && r.URL.Query().Get("resource") == "acct:carol@"+m.host:
			w.Header().Set("Content-Type", "application/jrd+json")
			_ = json.NewEncoder(w).Encode(map[string]any{"subject": "acct:carol@" + m.host,
				"links": []any{map[string]any{"rel": "self", "type": "application/activity+json", "href": m.actorIRI}}})
		case r.URL.Path == "/users/carol" && r.Method == http.MethodGet:
			w.Header().Set("Content-Type", "application/activity+json")
			_ = json.NewEncoder(w).Encode(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": m.actorIRI,
				"type": "Person", "preferredUsername": "carol", "inbox": base + "/users/carol/inbox", "url": base + "/@carol",
				"publicKey": map[string]any{"id": m.actorIRI + "#main-key", "owner": m.actorIRI, "publicKeyPem": publicPEM}})
		case r.URL.Path == "/users/carol/inbox" && r.Method == http.MethodPost:
			body, _ := io.ReadAll(r.Body)
			verified, err := m.verifier.Verify(r.Context(), r, body)
			if err != nil {
				t.Errorf("carol's inbox: unverified delivery: %v", err)
				http.Error(w, "unsigned", http.StatusUnauthorized)
				return
			}
			var doc map[string]any
			_ = json.Unmarshal(body, &doc)
			m.mu.Lock()
			m.received = append(m.received, received{signer: verified.OwnerIRI, doc: doc})
			m.mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	m.host = strings.TrimPrefix(srv.URL, "http://")
	m.actorIRI = srv.URL + "/users/carol"
	return m
}

// groupKeys resolves the keys of Kring's groups from the store, as a follower's server would by
// fetching the group's actor.
type groupKeys struct{ st *store.Store }

func (g groupKeys) PublicKey(ctx context.Context, keyID string, _ bool) (signing.VerifiedKey, error) {
	owner, _, _ := strings.Cut(keyID, "#")
	slug := owner[strings.LastIndex(owner, "/")+1:]
	group, err := g.st.GroupBySlug(ctx, slug)
	if err != nil {
		return signing.VerifiedKey{}, err
	}
	key, err := g.st.ActiveGroupKey(ctx, group.ID)
	if err != nil {
		return signing.VerifiedKey{}, err
	}
	block, _ := pem.Decode([]byte(key.PublicPEM))
	public, err := x509.ParsePKIXPublicKey(block.Bytes)
	return signing.VerifiedKey{KeyID: keyID, OwnerIRI: owner, Key: public}, err
}

// testJPEG is a small photo.
func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGroupPostCarriesHashtagsMentionsLanguageAndPictures: a post written as the group with a
// hashtag, a mention of an account on another server, a language and a picture under a content
// warning goes out as Mastodon expects it: the Note's tag has the Hashtag and the Mention, cc (of
// the Note and the Create) has the mentioned actor, contentMap has the language, the picture is a
// Document attachment with its alt text and size, and the Note is sensitive; carol's inbox, though
// she follows nobody here, is sent the Create, signed by the group. An edit (new alt text, the
// mention kept) sends an Update that carries them all. A mention that cannot be found refuses the
// post before anything is stored or queued.
func TestGroupPostCarriesHashtagsMentionsLanguageAndPictures(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newBanFixture(t, st)
		carol := newMentionedServer(t, groupKeys{st})
		media := t.TempDir()
		fed, err := wiring.Build(ctx, wiring.Config{PublicURL: &url.URL{Scheme: "http", Host: "kring.example"}, Version: "test",
			SigningKeys: testenv.SigningKeys(t), MediaDir: media, FetchAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		picture, err := fed.Groups.StorePostImage(ctx, groups.MediaFiles{Dir: media}, testJPEG(t, 3000, 1500))
		if err != nil {
			t.Fatal(err)
		}
		if picture.Width != groups.MaxPostImageSide || picture.Height != groups.MaxPostImageSide/2 || !groups.ValidPostMediaName(picture.Name) {
			t.Fatalf("stored picture %+v, want 1920x960 under a post's name", picture)
		}

		handle := "@carol@" + carol.host
		if _, err := fed.Conversations.PublishAsGroup(ctx, f.group.ID, nil, conversations.Draft{Text: "Hi @nobody@" + carol.host}); apperror.KindOf(err) != apperror.KindInvalid ||
			!strings.Contains(apperror.SafeMessage(err), "@nobody@"+carol.host) {
			t.Errorf("an unknown mention: %v, want invalid naming it", err)
		}
		if creates := f.sentOfType(t, "Create"); len(creates) != 0 {
			t.Fatalf("a refused post queued %d Creates", len(creates))
		}

		draft := conversations.Draft{Text: "Spring #Gardening day with " + handle + "! https://example.org/#notatag", Summary: "Mud",
			Language: "de", Images: []conversations.DraftImage{{Name: picture.Name, Alt: "Two spades in wet soil"}}}
		post, err := fed.Conversations.PublishAsGroup(ctx, f.group.ID, nil, draft)
		if err != nil {
			t.Fatal(err)
		}
		creates := f.sentOfType(t, "Create")
		var toCarol *sent
		for i := range creates {
			if creates[i].Inbox == "http://"+carol.host+"/users/carol/inbox" {
				toCarol = &creates[i]
			}
		}
		if len(creates) != 3 || toCarol == nil {
			t.Fatalf("Create queued to %d inboxes (want the two followers' and carol's): %+v", len(creates), creates)
		}
		tagURL := fed.IRIs.GroupTag("lobby", "gardening")
		checkNote := func(t *testing.T, activity map[string]any, alt string) {
			t.Helper()
			note, _ := activity["object"].(map[string]any)
			if !contains(activity["cc"], carol.actorIRI) || !contains(note["cc"], carol.actorIRI) {
				t.Errorf("cc of the activity %v and the Note %v lack carol", activity["cc"], note["cc"])
			}
			wantTags := []any{map[string]any{"type": "Hashtag", "href": tagURL, "name": "#Gardening"},
				map[string]any{"type": "Mention", "href": carol.actorIRI, "name": handle}}
			if !jsonEqual(note["tag"], wantTags) {
				t.Errorf("tag = %v, want %v", note["tag"], wantTags)
			}
			wantAttachment := []any{map[string]any{"type": "Document", "mediaType": "image/jpeg", "url": "http://kring.example/media/" + picture.Name,
				"name": alt, "width": 1920, "height": 960}}
			if !jsonEqual(note["attachment"], wantAttachment) {
				t.Errorf("attachment = %v, want %v", note["attachment"], wantAttachment)
			}
			content, _ := note["content"].(string)
			if !jsonEqual(note["contentMap"], map[string]any{"de": content}) || note["sensitive"] != true {
				t.Errorf("contentMap %v, sensitive %v", note["contentMap"], note["sensitive"])
			}
			for _, want := range []string{`<a href="` + tagURL + `" class="mention hashtag" rel="tag">#<span>Gardening</span></a>`,
				`<span class="h-card" translate="no"><a href="http://` + carol.host + `/@carol" class="u-url mention">@<span>carol</span></a></span>`,
				`<a href="https://example.org/#notatag"`} {
				if !strings.Contains(content, want) {
					t.Errorf("content lacks %s: %s", want, content)
				}
			}
			if !strings.Contains(mustJSON(t, activity["@context"]), `"Hashtag":"as:Hashtag"`) {
				t.Errorf("@context does not declare Hashtag: %v", activity["@context"])
			}
		}
		checkNote(t, toCarol.Doc, "Two spades in wet soil")

		deliverTo := func(t *testing.T, activityType string) {
			t.Helper()
			var ids []string
			err := st.DB().Table("deliveries").Joins("JOIN outbound_activities ON outbound_activities.id = deliveries.outbound_activity_id").
				Where("outbound_activities.activity_type = ? AND deliveries.inbox_url = ?", activityType, "http://"+carol.host+"/users/carol/inbox").
				Pluck("deliveries.id", &ids).Error
			if err != nil || len(ids) != 1 {
				t.Fatalf("deliveries of the %s to carol: %v %v", activityType, ids, err)
			}
			if err := fed.Deliverer().Deliver(ctx, ids[0], false); err != nil {
				t.Fatal(err)
			}
		}
		deliverTo(t, "Create")
		carol.mu.Lock()
		got := append([]received(nil), carol.received...)
		carol.mu.Unlock()
		if len(got) != 1 || got[0].signer != fed.IRIs.GroupActor("lobby") || got[0].doc["type"] != "Create" {
			t.Fatalf("carol's inbox received %+v, want the group's signed Create", got)
		}
		checkNote(t, got[0].doc, "Two spades in wet soil")

		draft.Images[0].Alt = "Two spades in very wet soil"
		if _, err := fed.Conversations.EditGroupPost(ctx, post.ID, nil, draft); err != nil {
			t.Fatal(err)
		}
		deliverTo(t, "Update")
		carol.mu.Lock()
		got = append([]received(nil), carol.received...)
		carol.mu.Unlock()
		if len(got) != 2 || got[1].doc["type"] != "Update" {
			t.Fatalf("carol's inbox received %d activities, want the Update after the Create", len(got))
		}
		checkNote(t, got[1].doc, "Two spades in very wet soil")
		parts, err := st.PartsOfPost(ctx, post.ID)
		if err != nil || len(parts.Media) != 1 || parts.Media[0].Alt != "Two spades in very wet soil" || len(parts.Mentions) != 1 || len(parts.Hashtags) != 1 {
			t.Errorf("stored parts after the edit: %+v %v", parts, err)
		}
		if stored := postNow(t, st, post.ID); stored.Language != "de" || stored.SourceText != draft.Text {
			t.Errorf("stored post language %q, source %q", stored.Language, stored.SourceText)
		}
	})
}

func postNow(t *testing.T, st *store.Store, id string) model.Post {
	t.Helper()
	post, err := st.PostByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return post
}

// contains reports whether a JSON value (one string or a list) holds s.
func contains(value any, s string) bool {
	switch v := value.(type) {
	case string:
		return v == s
	case []any:
		for _, item := range v {
			if item == s {
				return true
			}
		}
	}
	return false
}

// jsonEqual compares two values as JSON.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPublishPreparedInTheCallersTransaction: scheduled publishing's way in. A draft prepared (its
// mention looked up) and kept as JSON is published later inside the caller's transaction, under
// the publication id the caller gives, without asking any server; when that transaction rolls
// back, no post, part or delivery is left.
func TestPublishPreparedInTheCallersTransaction(t *testing.T) {
	t.Parallel()
	testenv.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newBanFixture(t, st)
		carol := newMentionedServer(t, groupKeys{st})
		fed, err := wiring.Build(ctx, wiring.Config{PublicURL: &url.URL{Scheme: "http", Host: "kring.example"}, Version: "test",
			SigningKeys: testenv.SigningKeys(t), FetchAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		draft := conversations.Draft{Text: "Thanks @carol@" + carol.host + " #thanks", Language: "en"}
		kept, err := json.Marshal(draft)
		if err != nil {
			t.Fatal(err)
		}
		var stored conversations.Draft
		if err := json.Unmarshal(kept, &stored); err != nil {
			t.Fatal(err)
		}
		prepared, err := fed.Conversations.PrepareDraft(ctx, stored)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip, _ := json.Marshal(prepared)
		var again conversations.Prepared
		if err := json.Unmarshal(roundTrip, &again); err != nil || !jsonEqual(again, prepared) {
			t.Fatalf("Prepared does not survive JSON: %s %v", roundTrip, err)
		}

		failed := errors.New("the caller's next step failed")
		err = st.Transaction(ctx, func(tx *store.Store) error {
			if _, err := fed.Conversations.PublishPreparedIn(ctx, tx, []string{f.group.ID}, nil, again, nil); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("rolled back with %v", err)
		}
		var posts, hashtags, deliveries int64
		st.DB().Model(&model.Post{}).Where("author_kind = ?", model.AuthorGroup).Count(&posts)
		st.DB().Model(&model.PostHashtag{}).Count(&hashtags)
		st.DB().Model(&model.Delivery{}).Count(&deliveries)
		if posts+hashtags+deliveries != 0 {
			t.Fatalf("a rolled-back publication left %d posts, %d hashtags, %d deliveries", posts, hashtags, deliveries)
		}

		publication := model.NewID()
		var published []model.Post
		err = st.Transaction(ctx, func(tx *store.Store) error {
			published, err = fed.Conversations.PublishPreparedIn(ctx, tx, []string{f.group.ID}, nil, again, &publication)
			return err
		})
		if err != nil || len(published) != 1 || published[0].PublicationID == nil || *published[0].PublicationID != publication {
			t.Fatalf("published %+v, %v; want one post of publication %s", published, err, publication)
		}
		toCarol := 0
		for _, create := range f.sentOfType(t, "Create") {
			if create.Inbox == "http://"+carol.host+"/users/carol/inbox" {
				toCarol++
			}
		}
		if toCarol != 1 {
			t.Errorf("the Create was queued %d times for carol, want once", toCarol)
		}
	})
}
