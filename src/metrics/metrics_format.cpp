#include "metrics/metrics_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <type_traits>

namespace kprod::client {

namespace {

// Integers as integers ("100000", not "1e+05"), anything else as the
// shortest text that reads back as the same double.
void append_number(std::string &out, double value) {
    char text[64];
    std::to_chars_result result;
    if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0)  // 2^53
        result = std::to_chars(text, text + sizeof text, static_cast<int64_t>(value));
    else
        result = std::to_chars(text, text + sizeof text, value);
    out.append(text, result.ptr);
}

void append_json_string(std::string &out, std::string_view text) {
    out += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
}

void append_json_value(std::string &out, double value) {
    if (std::isfinite(value))
        append_number(out, value);
    else
        out += "null";  // JSON has no NaN or infinity
}

// {"name":value,...} for the metrics of one group, one topic or one broker.
void append_json_object(std::string &out, const std::vector<const MetricValue *> &metrics) {
    out += '{';
    for (size_t i = 0; i < metrics.size(); ++i) {
        if (i > 0) out += ',';
        append_json_string(out, metrics[i]->definition->name);
        out += ':';
        append_json_value(out, metrics[i]->value);
    }
    out += '}';
}

template <typename Key>
void append_json_members(std::string &out,
                         const std::map<Key, std::vector<const MetricValue *>> &members) {
    out += '{';
    bool first = true;
    for (const auto &[key, metrics] : members) {
        if (!first) out += ',';
        first = false;
        if constexpr (std::is_same_v<Key, int32_t>)
            append_json_string(out, node_tag(key));
        else
            append_json_string(out, key);
        out += ':';
        append_json_object(out, metrics);
    }
    out += '}';
}

// Label values escape backslash, double quote and newline; HELP text the
// same but the quote.
void append_escaped(std::string &out, std::string_view text, bool quote) {
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quote)
            out += "\\\"";
        else
            out += c;
    }
}

void append_label(std::string &out, const char *name, std::string_view value) {
    out += ',';
    out += name;
    out += "=\"";
    append_escaped(out, value, true);
    out += '"';
}

void append_prometheus_value(std::string &out, double value) {
    if (std::isnan(value))
        out += "NaN";
    else if (std::isinf(value))
        out += value > 0 ? "+Inf" : "-Inf";
    else
        append_number(out, value);
}

}  // namespace

std::string node_tag(int32_t node_id) {
    return "node-" + std::to_string(node_id);
}

std::string prometheus_name(const MetricDefinition &definition) {
    std::string_view group = definition.group;
    constexpr std::string_view kSuffix = "-metrics";
    if (group.ends_with(kSuffix)) group.remove_suffix(kSuffix.size());
    std::string name = "kprod_";
    name += group;
    name += '_';
    name += definition.name;
    for (char &c : name)
        if (c == '-') c = '_';
    return name;
}

std::string metrics_to_json(std::string_view client_id, const std::vector<MetricValue> &metrics) {
    std::vector<const MetricValue *> producer;
    std::map<std::string_view, std::vector<const MetricValue *>> topics;
    std::map<int32_t, std::vector<const MetricValue *>> nodes;
    for (const MetricValue &metric : metrics) {
        if (metric.topic)
            topics[metric.topic].push_back(&metric);
        else if (metric.node_id >= 0)
            nodes[metric.node_id].push_back(&metric);
        else
            producer.push_back(&metric);
    }
    std::string out = "{\"client-id\":";
    append_json_string(out, client_id);
    out += ",\"";
    out += kProducerMetricsGroup;
    out += "\":";
    append_json_object(out, producer);
    out += ",\"";
    out += kTopicMetricsGroup;
    out += "\":";
    append_json_members(out, topics);
    out += ",\"";
    out += kNodeMetricsGroup;
    out += "\":";
    append_json_members(out, nodes);
    out += "}\n";
    return out;
}

std::string metrics_to_prometheus(std::string_view client_id,
                                  const std::vector<MetricValue> &metrics) {
    std::string out;
    const MetricDefinition *family = nullptr;
    std::string name;
    for (const MetricValue &metric : metrics) {
        if (metric.definition != family) {  // read() keeps a family's samples together
            family = metric.definition;
            name = prometheus_name(*family);
            out += "# HELP " + name + ' ';
            append_escaped(out, family->description, false);
            out += "\n# TYPE " + name +
                   (family->type == MetricType::kCounter ? " counter\n" : " gauge\n");
        }
        out += name;
        out += "{client_id=\"";
        append_escaped(out, client_id, true);
        out += '"';
        if (metric.topic) append_label(out, "topic", metric.topic);
        if (metric.node_id >= 0) append_label(out, "node_id", node_tag(metric.node_id));
        out += "} ";
        append_prometheus_value(out, metric.value);
        out += '\n';
    }
    return out;
}

}  // namespace kprod::client
