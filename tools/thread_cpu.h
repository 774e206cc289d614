// CPU time per thread, for the lines kprod-perf prints at the end:
//   threads: app=A other=O
//   thread cpu: NAME=S NAME=S ... rest=R total=T
// in seconds of user + system time. "app" sums the sending threads (perf-send-K), "other" is
// the rest of the process. Each of the tool's own threads is named (perf-send-K,
// perf-reports, perf-main) and reports its own getrusage(RUSAGE_THREAD) (sender 0 runs on
// the main thread, which reports its sending and the rest apart); the
// library's threads are read from /proc/self/task/<tid>/ by their name: schedstat's run time
// in nanoseconds, or stat's user and system ticks (10 ms) without it (kprod does not
// name its Sender thread: it inherits the name of the thread that called kprod_new, the
// process's "kprod-perf", which the tool's threads no longer carry). "rest" is what no
// thread was seen to spend: library threads that ended before the snapshot, or the work
// after it (kprod_close). Nothing here knows kprod.
#pragma once

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace kprod_perf {

inline double seconds_of(const rusage &usage) {
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

class ThreadCpu {
public:
    // Runs on: the thread to name. Names it (at most 15 characters) and keeps it out of the
    // /proc snapshot: it reports its own figure with finish_thread().
    void start_thread(const std::string &name) {
        pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
        const std::lock_guard<std::mutex> lock(mutex_);
        own_tids_.insert(static_cast<long>(syscall(SYS_gettid)));
    }

    // The calling thread's CPU time so far.
    static double thread_seconds() {
        rusage usage{};
        getrusage(RUSAGE_THREAD, &usage);
        return seconds_of(usage);
    }

    // Runs on: the named thread, last thing before it ends.
    void finish_thread(const std::string &name) { add(name, thread_seconds()); }

    void add(const std::string &name, double seconds) {
        const std::lock_guard<std::mutex> lock(mutex_);
        for (auto &[known, sum] : by_name_) {
            if (known == name) {
                sum += seconds;
                return;
            }
        }
        by_name_.emplace_back(name, seconds);
    }

    // Every live thread not started with start_thread(), by its name in /proc: the library's.
    void snapshot_other_threads() {
        DIR *tasks = opendir("/proc/self/task");
        if (!tasks) return;
        const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
        while (const dirent *entry = readdir(tasks)) {
            if (entry->d_name[0] == '.') continue;
            const long tid = std::stol(entry->d_name);
            {
                const std::lock_guard<std::mutex> lock(mutex_);
                if (own_tids_.count(tid)) continue;
            }
            std::ifstream in(std::string("/proc/self/task/") + entry->d_name + "/stat");
            std::string stat((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
            const size_t open = stat.find('('), close = stat.rfind(')');
            if (open == std::string::npos || close == std::string::npos) continue;
            std::istringstream fields(stat.substr(close + 1));
            std::string field;
            uint64_t user = 0, system = 0;
            // After "(comm)": state is field 3; utime and stime are fields 14 and 15.
            for (int number = 3; number <= 15 && fields >> field; ++number) {
                if (number == 14) user = std::stoull(field);
                if (number == 15) system = std::stoull(field);
            }
            std::string name = stat.substr(open + 1, close - open - 1);
            std::replace(name.begin(), name.end(), ' ', '_');  // the line stays NAME=S pairs
            std::ifstream schedstat(std::string("/proc/self/task/") + entry->d_name + "/schedstat");
            uint64_t run_ns = 0;
            if (schedstat >> run_ns)
                add(name, static_cast<double>(run_ns) / 1e9);
            else
                add(name, static_cast<double>(user + system) / ticks);
        }
        closedir(tasks);
    }

    // After every thread reported; app_prefix names the sending threads.
    void print(const std::string &app_prefix) const {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        const double total = seconds_of(usage);
        double app = 0, seen = 0;
        std::string by_name;
        for (const auto &[name, seconds] : by_name_) {
            if (name.rfind(app_prefix, 0) == 0) app += seconds;
            seen += seconds;
            char figure[64];
            std::snprintf(figure, sizeof figure, "=%.3f ", seconds);
            by_name += name + figure;
        }
        std::printf("threads: app=%.3f other=%.3f\n", app, total - app);
        std::printf("thread cpu: %srest=%.3f total=%.3f\n", by_name.c_str(),
                    std::max(0.0, total - seen), total);
    }

private:
    mutable std::mutex mutex_;  // guards the following
    std::set<long> own_tids_;
    std::vector<std::pair<std::string, double>> by_name_;  // in the order first seen
};

}  // namespace kprod_perf
