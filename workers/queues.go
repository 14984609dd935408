package workers

// Queue names. Each task type belongs to exactly one queue (see queueFor).
const (
	QueueInbound     = "inbound"
	QueueDeliveries  = "deliveries"
	QueueScheduled   = "scheduled"
	QueueMaintenance = "maintenance"
)

// QueuePriorities returns the weight of each queue for asynq's weighted (not strict) priority: inbound
// work comes first because a remote server is waiting to see its activity take effect, deliveries next,
// maintenance last; no queue starves because strict priority stays off.
func QueuePriorities() map[string]int {
	return map[string]int{
		QueueInbound:     6,
		QueueDeliveries:  5,
		QueueScheduled:   3,
		QueueMaintenance: 1,
	}
}
