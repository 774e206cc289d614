package kprod

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The README's program, built exactly as printed by the README's install
// steps in a module of its own (as an application outside this repository
// would), then run against the test broker.
func TestReadmeProgramBuildsAsAnOutsideModule(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	program := fencedBlock(t, string(readme), "```go\npackage main\n")
	steps := fencedBlock(t, string(readme), "```sh\ngo mod init ")
	source, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	// Every step but running the program, which follows with the test's broker and topic.
	var buildSteps []string
	for _, line := range strings.Split(strings.TrimSpace(steps), "\n") {
		if !strings.HasPrefix(line, "./hello ") {
			buildSteps = append(buildSteps, line)
		}
	}
	if len(buildSteps) == strings.Count(strings.TrimSpace(steps), "\n")+1 {
		t.Fatalf("the README's steps do not run ./hello:\n%s", steps)
	}
	cmd := exec.Command("bash", "-euxc", strings.Join(buildSteps, "\n"))
	cmd.Dir = dir
	// GOFLAGS=-mod=mod keeps the steps from being checked against this module's go.mod,
	// and GOWORK=off from any go.work above the temporary directory.
	cmd.Env = append(os.Environ(), "KPROD_SRC="+source, "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's install steps failed: %v\n%s", err, out)
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("go.mod of the outside module:\n%s", goMod)

	needBroker(t)
	topic := fmt.Sprintf("go-readme-%d-%d", time.Now().Unix(), os.Getpid())
	if err := createTopic(topic, 1); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(filepath.Join(dir, "hello"), bootstrap, topic)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("./hello: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "delivered to partition 0 at offset 0") ||
		!strings.Contains(string(out), "1000 more sent, 0 failed") {
		t.Fatalf("./hello printed:\n%s", out)
	}
	if records := readWithKcat(t, topic); len(records) != 1001 {
		t.Fatalf("kcat read %d records, want 1001", len(records))
	}
}

// fencedBlock returns the body of the first fenced block that starts with
// opening (the fence line and what follows it).
func fencedBlock(t *testing.T, text, opening string) string {
	t.Helper()
	start := strings.Index(text, opening)
	if start < 0 {
		t.Fatalf("README.md has no block starting %q", opening)
	}
	body := text[start+strings.Index(opening, "\n")+1:]
	end := strings.Index(body, "\n```")
	if end < 0 {
		t.Fatalf("README.md: the block starting %q is not closed", opening)
	}
	return body[:end+1]
}

// The README's purge program, run as printed (go run, inside this module)
// against the test broker: all 100 messages purged, the next one delivered,
// and kcat reads only that one.
func TestReadmePurgeProgram(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	program := fencedBlock(t, string(readme), "```go\npackage main // purge")
	dir, err := os.MkdirTemp(".", "_readme_purge_") // inside the module, so that it imports this package
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	file := filepath.Join(dir, "purge.go")
	if err := os.WriteFile(file, []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	needBroker(t)
	topic := fmt.Sprintf("go-readme-purge-%d-%d", time.Now().Unix(), os.Getpid())
	if err := createTopic(topic, 1); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "run", "./"+file, bootstrap, topic).CombinedOutput()
	if err != nil {
		t.Fatalf("go run purge.go: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "100 purged, then one delivered at offset 0 (<nil>); fatal error: <nil>") {
		t.Fatalf("purge.go printed:\n%s", out)
	}
	if records := readWithKcat(t, topic); len(records) != 1 || records[0].value != "kept" {
		t.Fatalf("kcat read %v, want the one record kept", records)
	}
}
