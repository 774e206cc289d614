// Shared helpers for the integration tests: where the broker is, creating
// topics with the repo's kafka-local script, running a foreign consumer
// (kcat) and Kafka's own Java partitioner, the sockets this process has open
// to a port, and a minimal check macro. Includes no kprod.h: a test may
// include that after defining KPROD_EXPERIMENTAL (producer_harness.h needs it).
#pragma once

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <unistd.h>
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
// producers' broker connections, read from /proc/self/fd.
inline std::vector<int> sockets_connected_to(uint16_t port) {
    std::vector<int> found;
    DIR *dir = opendir("/proc/self/fd");
    CHECK(dir != nullptr);
    while (dirent *entry = readdir(dir)) {
        const int fd = std::atoi(entry->d_name);
        struct stat st;
        if (entry->d_name[0] == '.' || fd == dirfd(dir) || fstat(fd, &st) != 0 ||
            !S_ISSOCK(st.st_mode))
            continue;
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        if (getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &length) != 0) continue;
        uint16_t peer_port = 0;
        if (peer.ss_family == AF_INET)
            peer_port = ntohs(reinterpret_cast<const sockaddr_in &>(peer).sin_port);
        else if (peer.ss_family == AF_INET6)
            peer_port = ntohs(reinterpret_cast<const sockaddr_in6 &>(peer).sin6_port);
        if (peer_port == port) found.push_back(fd);
    }
    closedir(dir);
    return found;
}

}  // namespace harness
