// kfake-broker: a one-node fake Kafka cluster (franz-go's kfake) that damages
// chosen Produce answers, for tests/kfake/test_kfake_errors.cpp.
//
//	kfake-broker -scenario retriable -topic t -partitions 4 [-port 0] [-brokers 1] [-v]
//
// It prints "ready HOST:PORT" (the first broker's) once it listens, then serves until its standard
// input closes or it gets SIGTERM or SIGINT, and then prints its report:
//
//	stat NAME=VALUE      produce_requests, unused_rules (rules that never fired),
//	                     requests_acks_none, _leader, _all (Produce requests by acks),
//	                     producer_ids and producer_epochs (distinct ids, and ids
//	                     with epochs, of the idempotent batches received),
//	                     answer.ERROR_NAME (partition answers the producer got),
//	                     deduplicated (retries kfake's idempotence window recognised),
//	                     edits_not_applied
//	                     metadata_requests_vN (Metadata requests of version N),
//	                     metadata_rebootstrap_required (Metadata answers with that error)
//	injected KEY=VALUE…  one line per damaged answer (node: the broker's id)
//
//	                     produces_at_new_leader, metadata_answers_before_new_leader
//	                     (leader_move.go)
//
// On SIGUSR1 it starts answering Metadata v13+ with REBOOTSTRAP_REQUIRED
// (rebootstrap_required.go) and prints "metadata answers REBOOTSTRAP_REQUIRED".
// On SIGUSR2 it moves partition 0's leadership to the next broker (with
// -brokers 2 or more; leader_move.go) and prints "moved TOPIC/0 to node N".
//
// kfake itself checks idempotent sequences (per partition: the next expected
// sequence, epoch bumps restarting at 0, the last five batches deduplicated).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func main() {
	port := flag.Int("port", 0, "port to listen on on 127.0.0.1 (0: any free port)")
	scenario := flag.String("scenario", "clean", "the faults to inject: "+scenarioNames())
	topic := flag.String("topic", "kfake", "the topic to create")
	partitions := flag.Int("partitions", 4, "the topic's partition count")
	brokers := flag.Int("brokers", 1, "how many brokers; the first listens on -port, the others on any free port")
	verbose := flag.Bool("v", false, "log kfake's debug messages to standard error")
	mskIAM := &mskIAMVerifier{}
	flag.StringVar(&mskIAM.secret, "msk-iam-secret", "", "require AWS_MSK_IAM signed with this secret key (msk_iam.go)")
	flag.StringVar(&mskIAM.accessKey, "msk-iam-access-key", "AKIDEXAMPLE", "AWS_MSK_IAM: the access key id expected")
	flag.StringVar(&mskIAM.region, "msk-iam-region", "us-east-1", "AWS_MSK_IAM: the region expected")
	flag.StringVar(&mskIAM.sessionToken, "msk-iam-session-token", "", "AWS_MSK_IAM: the session token expected")
	flag.Parse()

	newRules, ok := scenarios[*scenario]
	if !ok {
		fmt.Fprintf(os.Stderr, "kfake-broker: unknown scenario %q; known: %s\n", *scenario, scenarioNames())
		os.Exit(2)
	}
	editor := newResponseEditor()
	injector := newInjector(newRules(), editor)

	opts := []kfake.Opt{
		kfake.Ports(append([]int{*port}, make([]int, max(*brokers-1, 0))...)...),
		kfake.SeedTopics(int32(*partitions), *topic),
		kfake.ListenFn(editor.listen),
	}
	if *verbose {
		opts = append(opts, kfake.WithLogger(kfake.BasicLogger(os.Stderr, kfake.LogLevelDebug)))
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kfake-broker: %v\n", err)
		os.Exit(1)
	}
	injector.node = cluster.CurrentNode
	cluster.ControlKey(int16(kmsg.Produce), injector.onProduce)
	metadataErrors := installMetadataErrors(cluster)
	leaderMove := installLeaderMove(cluster, *topic, *brokers)
	actOnSignals(metadataErrors, leaderMove)
	if mskIAM.secret != "" {
		mskIAM.install(cluster)
	}
	fmt.Printf("ready %s\n", cluster.ListenAddrs()[0])

	waitForStop()
	injector.waitQuiet(200*time.Millisecond, 3*time.Second)
	cluster.Close()
	injector.report(os.Stdout)
	editor.report(os.Stdout)
	metadataErrors.report(os.Stdout)
	leaderMove.report(os.Stdout)
	if mskIAM.secret != "" {
		mskIAM.report(os.Stdout)
	}
}

// SIGUSR1: REBOOTSTRAP_REQUIRED from now on; SIGUSR2: partition 0 moves.
func actOnSignals(metadataErrors *metadataErrors, leaderMove *leaderMove) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for s := range signals {
			if s == syscall.SIGUSR1 {
				metadataErrors.require()
				fmt.Println("metadata answers REBOOTSTRAP_REQUIRED")
			} else {
				fmt.Println(leaderMove.move())
			}
		}
	}()
}

func waitForStop() {
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	select {
	case <-stdinClosed:
	case <-signals:
	}
}
