package jsonguard

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheckObject(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	deepArrays := `{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "}"
	justDeepEnough := strings.Repeat(`{"a":`, 32) + "1" + strings.Repeat("}", 32)
	cases := []struct {
		name string
		body string
		want error
	}{
		{"activity", `{"type":"Follow","actor":"https://a.example/u","object":{"id":"x","tag":[{"t":1}]}}`, nil},
		{"whitespace around", " \n{\"a\":1}\n ", nil},
		{"at the depth limit", justDeepEnough, nil},
		{"array", `[{"a":1}]`, ErrNotObject},
		{"string", `"hello"`, ErrNotObject},
		{"number", `42`, ErrNotObject},
		{"empty", ``, ErrMalformed},
		{"truncated", `{"a":[1,2`, ErrMalformed},
		{"bad token", `{"a":nope}`, ErrMalformed},
		{"unbalanced", `{"a":1]}`, ErrMalformed},
		{"too deep objects", deep, ErrTooDeep},
		{"too deep arrays", deepArrays, ErrTooDeep},
		{"second document", `{"a":1}{"b":2}`, ErrTrailingData},
		{"trailing garbage", `{"a":1} x`, ErrTrailingData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckObject([]byte(tc.body), DefaultMaxDepth)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("CheckObject = %v, want %v", err, tc.want)
			}
		})
	}
}

// Keys are case-sensitive for go-fed and JSON-LD but not for encoding/json, and a repeated key means
// what the last parser to read it decides: CheckObject refuses both, with the key and where it is.
func TestCheckObjectKeys(t *testing.T) {
	t.Parallel()
	const as = "https://www.w3.org/ns/activitystreams"
	cases := []struct {
		name    string
		body    string
		want    error
		message string
	}{
		{"case variant beside the key", `{"actor":"https://v.example/bob","Actor":"https://a.example/alice"}`, ErrKeyVariant, "key Actor differs only in case from actor"},
		{"case variant alone", `{"Actor":"https://a.example/alice"}`, ErrKeyVariant, "key Actor differs only in case from actor"},
		{"upper-case id", `{"ID":"https://a.example/1","id":"https://a.example/2"}`, ErrKeyVariant, "key ID differs only in case from id"},
		{"upper-case to", `{"to":["a"],"TO":["b"]}`, ErrKeyVariant, "key TO differs only in case from to"},
		{"escaped case variant", `{"\u0041ctor":"https://a.example/alice"}`, ErrKeyVariant, "key Actor differs only in case from actor"},
		{"embedded object's author", `{"object":{"attributedTo":"a","AttributedTo":"b"}}`, ErrKeyVariant, "key AttributedTo differs only in case from attributedTo in object"},
		{"deeper", `{"object":{"tag":[{"type":"Mention"},{"Type":"Mention"}]}}`, ErrKeyVariant, "key Type differs only in case from type in object.tag[1]"},
		{"cc and audience", `{"Audience":"x"}`, ErrKeyVariant, "key Audience differs only in case from audience"},
		{"duplicate actor", `{"actor":"https://a.example/alice","actor":"https://v.example/bob"}`, ErrDuplicateKey, "duplicate key actor"},
		{"escaped duplicate", `{"actor":"a","\u0061ctor":"b"}`, ErrDuplicateKey, "duplicate key actor"},
		{"duplicate to", `{"to":"a","cc":"b","to":"c"}`, ErrDuplicateKey, "duplicate key to"},
		{"duplicate of any key", `{"content":"a","content":"b"}`, ErrDuplicateKey, "duplicate key content"},
		{"duplicate in the embedded object", `{"object":{"id":"a","id":"b"}}`, ErrDuplicateKey, "duplicate key id in object"},
		{"duplicate after many keys", `{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k5":12}`, ErrDuplicateKey, "duplicate key k5"},
		{"compact IRI", `{"actor":"a","as:actor":"b"}`, ErrKeyVariant, "key as:actor is another spelling of actor"},
		{"absolute IRI", `{"object":"a","` + as + `#object":"b"}`, ErrKeyVariant, "key " + as + "#object is another spelling of object"},
		{"keyword", `{"@id":"a"}`, ErrKeyVariant, "key @id is another spelling of id"},
		{"hostile key quoted", `{"a\nb":1,"a\nb":2}`, ErrDuplicateKey, `duplicate key "a\nb"`},
		{"long key clipped", `{"` + strings.Repeat("x", 300) + `":1,"` + strings.Repeat("x", 300) + `":2}`, ErrDuplicateKey, "duplicate key " + strings.Repeat("x", 64) + "..."},
		{"the same key in sibling objects", `{"a":{"id":1,"type":"x"},"b":{"id":2,"type":"y"},"c":[{"id":3},{"id":4}]}`, nil, ""},
		{"the same key at each level", `{"id":1,"object":{"id":2,"object":{"id":3}}}`, nil, ""},
		{"terms in a context", `{"@context":["` + as + `",{"Object":"as:Object","Type":"as:type","as":"` + as + `#"}],"type":"Create"}`, nil, ""},
		{"other prefixes", `{"sc:type":"x","toot:actor":"y","_misskey_content":"z"}`, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckObject([]byte(tc.body), DefaultMaxDepth)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CheckObject = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("CheckObject = %v, want %v", err, tc.want)
			}
			if err.Error() != tc.message {
				t.Fatalf("message %q, want %q", err.Error(), tc.message)
			}
		})
	}
}

// Bodies far larger than the inbox takes, shaped to make a careless duplicate check quadratic: one
// object with very many keys, very many small objects, one deep chain of objects with many keys.
func TestCheckObjectLargeBodiesLinear(t *testing.T) {
	t.Parallel()
	var wide strings.Builder
	wide.WriteString(`{"id":"x"`)
	for i := 0; wide.Len() < 4<<20; i++ {
		fmt.Fprintf(&wide, `,"k%d":1`, i)
	}
	wide.WriteString("}")
	var many strings.Builder
	many.WriteString(`{"items":[`)
	for i := 0; many.Len() < 4<<20; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`{"id":1,"type":"Note","to":"a","cc":"b","k1":1,"k2":2,"k3":3,"k4":4,"k5":5}`)
	}
	many.WriteString("]}")
	for name, body := range map[string]string{"wide": wide.String(), "many": many.String()} {
		start := time.Now()
		if err := CheckObject([]byte(body), DefaultMaxDepth); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// A quadratic check takes hours on the wide body; a linear one well under a second.
		if took := time.Since(start); took > 20*time.Second {
			t.Fatalf("%s: %d bytes took %v", name, len(body), took)
		}
	}
}

func BenchmarkCheckObject(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Create","actor":"https://a.example/u","object":{"id":"https://a.example/n","type":"Note","attributedTo":"https://a.example/u","tag":[`)
	for i := 0; body.Len() < 1<<20-200; i++ {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"type":"Mention","href":"https://b.example/u/%d","name":"@u%d"}`, i, i)
	}
	body.WriteString("]}}")
	data := []byte(body.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := CheckObject(data, DefaultMaxDepth); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzCheckObject(f *testing.F) {
	for _, seed := range []string{
		`{"a":[1,{"b":null}]}`, `{`, `[]`, `{"a":1}{}`, `{"a":"\u00e9"}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/f/1","type":"Follow","actor":"https://a.example/u/alice","object":"https://k.example/groups/lobby"}`,
		`{"id":"https://a.example/s/1/activity","type":"Create","actor":"https://a.example/u/alice","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"https://a.example/s/1","type":"Note","attributedTo":"https://a.example/u/alice","content":"<p>hi</p>","tag":[{"type":"Mention","href":"https://k.example/groups/lobby"}]}}`,
		`{"actor":"a","Actor":"b"}`, `{"object":{"attributedTo":"a","attributedTo":"b"}}`, `{"\u0061ctor":"a","actor":"b"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := CheckObject(body, 8)
		valid := json.Valid(body)
		if valid && (errors.Is(err, ErrMalformed) || errors.Is(err, ErrTrailingData)) {
			// The scanner must read JSON exactly as encoding/json does.
			t.Fatalf("encoding/json takes it, CheckObject says %v", err)
		}
		if err != nil {
			return
		}
		// Accepted: encoding/json reads it as one object, and no object in it (outside @context)
		// has a key that encoding/json would take for one of the checked names but go-fed would not.
		var doc map[string]any
		if !valid || json.Unmarshal(body, &doc) != nil || doc == nil {
			t.Fatalf("accepted, but encoding/json does not read one object from it")
		}
		checkNoVariants(t, doc)
		// And the members kept on the way are what encoding/json reads.
		members, err := CheckObjectMembers(body, 8, activityMembers)
		if err != nil {
			t.Fatalf("CheckObject accepts it, CheckObjectMembers says %v", err)
		}
		compareMembers(t, body, members)
	})
}

func checkNoVariants(t *testing.T, value any) {
	switch v := value.(type) {
	case map[string]any:
		for key, inner := range v {
			for _, name := range checkedNames {
				if key != name && strings.EqualFold(key, name) {
					t.Fatalf("accepted key %q, a case variant of %q", key, name)
				}
			}
			if key != "@context" {
				checkNoVariants(t, inner)
			}
		}
	case []any:
		for _, inner := range v {
			checkNoVariants(t, inner)
		}
	}
}

// activityMembers are the members the inbox's envelope reads.
var activityMembers = MemberNames{Top: []string{"@context", "id", "type", "actor", "object"}, NestedIn: "object", Nested: []string{"id", "attributedTo"}}

// CheckObjectMembers keeps exactly what encoding/json's RawMessage holds for each member asked for,
// whatever the value's kind and spacing, and nothing for members not asked for or not there.
func TestCheckObjectMembersAgreeWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"id":"https://a.example/1","type":"Create","actor":"https://a.example/u","object":{"id":"https://a.example/n","type":"Note","attributedTo":"https://a.example/u","content":"<p>hi</p>"}}`,
		` { "id" : "x" , "actor" : { "id" : "https://a.example/u" , "type" : "Person" } , "object" : { "attributedTo" : [ "a" , { "id" : "b" } ] , "id" : 7 } } `,
		`{"@context":["https://www.w3.org/ns/activitystreams",{"sensitive":"as:sensitive"}],"type":"Like","object":"https://k.example/p/1","actor":["https://a.example/u"]}`,
		`{"object":[{"id":"https://a.example/n","attributedTo":"a"}],"type":"Create"}`,
		`{"object":{"tag":[{"id":"not kept"}],"nested":{"id":"not kept either"}},"other":{"id":"nor this"},"id":null}`,
		`{"\u0069d":"escaped key","type":true,"actor":-1.5e3,"object":{"\u0069d":"https://a.example/n"}}`,
		`{"object":{},"id":""}`,
	} {
		members, err := CheckObjectMembers([]byte(body), DefaultMaxDepth, activityMembers)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		compareMembers(t, []byte(body), members)
	}
}

// A body CheckObjectMembers refuses keeps nothing, and refusals are CheckObject's.
func TestCheckObjectMembersRefusesAsCheckObject(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"id":"a","id":"b"}`, `{"object":{"id":"a","ID":"b"}}`, `{"id":"a"} {}`, `[{"id":"a"}]`, `{"object":{"id":`} {
		members, err := CheckObjectMembers([]byte(body), DefaultMaxDepth, activityMembers)
		want := CheckObject([]byte(body), DefaultMaxDepth)
		if err == nil || want == nil || err.Error() != want.Error() || members.Top != nil || members.Nested != nil {
			t.Fatalf("%s: CheckObjectMembers = %v, %v; CheckObject = %v", body, members, err, want)
		}
	}
}

// compareMembers checks members against encoding/json's reading of body.
func compareMembers(t *testing.T, body []byte, members Members) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	var nested map[string]json.RawMessage
	if raw := top[activityMembers.NestedIn]; len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &nested); err != nil {
			t.Fatalf("encoding/json, the object: %v", err)
		}
	}
	same := func(where string, names []string, kept, read map[string]json.RawMessage) {
		if len(kept) > len(names) {
			t.Fatalf("%s: kept %d members, asked for %d", where, len(kept), len(names))
		}
		for _, name := range names {
			value, ok := kept[name]
			want, wantOK := read[name]
			if ok != wantOK || string(value) != string(want) {
				t.Fatalf("%s %q: kept %q (%v), encoding/json reads %q (%v)", where, name, value, ok, want, wantOK)
			}
		}
	}
	same("top", activityMembers.Top, members.Top, top)
	same("nested", activityMembers.Nested, members.Nested, nested)
}
