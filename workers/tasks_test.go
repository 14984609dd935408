package workers_test

import (
	"errors"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/kring-social/kring/app/store"
	"github.com/kring-social/kring/app/tasks"
	"github.com/kring-social/kring/workers"
)

func TestTaskConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		task store.NewTask
		want store.NewTask
	}{
		{"deliver", tasks.NewDeliverActivityTask("d"), store.NewTask{Type: "delivery:activity", Queue: "deliveries", Payload: tasks.DeliverActivityPayload{DeliveryID: "d"}}},
		{"inbound", tasks.NewProcessInboundTask("i"), store.NewTask{Type: "inbound:activity", Queue: "inbound", Payload: tasks.ProcessInboundPayload{InboundActivityID: "i"}}},
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
	t.Parallel()
	good := asynq.NewTask(tasks.TypeDeliverActivity, []byte(`{"delivery_id":"d1"}`))
	payload, err := workers.DecodePayload[tasks.DeliverActivityPayload](good)
	if err != nil || payload.DeliveryID != "d1" {
		t.Errorf("decode = %+v, %v", payload, err)
	}
	bad := asynq.NewTask(tasks.TypeDeliverActivity, []byte(`{"delivery_id":`))
	if _, err := workers.DecodePayload[tasks.DeliverActivityPayload](bad); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("broken payload error %v does not skip retries", err)
	}
}
