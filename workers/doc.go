// Package workers is Kring's background work on asynq: task types and their payloads (ids, never
// documents), the queues and their priorities, the retry policy, and the asynq server that runs the
// handlers federation registers.
//
// Every task goes through the transactional outbox of app/store: it is recorded as a queued_tasks row
// in the same transaction as the change that needs it, handed to asynq after commit by the Dispatcher
// with the row's id as asynq's TaskID, and deleted by the durable middleware when the handler
// succeeds. The Sweeper enqueues rows again that the broker may have lost (Redis flushed, the embedded
// broker restarted), and the TaskID keeps a row from being queued twice while the broker still holds
// it. A task that reaches a handler without a row is work already done and is dropped, so tasks must
// not be enqueued into asynq by any other path.
package workers
