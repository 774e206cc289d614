// kfake-broker (tests/kfake/broker/) as a child process of a kfake test: it
// serves one topic until its standard input closes, then prints a report.
// Its answers can be damaged on cue (broker/scenarios.go), its Metadata
// answers turned to REBOOTSTRAP_REQUIRED; the process can also be frozen
// (SIGSTOP) or killed, for the tests of recovery.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../integration/harness.h"

extern char **environ;

using Fields = std::map<std::string, std::string>;

// What kfake-broker printed when it stopped.
struct BrokerReport {
    std::map<std::string, long> stats;
    std::vector<Fields> injected;
    std::string text;

    long stat(const std::string &name) const {
        auto it = stats.find(name);
        return it == stats.end() ? 0 : it->second;
    }
};

// "injected partition=1 attempt=4 ..." -> {partition: 1, attempt: 4, ...}
inline Fields parse_fields(const std::string &line) {
    Fields fields;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
        const size_t equals = word.find('=');
        if (equals != std::string::npos) fields[word.substr(0, equals)] = word.substr(equals + 1);
    }
    return fields;
}

// kfake-broker as a child process: it serves until its standard input closes.
class FakeBroker {
public:
    // more_flags: further kfake-broker flags, e.g. "-msk-iam-secret=...".
    FakeBroker(const std::string &binary, const std::string &scenario, const std::string &topic,
               int partitions, const std::vector<std::string> &more_flags = {}) {
        int to_child[2], from_child[2];
        CHECK(pipe2(to_child, O_CLOEXEC) == 0 && pipe2(from_child, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
        posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
        std::vector<std::string> flags = {"-scenario=" + scenario, "-topic=" + topic,
                                          "-partitions=" + std::to_string(partitions)};
        flags.insert(flags.end(), more_flags.begin(), more_flags.end());
        std::vector<const char *> argv{binary.c_str()};
        for (const std::string &flag : flags) argv.push_back(flag.c_str());
        argv.push_back(nullptr);
        const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr,
                                        const_cast<char *const *>(argv.data()), environ);
        posix_spawn_file_actions_destroy(&actions);
        CHECK_MSG(spawned == 0, "cannot start %s: %s", binary.c_str(), std::strerror(spawned));
        close(to_child[0]);
        close(from_child[1]);
        stdin_ = to_child[1];
        stdout_ = fdopen(from_child[0], "r");
        CHECK(stdout_ != nullptr);
        const std::string ready = read_line();
        CHECK_MSG(ready.rfind("ready ", 0) == 0, "kfake-broker did not start: '%s'", ready.c_str());
        address_ = ready.substr(6);
    }

    const std::string &address() const { return address_; }
    uint16_t port() const {
        return static_cast<uint16_t>(std::stoi(address_.substr(address_.rfind(':') + 1)));
    }
    // SIGSTOP: its sockets stay open and the kernel still completes
    // handshakes, but nothing answers. thaw() undoes it. kill() only queues
    // the signal: wait until the child has stopped, or a request sent right
    // after may still be answered.
    void freeze() {
        CHECK(::kill(pid_, SIGSTOP) == 0);
        int status = 0;
        CHECK(waitpid(pid_, &status, WUNTRACED) == pid_ && WIFSTOPPED(status));
    }
    void thaw() { CHECK(::kill(pid_, SIGCONT) == 0); }
    // SIGUSR1: from now on it answers Metadata v13+ with REBOOTSTRAP_REQUIRED
    // (broker/rebootstrap_required.go). Returns once it said it does.
    void require_rebootstrap() {
        const std::string said = signal_and_read(SIGUSR1);
        CHECK_MSG(said == "metadata answers REBOOTSTRAP_REQUIRED", "kfake-broker said '%s'",
                  said.c_str());
    }
    // SIGUSR2: partition 0's leadership moves to the next broker (started with
    // -brokers=2 or more; broker/leader_move.go). Returns its line saying where.
    std::string move_leader() {
        const std::string said = signal_and_read(SIGUSR2);
        CHECK_MSG(said.rfind("moved ", 0) == 0, "kfake-broker said '%s'", said.c_str());
        return said;
    }
    // The values of partition `partition` of `topic`, in offset order, as kcat reads them.
    std::vector<std::string> values(const std::string &topic, int partition = 0) const {
        const std::string dump =
            harness::run("kcat -C -b " + address_ + " -t " + topic + " -p " +
                         std::to_string(partition) + " -o beginning -e -q -f '%s\\n'");
        std::vector<std::string> values;
        for (const std::string &line : harness::split(dump, '\n'))
            if (!line.empty()) values.push_back(line);
        return values;
    }
    // SIGKILL: every connection resets at once, the port refuses.
    void kill() {
        CHECK(::kill(pid_, SIGKILL) == 0);
        CHECK(waitpid(pid_, nullptr, 0) == pid_);
        close(stdin_);
        std::fclose(stdout_);
        pid_ = -1;
    }

    // Closes its standard input, reads its report and waits for it to exit.
    BrokerReport stop() {
        close(stdin_);
        BrokerReport report;
        for (std::string line = read_line(); !line.empty(); line = read_line()) {
            report.text += line + "\n";
            if (line.rfind("stat ", 0) == 0) {
                for (const auto &[name, value] : parse_fields(line))
                    report.stats[name] = std::stol(value);
            } else if (line.rfind("injected ", 0) == 0) {
                report.injected.push_back(parse_fields(line));
            }
        }
        std::fclose(stdout_);
        int status = 0;
        CHECK(waitpid(pid_, &status, 0) == pid_);
        CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "kfake-broker exited with %d",
                  status);
        return report;
    }

private:
    std::string signal_and_read(int signal) {
        CHECK(::kill(pid_, signal) == 0);
        return read_line();
    }
    std::string read_line() {
        char buffer[4096];
        if (!std::fgets(buffer, sizeof buffer, stdout_)) return "";
        std::string line = buffer;
        if (!line.empty() && line.back() == '\n') line.pop_back();
        return line;
    }

    pid_t pid_ = -1;
    int stdin_ = -1;
    std::FILE *stdout_ = nullptr;
    std::string address_;
};
