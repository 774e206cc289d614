package main

// Leadership moving on cue, for the test of leader hints (KIP-951): on SIGUSR2
// partition 0 of the topic moves to the next broker (kfake bumps its leader
// epoch), and the old leader refuses the partition's batches with
// NOT_LEADER_OR_FOLLOWER, naming the new leader and its address (kfake's own
// CurrentLeader and NodeEndpoints). For holdMetadata after the move every
// Metadata answer is held back, so a producer that reaches the new leader
// sooner can only have learned of it from the hint. The report says how many
// Metadata answers went out after the move before the first Produce request
// reached the new leader.
//
// Runs on: kfake's control goroutines (onMetadata, onProduce) and the signal
// goroutine (move); report runs after the cluster closed.

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const holdMetadata = 3 * time.Second

type leaderMove struct {
	cluster *kfake.Cluster
	topic   string
	brokers int32

	mu                  sync.Mutex // guards the following
	movedAt             time.Time  // zero until the move
	to                  int32
	metadataAnswered    int // Metadata answers since the move
	producesAtNewLeader int
	metadataBeforeNew   int // metadataAnswered when the new leader got its first Produce; -1: never
}

func installLeaderMove(cluster *kfake.Cluster, topic string, brokers int) *leaderMove {
	m := &leaderMove{cluster: cluster, topic: topic, brokers: int32(brokers), metadataBeforeNew: -1}
	cluster.ControlKey(int16(kmsg.Metadata), m.onMetadata)
	cluster.ControlKey(int16(kmsg.Produce), m.onProduce)
	return m
}

// move hands partition 0 to the next broker; the line it returns says where.
func (m *leaderMove) move() string {
	to := (m.cluster.LeaderFor(m.topic, 0) + 1) % m.brokers
	if err := m.cluster.MoveTopicPartition(m.topic, 0, to); err != nil {
		return fmt.Sprintf("move failed: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.movedAt, m.to = time.Now(), to
	return fmt.Sprintf("moved %s/0 to node %d", m.topic, to)
}

func (m *leaderMove) onMetadata(kmsg.Request) (kmsg.Response, error, bool) {
	m.mu.Lock()
	movedAt := m.movedAt
	m.mu.Unlock()
	if movedAt.IsZero() {
		return nil, nil, false
	}
	if wait := time.Until(movedAt.Add(holdMetadata)); wait > 0 {
		m.cluster.SleepControl(func() { time.Sleep(wait) })
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.metadataAnswered++ // kfake answers it as soon as this returns
	return nil, nil, false
}

func (m *leaderMove) onProduce(kmsg.Request) (kmsg.Response, error, bool) {
	node := m.cluster.CurrentNode()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.movedAt.IsZero() || node != m.to {
		return nil, nil, false
	}
	if m.producesAtNewLeader == 0 {
		m.metadataBeforeNew = m.metadataAnswered
	}
	m.producesAtNewLeader++
	return nil, nil, false
}

func (m *leaderMove) report(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(w, "stat produces_at_new_leader=%d\n", m.producesAtNewLeader)
	fmt.Fprintf(w, "stat metadata_answers_before_new_leader=%d\n", m.metadataBeforeNew)
}
