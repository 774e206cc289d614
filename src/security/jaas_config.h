// sasl.jaas.config: Java's one-line JAAS login configuration, as Kafka takes it:
//   org.apache.kafka.common.security.plain.PlainLoginModule required
//       username="alice" password="secret";
// One login module, a control flag, options as key=value (values quoted or
// bare words; inside quotes, a backslash escapes the next character).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace kprod::client {

struct JaasConfig {
    std::string login_module;  // the class name
    std::string control_flag;  // required, requisite, sufficient or optional
    std::map<std::string, std::string> options;
};

// False with a message that says what is wrong and where (never quoting a
// value, which may be a password).
bool parse_jaas_config(std::string_view text, JaasConfig &out, std::string &error);

}  // namespace kprod::client
