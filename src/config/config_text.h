// Text helpers shared by the configuration's parsers (config.cpp,
// bootstrap_servers.cpp): Java's trim, ASCII case folding, quoting for messages.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace kprod::client::config_text {

// Java's String.trim(): drop every character <= ' ' at both ends.
inline std::string_view trim(std::string_view text) {
    auto is_blank = [](char c) { return static_cast<unsigned char>(c) <= ' '; };
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
}

inline char to_lower_ascii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool equals_ignore_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower_ascii(x) == to_lower_ascii(y);
           });
}

// Appended piece by piece: GCC 12's `"\"" + std::string(...)` inlines an insert at
// the front that -Wrestrict misreads as an overlapping memcpy (GCC bug 105329).
inline std::string quoted(std::string_view text) {
    std::string result;
    result.reserve(text.size() + 2);
    result += '"';
    result += text;
    result += '"';
    return result;
}

// An optional sign and decimal digits, nothing else, within int64_t.
inline bool parse_integer(std::string_view text, int64_t &out) {
    const bool plus = !text.empty() && text.front() == '+';
    if (plus) text.remove_prefix(1);
    const size_t first_digit = (!plus && !text.empty() && text.front() == '-') ? 1 : 0;
    if (text.size() <= first_digit || text[first_digit] < '0' || text[first_digit] > '9') {
        return false;
    }
    const char *end = text.data() + text.size();
    auto [stop, status] = std::from_chars(text.data(), end, out);
    return status == std::errc() && stop == end;
}

}  // namespace kprod::client::config_text
