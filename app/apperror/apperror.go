// Package apperror defines the errors the domain returns to its callers. Each carries a Kind that the
// web layer and the command line turn into an HTTP status or an exit code, and a message that is safe
// to show to the person who made the request. The wrapped cause is for logs only.
package apperror

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller did wrong, or did not.
type Kind int

const (
	// KindInternal is a failure of Kring or its infrastructure; the message is generic.
	KindInternal Kind = iota
	// KindInvalid means the input was malformed; Field names the offending input.
	KindInvalid
	// KindConflict means the input clashes with existing state, such as a taken slug.
	KindConflict
	// KindNotFound means the thing asked for does not exist.
	KindNotFound
	// KindForbidden means the caller may not do this.
	KindForbidden
	// KindUnauthenticated means the caller is not known.
	KindUnauthenticated
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindConflict:
		return "conflict"
	case KindNotFound:
		return "not found"
	case KindForbidden:
		return "forbidden"
	case KindUnauthenticated:
		return "unauthenticated"
	default:
		return "internal"
	}
}

// Error is a domain error with a safe message.
type Error struct {
	Kind    Kind
	Field   string // the input at fault, for KindInvalid and KindConflict; may be empty
	Message string // safe to show to the requester
	Cause   error  // for logs; never shown
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Cause != nil {
		return msg + ": " + e.Cause.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Cause }

// Invalid reports malformed input in field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports input that clashes with existing state.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that a thing does not exist.
func NotFound(format string, args ...any) *Error {
	return &Error{Kind: KindNotFound, Message: fmt.Sprintf(format, args...)}
}

// Forbidden reports that the caller may not do this.
func Forbidden(format string, args ...any) *Error {
	return &Error{Kind: KindForbidden, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the Kind of the first *Error in err's chain, or KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// SafeMessage returns the message of the first *Error in err's chain, or a generic one that reveals
// nothing about internals.
func SafeMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return "internal error"
}
