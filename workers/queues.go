package workers

import "github.com/kring-social/kring/app/tasks"

// QueuePriorities returns the weight of each queue (named in app/tasks) for asynq's weighted (not
// strict) priority: inbound work comes first because a remote server is waiting to see its activity
// take effect, deliveries next, maintenance last; no queue starves because strict priority stays off.
func QueuePriorities() map[string]int {
	return map[string]int{
		tasks.QueueInbound:     6,
		tasks.QueueDeliveries:  5,
		tasks.QueueMaintenance: 1,
	}
}
