// JsonObject: the top-level members of a small JSON object, as an OAuth 2
// token endpoint answers (RFC 6749 5.1: access_token, expires_in, ...) and as
// a JWT's claims set holds them (RFC 7519: sub, exp, scope, ...). Strings are
// unescaped (\uXXXX to UTF-8); numbers keep their text; an array keeps its
// string and number items; a nested object is checked and kept as its text.
// Cold path only: one parse per token.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kprod::client {

struct JsonValue {
    enum class Type { kString, kNumber, kBool, kNull, kArray, kObject };
    Type type = Type::kNull;
    std::string text;                // string (unescaped), number or object text, "true"/"false"
    std::vector<std::string> items;  // kArray: its string and number items
};

class JsonObject {
public:
    // False with a message saying where the text stops being a JSON object.
    bool parse(std::string_view text, std::string &error);

    const JsonValue *find(const std::string &name) const;
    // The member as a string; nullopt when missing or not a string.
    std::optional<std::string> string(const std::string &name) const;
    // The member as a number (integral or not); nullopt when missing or not a number.
    std::optional<double> number(const std::string &name) const;

private:
    std::map<std::string, JsonValue> members_;
};

// text as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace kprod::client
