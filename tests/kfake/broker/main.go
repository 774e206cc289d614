// kfake-broker: a one-node fake Kafka cluster (franz-go's kfake) that damages
// chosen Produce answers, for tests/kfake/test_kfake_errors.cpp.
//
//	kfake-broker -scenario retriable -topic t -partitions 4 [-port 0] [-v]
//
// It prints "ready HOST:PORT" once it listens, then serves until its standard
// input closes or it gets SIGTERM or SIGINT, and then prints its report:
//
//	stat NAME=VALUE      produce_requests, unused_rules (rules that never fired),
//	                     requests_acks_none, _leader, _all (Produce requests by acks),
//	                     producer_ids and producer_epochs (distinct ids, and ids
//	                     with epochs, of the idempotent batches received),
//	                     answer.ERROR_NAME (partition answers the producer got),
//	                     deduplicated (retries kfake's idempotence window recognised),
//	                     edits_not_applied
//	injected KEY=VALUE…  one line per damaged answer (node: the broker's id)
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

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func main() {
	port := flag.Int("port", 0, "port to listen on on 127.0.0.1 (0: any free port)")
	scenario := flag.String("scenario", "clean", "the faults to inject: "+scenarioNames())
	topic := flag.String("topic", "kfake", "the topic to create")
	partitions := flag.Int("partitions", 4, "the topic's partition count")
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
		kfake.Ports(*port),
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
	if mskIAM.secret != "" {
		mskIAM.install(cluster)
	}
	fmt.Printf("ready %s\n", cluster.ListenAddrs()[0])

	waitForStop()
	cluster.Close()
	injector.report(os.Stdout)
	editor.report(os.Stdout)
	if mskIAM.secret != "" {
		mskIAM.report(os.Stdout)
	}
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
