#include "security/json_object.h"

#include <cstdlib>

namespace kprod::client {

namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    bool fail(const std::string &what) {
        if (error_.empty())
            error_ = what + " at offset " + std::to_string(position_) + " of " +
                     std::to_string(text_.size());
        return false;
    }
    const std::string &error() const { return error_; }

    void skip_space() {
        while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                            text_[position_] == '\n' || text_[position_] == '\r'))
            ++position_;
    }
    bool at_end() {
        skip_space();
        return position_ == text_.size();
    }
    bool consume(char c) {
        skip_space();
        if (position_ < text_.size() && text_[position_] == c) {
            ++position_;
            return true;
        }
        return false;
    }

    static void append_utf8(std::string &out, unsigned code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    bool hex4(unsigned &code) {
        if (position_ + 4 > text_.size()) return fail("a short \\u escape");
        code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[position_++];
            code <<= 4;
            if (c >= '0' && c <= '9')
                code |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                code |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                code |= static_cast<unsigned>(c - 'A' + 10);
            else
                return fail("a bad \\u escape");
        }
        return true;
    }

    bool string(std::string &out) {
        if (!consume('"')) return fail("expected a string");
        while (position_ < text_.size()) {
            const char c = text_[position_++];
            if (c == '"') return true;
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("a control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (position_ >= text_.size()) break;
            const char e = text_[position_++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned code = 0;
                if (!hex4(code)) return false;
                if (code >= 0xD800 && code < 0xDC00 && text_.substr(position_, 2) == "\\u") {
                    position_ += 2;
                    unsigned low = 0;
                    if (!hex4(low)) return false;
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                append_utf8(out, code);
                break;
            }
            default:
                return fail("a bad escape in a string");
            }
        }
        return fail("an unterminated string");
    }

    bool number(std::string &out) {
        skip_space();
        const size_t start = position_;
        while (position_ < text_.size() &&
               std::string_view("+-0123456789.eE").find(text_[position_]) != std::string_view::npos)
            ++position_;
        out = std::string(text_.substr(start, position_ - start));
        char *end = nullptr;
        std::strtod(out.c_str(), &end);
        if (out.empty() || *end != '\0') return fail("expected a value");
        return true;
    }

    bool literal(std::string_view word) {
        skip_space();
        if (text_.substr(position_, word.size()) != word) return fail("expected a value");
        position_ += word.size();
        return true;
    }

    bool value(JsonValue &out, int depth) {
        if (depth > 32) return fail("nesting deeper than 32");
        skip_space();
        if (position_ >= text_.size()) return fail("expected a value");
        const char c = text_[position_];
        if (c == '"') {
            out.type = JsonValue::Type::kString;
            return string(out.text);
        }
        if (c == '{') {
            const size_t start = position_;
            out.type = JsonValue::Type::kObject;
            if (!object(nullptr, depth + 1)) return false;
            out.text = std::string(text_.substr(start, position_ - start));
            return true;
        }
        if (c == '[') {
            out.type = JsonValue::Type::kArray;
            ++position_;
            if (consume(']')) return true;
            do {
                JsonValue item;
                if (!value(item, depth + 1)) return false;
                if (item.type == JsonValue::Type::kString || item.type == JsonValue::Type::kNumber)
                    out.items.push_back(item.text);
            } while (consume(','));
            return consume(']') || fail("expected , or ] in an array");
        }
        if (c == 't' || c == 'f') {
            out.type = JsonValue::Type::kBool;
            out.text = c == 't' ? "true" : "false";
            return literal(out.text);
        }
        if (c == 'n') {
            out.type = JsonValue::Type::kNull;
            return literal("null");
        }
        out.type = JsonValue::Type::kNumber;
        return number(out.text);
    }

    // members: where to keep the top level's members (null: only check).
    bool object(std::map<std::string, JsonValue> *members, int depth) {
        if (!consume('{')) return fail("expected {");
        if (consume('}')) return true;
        do {
            std::string name;
            if (!string(name)) return false;
            if (!consume(':')) return fail("expected :");
            JsonValue member;
            if (!value(member, depth)) return false;
            if (members) (*members)[name] = std::move(member);
        } while (consume(','));
        return consume('}') || fail("expected , or } in an object");
    }

private:
    std::string_view text_;
    size_t position_ = 0;
    std::string error_;
};

}  // namespace

bool JsonObject::parse(std::string_view text, std::string &error) {
    members_.clear();
    Parser parser(text);
    if (!parser.object(&members_, 0) || !parser.at_end()) {
        if (parser.error().empty()) parser.fail("text after the object");
        error = "not a JSON object: " + parser.error();
        members_.clear();
        return false;
    }
    return true;
}

const JsonValue *JsonObject::find(const std::string &name) const {
    const auto it = members_.find(name);
    return it == members_.end() ? nullptr : &it->second;
}

std::optional<std::string> JsonObject::string(const std::string &name) const {
    const JsonValue *value = find(name);
    if (!value || value->type != JsonValue::Type::kString) return std::nullopt;
    return value->text;
}

std::optional<double> JsonObject::number(const std::string &name) const {
    const JsonValue *value = find(name);
    if (!value || value->type != JsonValue::Type::kNumber) return std::nullopt;
    return std::strtod(value->text.c_str(), nullptr);
}

std::string json_quote(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace kprod::client
