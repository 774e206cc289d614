// Shared helpers for the integration tests: where the broker is, creating
// topics with the repo's kafka-local script, running a foreign consumer
// (kcat) and Kafka's own Java partitioner, the sockets this process has open
// to a port, and a minimal check macro. Includes no kprod.h: a test may
// include that after defining KPROD_EXPERIMENTAL (producer_harness.h needs it).
#pragma once

#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <unistd.h>
#include <sstream>
#include <string>
#include <vector>

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::exit(1);                                                                 \
        }                                                                                 \
    } while (0)

#define CHECK_MSG(cond, ...)                                                              \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            std::fprintf(stderr, __VA_ARGS__);                                            \
            std::fputc('\n', stderr);                                                     \
            std::exit(1);                                                                 \
        }                                                                                 \
    } while (0)

namespace harness {

inline std::string env_or(const char *name, const char *fallback) {
    const char *value = std::getenv(name);
    return value && *value ? value : fallback;
}

// KPROD_BOOTSTRAP, e.g. 127.0.0.1:9092 (set by scripts/test).
inline std::string bootstrap() {
    return env_or("KPROD_BOOTSTRAP", "127.0.0.1:9092");
}

inline std::string kafka_local() {
    return env_or("KPROD_KAFKA_LOCAL", "scripts/kafka-local");
}

inline std::string port_of(const std::string &host_port) {
    return host_port.substr(host_port.rfind(':') + 1);
}

// Runs a shell command and returns its standard output; exits the test on failure.
inline std::string run(const std::string &command) {
    std::FILE *pipe = popen(command.c_str(), "r");
    CHECK_MSG(pipe != nullptr, "cannot run %s", command.c_str());
    std::string out;
    char buffer[65536];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    int status = pclose(pipe);
    CHECK_MSG(status == 0, "command failed (%d): %s", status, command.c_str());
    return out;
}

// A topic name no earlier run used.
inline std::string unique_topic(const std::string &prefix) {
    return prefix + "-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid());
}

inline void create_topic(const std::string &topic, int partitions) {
    run("KAFKA_PORT=" + port_of(bootstrap()) + " " + kafka_local() + " create-topic " + topic +
        " " + std::to_string(partitions) + " >&2");
}

inline std::vector<std::string> split(const std::string &text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

// The sockets of this process connected to `port` (any address): the
// producers' broker connections. Found without touching a descriptor that a
// producer's thread may close meanwhile: /proc/self/fd names each socket's
// inode, and /proc/self/net/tcp and tcp6 give that inode's peer and state.
inline std::vector<int> sockets_connected_to(uint16_t port) {
    std::vector<unsigned long> inodes;  // established connections to `port`
    for (const char *table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
        std::FILE *f = std::fopen(table, "r");
        if (!f) continue;
        char line[512];
        while (std::fgets(line, sizeof line, f)) {
            char remote[64], state[8];
            unsigned long inode = 0;
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            if (std::sscanf(line, "%*s %*s %63s %7s %*s %*s %*s %*s %*s %lu", remote, state,
                            &inode) != 3)
                continue;
            const char *colon = std::strrchr(remote, ':');
            if (colon && std::strtoul(colon + 1, nullptr, 16) == port &&
                std::strcmp(state, "01") == 0)
                inodes.push_back(inode);
        }
        std::fclose(f);
    }
    std::vector<int> found;
    DIR *dir = opendir("/proc/self/fd");
    CHECK(dir != nullptr);
    while (dirent *entry = readdir(dir)) {
        if (entry->d_name[0] == '.') continue;
        char target[64];
        const std::string link = std::string("/proc/self/fd/") + entry->d_name;
        const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        unsigned long inode = 0;
        if (std::sscanf(target, "socket:[%lu]", &inode) != 1) continue;
        for (unsigned long connected : inodes)
            if (connected == inode) found.push_back(std::atoi(entry->d_name));
    }
    closedir(dir);
    return found;
}

// The group's committed offset of topic/0, as Kafka's ConsumerGroupCommand
// shows it, or -1 when it has none.
inline int64_t committed_offset(const std::string &group, const std::string &topic) {
    const std::string out =
        run("java -cp \"$(KAFKA_PORT=" + port_of(bootstrap()) + " " + kafka_local() +
            " classpath)\" org.apache.kafka.tools.consumer.group."
            "ConsumerGroupCommand --bootstrap-server " +
            bootstrap() + " --describe --group " + group + " 2>/dev/null || true");
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string group_field, topic_field, partition, current;
        fields >> group_field >> topic_field >> partition >> current;
        if (group_field == group && topic_field == topic && partition == "0")
            return current == "-" ? -1 : std::stoll(current);
    }
    return -1;
}

}  // namespace harness
