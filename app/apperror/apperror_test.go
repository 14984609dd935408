package apperror_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kring-social/kring/app/apperror"
)

// secret is text an internal error carries that must never reach a requester.
const secret = "dial tcp 10.0.0.5:5432: password authentication failed for user kring"

func TestKindOfThroughWrapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want apperror.Kind
	}{
		{"nil", nil, apperror.KindInternal},
		{"plain error", errors.New(secret), apperror.KindInternal},
		{"wrapped plain error", fmt.Errorf("load group: %w", errors.New(secret)), apperror.KindInternal},
		{"invalid", apperror.Invalid("slug", "must be lowercase"), apperror.KindInvalid},
		{"conflict", apperror.Conflict("slug", "taken"), apperror.KindConflict},
		{"not found", apperror.NotFound("no group %q", "lobby"), apperror.KindNotFound},
		{"forbidden", apperror.Forbidden("no"), apperror.KindForbidden},
		{"unauthenticated", &apperror.Error{Kind: apperror.KindUnauthenticated, Message: "please log in"}, apperror.KindUnauthenticated},
		{"internal with a cause", &apperror.Error{Kind: apperror.KindInternal, Message: "failed", Cause: errors.New(secret)}, apperror.KindInternal},
		{"wrapped once", fmt.Errorf("create: %w", apperror.Conflict("slug", "taken")), apperror.KindConflict},
		{"wrapped twice", fmt.Errorf("handler: %w", fmt.Errorf("service: %w", apperror.NotFound("gone"))), apperror.KindNotFound},
		{"joined after a plain error", errors.Join(errors.New(secret), apperror.Forbidden("no")), apperror.KindForbidden},
		// The first *Error in the chain decides, not one it wraps as its cause.
		{"outer wins over its cause", &apperror.Error{Kind: apperror.KindForbidden, Message: "no", Cause: apperror.NotFound("x")}, apperror.KindForbidden},
		{"wrapped outer wins", fmt.Errorf("x: %w", &apperror.Error{Kind: apperror.KindInvalid, Message: "bad", Cause: apperror.Conflict("f", "c")}), apperror.KindInvalid},
		// An error that only mentions a domain error with %v does not wrap it.
		{"formatted, not wrapped", fmt.Errorf("x: %v", apperror.Forbidden("no")), apperror.KindInternal},
	}
	for _, tc := range cases {
		if got := apperror.KindOf(tc.err); got != tc.want {
			t.Errorf("%s: KindOf = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSafeMessageNeverLeaksInternals(t *testing.T) {
	t.Parallel()
	cause := errors.New(secret)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"plain error", cause, "internal error"},
		{"wrapped plain error", fmt.Errorf("query groups: %w", cause), "internal error"},
		{"formatted domain error", fmt.Errorf("%v", apperror.Forbidden("no")), "internal error"},
		{"nil", nil, "internal error"},
		{"invalid with a field", apperror.Invalid("slug", "must be %d characters or fewer", 40), "slug: must be 40 characters or fewer"},
		{"conflict without a field", apperror.Conflict("", "already done"), "already done"},
		{"not found", apperror.NotFound("no group %q", "lobby"), `no group "lobby"`},
		{"domain error with a cause", &apperror.Error{Kind: apperror.KindConflict, Field: "email", Message: "taken", Cause: cause}, "email: taken"},
		{"internal domain error with a cause", &apperror.Error{Kind: apperror.KindInternal, Message: "could not save", Cause: cause}, "could not save"},
		{"wrapped with internal context", fmt.Errorf("insert into groups (%s): %w", secret, apperror.Conflict("slug", "taken")), "slug: taken"},
		{"joined with an internal error", errors.Join(cause, apperror.NotFound("gone")), "gone"},
	}
	for _, tc := range cases {
		got := apperror.SafeMessage(tc.err)
		if got != tc.want {
			t.Errorf("%s: SafeMessage = %q, want %q", tc.name, got, tc.want)
		}
		if strings.Contains(got, "10.0.0.5") || strings.Contains(got, "password") || strings.Contains(got, "insert") {
			t.Errorf("%s: SafeMessage leaks internals: %q", tc.name, got)
		}
	}
}

func TestErrorTextKeepsTheCauseForLogs(t *testing.T) {
	t.Parallel()
	cause := errors.New(secret)
	err := &apperror.Error{Kind: apperror.KindConflict, Field: "slug", Message: "taken", Cause: cause}
	if got, want := err.Error(), "slug: taken: "+secret; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) || errors.Unwrap(err) != cause {
		t.Error("the cause must be reachable with errors.Is and Unwrap")
	}
	if got := apperror.NotFound("gone").Error(); got != "gone" {
		t.Errorf("Error() without field or cause = %q", got)
	}
	if errors.Unwrap(apperror.NotFound("gone")) != nil {
		t.Error("an error without a cause unwraps to something")
	}
	var target *apperror.Error
	if !errors.As(fmt.Errorf("x: %w", err), &target) || target != err {
		t.Error("errors.As must find the *Error through wrapping")
	}
}

func TestConstructorsSetKindAndField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err   *apperror.Error
		kind  apperror.Kind
		field string
		msg   string
	}{
		{apperror.Invalid("name", "too %s", "long"), apperror.KindInvalid, "name", "too long"},
		{apperror.Conflict("slug", "%q is taken", "lobby"), apperror.KindConflict, "slug", `"lobby" is taken`},
		{apperror.NotFound("no %s", "post"), apperror.KindNotFound, "", "no post"},
		{apperror.Forbidden("not %s", "yours"), apperror.KindForbidden, "", "not yours"},
	}
	for _, tc := range cases {
		if tc.err.Kind != tc.kind || tc.err.Field != tc.field || tc.err.Message != tc.msg || tc.err.Cause != nil {
			t.Errorf("%+v, want kind %v field %q message %q and no cause", tc.err, tc.kind, tc.field, tc.msg)
		}
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	want := map[apperror.Kind]string{
		apperror.KindInternal: "internal", apperror.KindInvalid: "invalid", apperror.KindConflict: "conflict",
		apperror.KindNotFound: "not found", apperror.KindForbidden: "forbidden", apperror.KindUnauthenticated: "unauthenticated",
		apperror.Kind(99): "internal",
	}
	for kind, name := range want {
		if got := kind.String(); got != name {
			t.Errorf("Kind(%d).String() = %q, want %q", int(kind), got, name)
		}
	}
}
