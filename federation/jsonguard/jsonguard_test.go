package jsonguard

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckObject(t *testing.T) {
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

func FuzzCheckObject(f *testing.F) {
	for _, seed := range []string{`{"a":[1,{"b":null}]}`, `{`, `[]`, `{"a":1}{}`, `{"a":"\u00e9"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = CheckObject(body, 8) // must never panic or hang
	})
}
