package workers

import (
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"
)

// The task types, payloads and constructors live in app/tasks, a leaf package anyone may import.

// DecodePayload reads a task's JSON payload. A payload that does not decode will never decode, so the
// error wraps asynq.SkipRetry.
func DecodePayload[T any](task *asynq.Task) (T, error) {
	var payload T
	if err := json.Unmarshal(task.Payload(), &payload); err != nil {
		return payload, fmt.Errorf("decode %s payload: %v: %w", task.Type(), err, asynq.SkipRetry)
	}
	return payload, nil
}
