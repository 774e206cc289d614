// kprod-config-table: print the configuration table that README.md and
// docs/CONFIGURATION.md carry between their config-table markers, or rewrite
// that part of a file in place.
//
//   kprod-config-table                   print the Markdown table
//   kprod-config-table --update FILE...  replace the table between the markers
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"

namespace {

bool update_file(const char *path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "kprod-config-table: cannot read %s\n", path);
        return false;
    }
    std::ostringstream content;
    content << in.rdbuf();
    std::string document = content.str();
    std::string error;
    if (!kprod::client::splice_config_table(document, error)) {
        std::fprintf(stderr, "kprod-config-table: %s: %s\n", path, error.c_str());
        return false;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << document;
    if (!out.flush()) {
        std::fprintf(stderr, "kprod-config-table: cannot write %s\n", path);
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc == 1) {
        std::fputs(kprod::client::config_markdown_table().c_str(), stdout);
        return 0;
    }
    if (argc < 3 || std::strcmp(argv[1], "--update") != 0) {
        std::fprintf(stderr, "usage: kprod-config-table [--update FILE...]\n");
        return 2;
    }
    bool ok = true;
    for (int i = 2; i < argc; ++i) ok = update_file(argv[i]) && ok;
    return ok ? 0 : 1;
}
