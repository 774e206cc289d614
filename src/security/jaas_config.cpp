#include "security/jaas_config.h"

#include <cctype>

namespace kprod::client {

namespace {

class JaasReader {
public:
    explicit JaasReader(std::string_view text) : text_(text) {}

    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    bool at_end() {
        skip_space();
        return pos_ >= text_.size();
    }
    bool take(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    // A bare word: letters, digits and . _ - $ (class names, flags, keys).
    std::string word() {
        skip_space();
        const size_t start = pos_;
        while (pos_ < text_.size()) {
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (!std::isalnum(c) && c != '.' && c != '_' && c != '-' && c != '$') break;
            ++pos_;
        }
        return std::string(text_.substr(start, pos_ - start));
    }
    // A quoted value or a bare word; false when a quote is not closed.
    bool value(std::string &out) {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"') {
            out = word();
            return true;
        }
        ++pos_;
        out.clear();
        while (pos_ < text_.size() && text_[pos_] != '"') {
            if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
            out += text_[pos_++];
        }
        if (pos_ >= text_.size()) return false;
        ++pos_;
        return true;
    }
    size_t position() const { return pos_; }

private:
    std::string_view text_;
    size_t pos_ = 0;
};

bool valid_flag(const std::string &flag) {
    return flag == "required" || flag == "requisite" || flag == "sufficient" || flag == "optional";
}

}  // namespace

bool parse_jaas_config(std::string_view text, JaasConfig &out, std::string &error) {
    JaasReader in(text);
    JaasConfig config;
    config.login_module = in.word();
    if (config.login_module.empty()) {
        error =
            "sasl.jaas.config: expected a login module class name first, as in "
            "'org.apache.kafka.common.security.plain.PlainLoginModule required "
            "username=\"...\" password=\"...\";'";
        return false;
    }
    config.control_flag = in.word();
    if (!valid_flag(config.control_flag)) {
        error =
            "sasl.jaas.config: expected a control flag (required, requisite, sufficient or "
            "optional) after " +
            config.login_module;
        return false;
    }
    while (!in.take(';')) {
        if (in.at_end()) {
            error = "sasl.jaas.config: expected ';' at the end";
            return false;
        }
        const std::string key = in.word();
        if (key.empty() || !in.take('=')) {
            error = "sasl.jaas.config: expected an option as key=value at character " +
                    std::to_string(in.position() + 1);
            return false;
        }
        std::string value;
        if (!in.value(value)) {
            error = "sasl.jaas.config: the value of " + key + " has no closing quote";
            return false;
        }
        config.options[key] = std::move(value);
    }
    if (!in.at_end()) {
        error = "sasl.jaas.config: kprod takes one login module; found more after the first ';'";
        return false;
    }
    out = std::move(config);
    return true;
}

}  // namespace kprod::client
