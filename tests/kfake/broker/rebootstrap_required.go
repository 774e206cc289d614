package main

// Metadata's top-level error (v13+, KIP-1102): once told to (SIGUSR1), the
// broker answers every Metadata request that can carry it with
// REBOOTSTRAP_REQUIRED, as a broker does that knows the client's view of the
// cluster is stale. kfake serves Metadata v13 but never sets that error itself.
// Answers below v13 have no place for it and are left to kfake; the report
// counts requests by version, so a test sees which one the client asked.
//
// Runs on: kfake's control goroutine (onMetadata) and the signal goroutine
// (require); report runs after the cluster closed.

import (
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type metadataErrors struct {
	cluster *kfake.Cluster

	mu       sync.Mutex // guards the following
	required bool
	answered int           // REBOOTSTRAP_REQUIRED answers sent
	versions map[int16]int // Metadata requests by version
}

func installMetadataErrors(cluster *kfake.Cluster) *metadataErrors {
	m := &metadataErrors{cluster: cluster, versions: make(map[int16]int)}
	cluster.ControlKey(int16(kmsg.Metadata), m.onMetadata)
	return m
}

// require makes every later Metadata answer (v13+) REBOOTSTRAP_REQUIRED.
func (m *metadataErrors) require() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.required = true
}

func (m *metadataErrors) onMetadata(kreq kmsg.Request) (kmsg.Response, error, bool) {
	m.cluster.KeepControl() // handling a request would drop this control otherwise
	req, ok := kreq.(*kmsg.MetadataRequest)
	if !ok {
		return nil, nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.versions[req.Version]++
	if !m.required || req.Version < 13 {
		return nil, nil, false
	}
	m.answered++
	resp := req.ResponseKind().(*kmsg.MetadataResponse)
	resp.ErrorCode = kerr.RebootstrapRequired.Code
	return resp, nil, true
}

func (m *metadataErrors) report(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	versions := make([]int, 0, len(m.versions))
	for v := range m.versions {
		versions = append(versions, int(v))
	}
	sort.Ints(versions)
	for _, v := range versions {
		fmt.Fprintf(w, "stat metadata_requests_v%d=%d\n", v, m.versions[int16(v)])
	}
	fmt.Fprintf(w, "stat metadata_rebootstrap_required=%d\n", m.answered)
}
