package kprod

// The broker the tests use, as scripts/test describes it: KPROD_BOOTSTRAP
// (host:port) and KPROD_KAFKA_LOCAL (scripts/kafka-local, to create topics).
// Without KPROD_BOOTSTRAP, tests that need a broker are skipped.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	bootstrap  = os.Getenv("KPROD_BOOTSTRAP")
	kafkaLocal = os.Getenv("KPROD_KAFKA_LOCAL")
)

// Topics, created once for the whole run (each kafka-local call starts a JVM).
var (
	topicsOnce   sync.Once
	topicsErr    error
	bulkTopic    string // 6 partitions, only for TestProduceFromManyGoroutines
	scratchTopic string // 3 partitions, for everything else
)

const (
	bulkPartitions    = 6
	scratchPartitions = 3
)

// needBroker skips the test without a broker and creates the topics on first use.
func needBroker(t testing.TB) {
	t.Helper()
	if bootstrap == "" {
		t.Skip("KPROD_BOOTSTRAP is not set (scripts/test sets it): no broker")
	}
	topicsOnce.Do(createTopics)
	if topicsErr != nil {
		t.Fatal(topicsErr)
	}
}

func createTopics() {
	suffix := fmt.Sprintf("%d-%d", time.Now().Unix(), os.Getpid())
	bulkTopic, scratchTopic = "go-bulk-"+suffix, "go-scratch-"+suffix
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, topic := range []struct {
		name       string
		partitions int
	}{{bulkTopic, bulkPartitions}, {scratchTopic, scratchPartitions}} {
		wg.Add(1)
		go func(i int, name string, partitions int) {
			defer wg.Done()
			errs[i] = createTopic(name, partitions)
		}(i, topic.name, topic.partitions)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			topicsErr = err
		}
	}
}

func createTopic(name string, partitions int) error {
	if kafkaLocal == "" {
		return fmt.Errorf("KPROD_KAFKA_LOCAL is not set: cannot create topic %s", name)
	}
	cmd := exec.Command(kafkaLocal, "create-topic", name, fmt.Sprint(partitions))
	cmd.Env = append(os.Environ(), "KAFKA_PORT="+bootstrap[strings.LastIndexByte(bootstrap, ':')+1:])
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s create-topic %s: %v\n%s", kafkaLocal, name, err, out)
	}
	return nil
}

func contextWithTimeout(t testing.TB, timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// config returns a configuration for the test broker with extra properties.
func config(extra ...string) map[string]string {
	c := map[string]string{"bootstrap.servers": bootstrap}
	for i := 0; i+1 < len(extra); i += 2 {
		c[extra[i]] = extra[i+1]
	}
	return c
}

// consumedRecord is one record as kcat printed it.
type consumedRecord struct {
	partition int32
	offset    int64
	key       string // "NULL" for a null key (kcat -Z)
	headers   string // k=v,k=v
	value     string
}

// readWithKcat reads the whole topic with kcat, a consumer this project did not
// write, given extra kcat arguments (e.g. "-X", "isolation.level=read_committed").
func readWithKcat(t *testing.T, topic string, extra ...string) []consumedRecord {
	t.Helper()
	args := append([]string{"-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-Z",
		"-f", `%p\t%o\t%k\t%h\t%s\n`}, extra...)
	cmd := exec.Command("kcat", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kcat: %v\n%s", err, stderr.String())
	}
	var records []consumedRecord
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 5 {
			t.Fatalf("kcat: bad line %q", line)
		}
		var r consumedRecord
		if _, err := fmt.Sscan(fields[0], &r.partition); err != nil {
			t.Fatalf("kcat: partition in %q", line)
		}
		if _, err := fmt.Sscan(fields[1], &r.offset); err != nil {
			t.Fatalf("kcat: offset in %q", line)
		}
		r.key, r.headers, r.value = fields[2], fields[3], fields[4]
		records = append(records, r)
	}
	return records
}
