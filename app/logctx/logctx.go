// Package logctx carries the ids that join the log lines of one piece of work (the request id of an
// HTTP request, the task id of a queued task) in a context.Context, and adds them to every log record
// written with that context through Handler. Code on a request or task path logs with the *Context
// variants of slog (InfoContext, ErrorContext, LogAttrs ...) and names no id itself.
//
// It imports nothing of the project, so any package may use it.
package logctx

import (
	"context"
	"log/slog"
	"slices"
)

// Attribute keys the ids are logged under.
const (
	RequestIDKey = "request_id"
	TaskIDKey    = "task_id"
	TaskTypeKey  = "task_type"
)

type contextKey int

const (
	requestKey contextKey = iota
	taskKey
)

type task struct{ id, taskType string }

// WithRequestID returns ctx carrying the id of the HTTP request it serves.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestKey).(string)
	return id
}

// WithTaskID returns ctx carrying the id and type of the queued task it runs.
func WithTaskID(ctx context.Context, id, taskType string) context.Context {
	return context.WithValue(ctx, taskKey, task{id: id, taskType: taskType})
}

// TaskID returns the task id and type ctx carries, or "" and "".
func TaskID(ctx context.Context) (id, taskType string) {
	t, _ := ctx.Value(taskKey).(task)
	return t.id, t.taskType
}

// attrsOf lists the ids ctx carries as log attributes; nil when it carries none.
func attrsOf(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	var attrs []slog.Attr
	if id := RequestID(ctx); id != "" {
		attrs = append(attrs, slog.String(RequestIDKey, id))
	}
	if id, taskType := TaskID(ctx); id != "" {
		attrs = append(attrs, slog.String(TaskIDKey, id), slog.String(TaskTypeKey, taskType))
	}
	return attrs
}

// Handler wraps next so that each record gets the ids its context carries, at the top level of the
// record even when the logger opened a group. Wrapping a handler Handler made returns it unchanged,
// so a component may wrap the logger it is given without doubling the ids.
func Handler(next slog.Handler) slog.Handler {
	if h, ok := next.(*handler); ok {
		return h
	}
	return &handler{next: next}
}

type handler struct {
	next slog.Handler
	// Attributes added to a record land in the groups the logger opened. So once a group is open,
	// the handler as it was before the first group is kept, with the steps taken since, and a
	// record with ids goes through those steps replayed on top of the ids.
	outer slog.Handler
	steps []step
}

// step is one WithAttrs (group empty) or WithGroup call.
type step struct {
	group string
	attrs []slog.Attr
}

func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	ids := attrsOf(ctx)
	if len(ids) == 0 {
		return h.next.Handle(ctx, r)
	}
	if h.outer == nil {
		r = r.Clone() // the caller's record may share its attribute storage with this copy
		r.AddAttrs(ids...)
		return h.next.Handle(ctx, r)
	}
	replayed := h.outer.WithAttrs(ids)
	for _, s := range h.steps {
		if s.group != "" {
			replayed = replayed.WithGroup(s.group)
		} else {
			replayed = replayed.WithAttrs(s.attrs)
		}
	}
	return replayed.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	wrapped := &handler{next: h.next.WithAttrs(attrs), outer: h.outer}
	if h.outer != nil {
		wrapped.steps = append(slices.Clip(h.steps), step{attrs: attrs})
	}
	return wrapped
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	wrapped := &handler{next: h.next.WithGroup(name), outer: h.outer, steps: append(slices.Clip(h.steps), step{group: name})}
	if wrapped.outer == nil {
		wrapped.outer = h.next
	}
	return wrapped
}
