package workers_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/workers"
)

func TestTaskConstructors(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		task store.NewTask
		want store.NewTask
	}{
		{"deliver", workers.NewDeliverActivityTask("d"), store.NewTask{Type: "delivery:activity", Queue: "deliveries", Payload: workers.DeliverActivityPayload{DeliveryID: "d"}}},
		{"inbound", workers.NewProcessInboundTask("i"), store.NewTask{Type: "inbound:activity", Queue: "inbound", Payload: workers.ProcessInboundPayload{InboundActivityID: "i"}}},
		{"scheduled", workers.NewPublishScheduledTask("p", at), store.NewTask{Type: "scheduled:publish", Queue: "scheduled", Payload: workers.PublishScheduledPayload{PostID: "p"}, RunAt: at}},
		{"refresh", workers.NewRefreshRemoteActorTask("a"), store.NewTask{Type: "maintenance:refresh-actor", Queue: "maintenance", Payload: workers.RefreshRemoteActorPayload{RemoteActorID: "a"}}},
	}
	priorities := workers.QueuePriorities()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.task != tt.want {
				t.Errorf("got %#v, want %#v", tt.task, tt.want)
			}
			if priorities[tt.task.Queue] == 0 {
				t.Errorf("queue %q has no priority, so no server would fetch from it", tt.task.Queue)
			}
		})
	}
}

func TestDecodePayload(t *testing.T) {
	good := asynq.NewTask(workers.TypeDeliverActivity, []byte(`{"delivery_id":"d1"}`))
	payload, err := workers.DecodePayload[workers.DeliverActivityPayload](good)
	if err != nil || payload.DeliveryID != "d1" {
		t.Errorf("decode = %+v, %v", payload, err)
	}
	bad := asynq.NewTask(workers.TypeDeliverActivity, []byte(`{"delivery_id":`))
	if _, err := workers.DecodePayload[workers.DeliverActivityPayload](bad); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("broken payload error %v does not skip retries", err)
	}
}
