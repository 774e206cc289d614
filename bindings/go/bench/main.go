// Command bench runs kprod's Go binding, franz-go (kgo) and confluent-kafka-go
// side by side against one broker: each client produces the same records in a
// process of its own, and the parent reports records/s and the child's CPU
// time (getrusage: user + system) per record.
//
//	go run . -bootstrap 127.0.0.1:9092 -kafka-local ../../../scripts/kafka-local -records 1000000
//
// Every client is configured alike: acks=all with idempotence, linger 5 ms,
// batches of at most 64 KiB, no compression, and (with -keys) Java's murmur2
// partitioning. A run counts a record when its delivery report says it was
// written; any failed delivery fails the run.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"kprod.dev/kprod"
)

// settings is what the parent passes to each child, as flags.
type settings struct {
	bootstrap  string
	topic      string
	records    int
	valueSize  int
	goroutines int
	keys       bool
}

// childResult is what a child prints on stdout, as JSON.
type childResult struct {
	Client    string  `json:"client"`
	Records   int     `json:"records"`
	Seconds   float64 `json:"seconds"` // first Produce to last delivery
	Failed    int     `json:"failed"`
	FirstErr  string  `json:"first_error,omitempty"`
	Retries   int     `json:"retries,omitempty"` // confluent: Produce calls refused with a full queue
	cpuUser   time.Duration
	cpuSystem time.Duration
	maxRSSKiB int64
}

var clients = map[string]func(settings) childResult{
	"kprod":     runKprod,
	"franz":     runFranz,
	"confluent": runConfluent,
}

func main() {
	var s settings
	var child, clientList, kafkaLocal, cpuProfile string
	var runs, partitions int
	flag.StringVar(&s.bootstrap, "bootstrap", "127.0.0.1:9092", "the broker")
	flag.StringVar(&s.topic, "topic", "", "an existing topic (default: create one with -kafka-local)")
	flag.IntVar(&s.records, "records", 1000000, "records per client run")
	flag.IntVar(&s.valueSize, "value-size", 100, "bytes per record value")
	flag.IntVar(&s.goroutines, "goroutines", 4, "goroutines producing in each client")
	flag.BoolVar(&s.keys, "keys", false, "give every record a random 8-byte key (murmur2 partitioning)")
	flag.StringVar(&clientList, "clients", "kprod,franz,confluent", "clients to run, in this order")
	flag.IntVar(&runs, "runs", 2, "rounds over the clients")
	flag.IntVar(&partitions, "partitions", 6, "partitions of the topic created")
	flag.StringVar(&kafkaLocal, "kafka-local", "../../../scripts/kafka-local", "scripts/kafka-local, to create the topic")
	flag.StringVar(&child, "child", "", "internal: run one client and print its result")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "with -child: write a CPU profile of the client here")
	flag.Parse()

	if child != "" {
		run, ok := clients[child]
		if !ok {
			fatalf("unknown client %q", child)
		}
		if cpuProfile != "" {
			stop := startCPUProfile(cpuProfile)
			defer stop()
		}
		result := run(s)
		result.Client = child
		if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
			fatalf("%v", err)
		}
		return
	}
	if s.topic == "" {
		s.topic = fmt.Sprintf("go-bench-%d", time.Now().Unix())
		createTopic(kafkaLocal, s.bootstrap, s.topic, partitions)
	}
	fmt.Printf("%d records of %d B per run, %d goroutines, topic %s (%s), keys: %v\n",
		s.records, s.valueSize, s.goroutines, s.topic, s.bootstrap, s.keys)
	printVersions()
	names := strings.Split(clientList, ",")
	var results []childResult
	for round := 1; round <= runs; round++ {
		// Each round starts with the next client, so that none always runs first.
		for i := range names {
			name := names[(i+round-1)%len(names)]
			result := runChild(name, s)
			results = append(results, result)
			fmt.Printf("round %d %-9s %9.0f records/s  %5.2f µs CPU/record  (user %.2f s, sys %.2f s, max RSS %d MiB)\n",
				round, name, float64(result.Records)/result.Seconds, cpuPerRecord(result),
				result.cpuUser.Seconds(), result.cpuSystem.Seconds(), result.maxRSSKiB/1024)
		}
	}
	printSummary(results)
}

// runChild runs one client in a process of its own and measures its CPU.
func printVersions() {
	fmt.Printf("%s, kprod %s", runtime.Version(), kprod.Version())
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if strings.Contains(dep.Path, "franz-go") || strings.Contains(dep.Path, "confluent-kafka-go") {
				fmt.Printf(", %s %s", dep.Path, dep.Version)
			}
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("; load average %s", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Println()
}

func runChild(name string, s settings) childResult {
	cmd := exec.Command(os.Args[0], "-child", name, "-bootstrap", s.bootstrap, "-topic", s.topic,
		"-records", fmt.Sprint(s.records), "-value-size", fmt.Sprint(s.valueSize),
		"-goroutines", fmt.Sprint(s.goroutines), fmt.Sprintf("-keys=%v", s.keys))
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fatalf("%s: %v", name, err)
	}
	var result childResult
	if err := json.Unmarshal(stdout.Bytes(), &result); err != nil {
		fatalf("%s: bad result %q: %v", name, stdout.String(), err)
	}
	if result.Failed > 0 {
		fatalf("%s: %d deliveries failed, the first: %s", name, result.Failed, result.FirstErr)
	}
	usage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	result.cpuUser = time.Duration(usage.Utime.Nano())
	result.cpuSystem = time.Duration(usage.Stime.Nano())
	result.maxRSSKiB = usage.Maxrss
	return result
}

func cpuPerRecord(r childResult) float64 {
	return float64((r.cpuUser + r.cpuSystem).Microseconds()) / float64(r.Records)
}

// printSummary prints each client's median over the rounds.
func printSummary(results []childResult) {
	byClient := map[string][]childResult{}
	var order []string
	for _, r := range results {
		if _, seen := byClient[r.Client]; !seen {
			order = append(order, r.Client)
		}
		byClient[r.Client] = append(byClient[r.Client], r)
	}
	fmt.Println("\n| client | records/s (median) | CPU µs/record (median) | runs |")
	fmt.Println("|---|---|---|---|")
	for _, name := range order {
		var rates, cpus []float64
		for _, r := range byClient[name] {
			rates = append(rates, float64(r.Records)/r.Seconds)
			cpus = append(cpus, cpuPerRecord(r))
		}
		fmt.Printf("| %s | %.0f | %.2f | %d |\n", name, median(rates), median(cpus), len(rates))
	}
}

func median(values []float64) float64 {
	sort.Float64s(values)
	n := len(values)
	if n%2 == 1 {
		return values[n/2]
	}
	return (values[n/2-1] + values[n/2]) / 2
}

func createTopic(kafkaLocal, bootstrap, topic string, partitions int) {
	cmd := exec.Command(kafkaLocal, "create-topic", topic, fmt.Sprint(partitions))
	cmd.Env = append(os.Environ(), "KAFKA_PORT="+bootstrap[strings.LastIndexByte(bootstrap, ':')+1:])
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fatalf("creating topic %s: %v", topic, err)
	}
}

func startCPUProfile(path string) (stop func()) {
	f, err := os.Create(path)
	if err != nil {
		fatalf("%v", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fatalf("%v", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
