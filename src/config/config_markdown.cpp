// The configuration table as Markdown, generated from the property table so
// that README.md and docs/CONFIGURATION.md never disagree with the code.
#include <algorithm>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "config/config.h"

namespace kprod::client {

namespace {

std::string markdown_cell(std::string_view text) {
    std::string cell;
    for (char c : text) {
        if (c == '|') cell += '\\';
        cell += c;
    }
    return cell;
}

// Java's documentation order: required first, then by importance, then by name.
std::vector<const PropertySpec *> specs_in_documentation_order() {
    std::vector<const PropertySpec *> sorted;
    for (const PropertySpec &spec : property_specs()) sorted.push_back(&spec);
    std::sort(sorted.begin(), sorted.end(), [](const PropertySpec *a, const PropertySpec *b) {
        return std::tuple(!a->required, a->importance, a->name) <
               std::tuple(!b->required, b->importance, b->name);
    });
    return sorted;
}

struct TableSpan {
    size_t start;  // first character after the begin line
    size_t end;    // first character of the end line
};

std::optional<TableSpan> locate_config_table(std::string_view document) {
    const size_t begin = document.find(kConfigTableBegin);
    if (begin == std::string_view::npos) return std::nullopt;
    const size_t line_end = document.find('\n', begin);
    if (line_end == std::string_view::npos) return std::nullopt;
    const size_t start = line_end + 1;
    const size_t end = document.find(kConfigTableEnd, start);
    if (end == std::string_view::npos) return std::nullopt;
    if (end != start && document[end - 1] != '\n') return std::nullopt;
    return TableSpan{start, end};
}

// The status column: the test that shows the property at work, or why it has
// no effect in kprod.
std::string status_cell(const PropertySpec &spec) {
    if (!spec.no_effect.empty()) return "no effect: " + markdown_cell(spec.no_effect);
    // test_config fails while a row has neither; the table does not hide it meanwhile.
    if (spec.effect_test.empty()) return "**unproven**: no test shows its effect";
    return "takes effect: `" + markdown_cell(spec.effect_test) + "`";
}

}  // namespace

std::string config_markdown_table() {
    std::string table =
        "| Property | Default | Accepted values | Description | Status |\n"
        "|---|---|---|---|---|\n";
    for (const PropertySpec *spec : specs_in_documentation_order()) {
        table += "| `" + std::string(spec->name) + "` | ";
        const std::string shown_default = default_for_display(*spec);
        table +=
            (spec->required || !spec->default_value) ? shown_default : "`" + shown_default + "`";
        table += " | " + markdown_cell(accepted_values(*spec)) + " | " + markdown_cell(spec->doc) +
                 " | " + status_cell(*spec) + " |\n";
    }
    return table;
}

std::optional<std::string_view> find_config_table(std::string_view document) {
    const std::optional<TableSpan> span = locate_config_table(document);
    if (!span) return std::nullopt;
    return document.substr(span->start, span->end - span->start);
}

bool splice_config_table(std::string &document, std::string &error) {
    const std::optional<TableSpan> span = locate_config_table(document);
    if (!span) {
        error = "no \"" + std::string(kConfigTableBegin) + "\" line followed by a \"" +
                std::string(kConfigTableEnd) + "\" line";
        return false;
    }
    document.replace(span->start, span->end - span->start, config_markdown_table());
    return true;
}

}  // namespace kprod::client
