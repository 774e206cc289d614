// Runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer, so
// that every compiler (and the ASan+UBSan build) replays the committed corpus as
// an ordinary test. Usage: <target>_replay PATH...; a directory stands for every
// regular file in it. Fails when a path cannot be read or no input was found; a
// bug in the code under test aborts, as under libFuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

namespace fs = std::filesystem;

bool collect_inputs(const fs::path &path, std::vector<fs::path> &inputs) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
        for (const fs::directory_entry &entry : fs::directory_iterator(path, error)) {
            if (entry.is_regular_file()) inputs.push_back(entry.path());
        }
    } else if (fs::is_regular_file(path, error)) {
        inputs.push_back(path);
    } else {
        std::fprintf(stderr, "replay: %s: not a file or directory\n", path.c_str());
        return false;
    }
    if (error) {
        std::fprintf(stderr, "replay: %s: %s\n", path.c_str(), error.message().c_str());
        return false;
    }
    return true;
}

// The input in a heap block of exactly its size, so that ASan reports any read
// past its end, as it does under libFuzzer.
bool run_one(const fs::path &path) {
    std::ifstream file(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
    if (file.bad()) {
        std::fprintf(stderr, "replay: %s: cannot read\n", path.c_str());
        return false;
    }
    // Named first: when the target aborts, this is the last line before the report.
    std::fprintf(stderr, "replay: %s\n", path.c_str());
    auto input = std::make_unique<uint8_t[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), input.get());
    LLVMFuzzerTestOneInput(input.get(), bytes.size());
    return true;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
        return 2;
    }
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        if (!collect_inputs(argv[i], inputs)) return 1;
    }
    // A fixed order makes a failure reproducible from the log.
    std::sort(inputs.begin(), inputs.end());
    if (inputs.empty()) {
        std::fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    for (const fs::path &input : inputs) {
        if (!run_one(input)) return 1;
    }
    std::printf("replay: %zu inputs, no failure\n", inputs.size());
    return 0;
}
