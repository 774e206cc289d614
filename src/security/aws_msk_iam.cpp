#include "security/aws_msk_iam.h"

#include <cstdlib>

#include "security/sigv4.h"
#include "kprod.h"

namespace kprod::client {

namespace {

constexpr const char *kService = "kafka-cluster";
constexpr const char *kAction = "kafka-cluster:Connect";
// How long the broker may accept the signed request after its time (s).
constexpr const char *kExpiresSeconds = "900";

std::string json_string(const std::string &text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char kDigits[] = "0123456789abcdef";
            out += "\\u00";
            out += kDigits[(c >> 4) & 0x0f];
            out += kDigits[c & 0x0f];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string timestamp_of(std::time_t now) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[17];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
    return text;
}

std::string environment(const char *name) {
    const char *value = std::getenv(name);
    return value ? value : "";
}

class MskIamExchange final : public SaslExchange {
public:
    MskIamExchange(std::string payload, std::string access_key_id)
        : payload_(std::move(payload)), principal_(std::move(access_key_id)) {}

    const std::string &initial_response() const override { return payload_; }
    const std::string &principal() const override { return principal_; }

    // The broker accepts with a JSON object ({"version":..,"request-id":..}).
    Step on_challenge(const std::string &challenge, std::string &, std::string &error) override {
        if (!challenge.empty() && challenge.front() == '{') return Step::kDone;
        error = "the broker's answer to AWS_MSK_IAM is not the expected JSON object";
        return Step::kRefused;
    }

private:
    std::string payload_;
    std::string principal_;
};

class MskIamLogin final : public SaslExchangeFactory {
public:
    MskIamLogin(AwsCredentials credentials, std::string region)
        : credentials_(std::move(credentials)), region_(std::move(region)) {}

    std::unique_ptr<SaslExchange> start(const std::string &host, std::string &,
                                        std::string &error) override {
        const std::string region = region_.empty() ? aws_region_of_host(host) : region_;
        if (region.empty()) {
            error =
                "AWS_MSK_IAM: no region: set AWS_REGION, or connect to the broker by its "
                "AWS host name (not " +
                host + ")";
            return nullptr;
        }
        return std::make_unique<MskIamExchange>(
            msk_iam_payload(credentials_, region, host, std::time(nullptr),
                            std::string("kprod/") + kprod_version_str()),
            credentials_.access_key_id);
    }

private:
    const AwsCredentials credentials_;
    const std::string region_;
};

}  // namespace

std::string aws_region_of_host(const std::string &host) {
    for (const std::string suffix : {".amazonaws.com", ".amazonaws.com.cn"}) {
        if (host.size() <= suffix.size() ||
            host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string rest = host.substr(0, host.size() - suffix.size());
        const size_t dot = rest.rfind('.');
        return dot == std::string::npos ? "" : rest.substr(dot + 1);
    }
    return "";
}

std::string msk_iam_payload(const AwsCredentials &credentials, const std::string &region,
                            const std::string &host, std::time_t now,
                            const std::string &user_agent) {
    const std::string timestamp = timestamp_of(now);
    const std::string scope = sigv4::credential_scope(timestamp, region, kService);
    const std::string credential = credentials.access_key_id + "/" + scope;
    sigv4::Request request;
    request.query = {{"Action", kAction},
                     {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                     {"X-Amz-Credential", credential},
                     {"X-Amz-Date", timestamp},
                     {"X-Amz-Expires", kExpiresSeconds},
                     {"X-Amz-SignedHeaders", "host"}};
    if (!credentials.session_token.empty())
        request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
    request.headers = {{"host", host}};
    request.payload_sha256_hex = sigv4::sha256_hex("");
    const std::string signature = sigv4::signature(
        sigv4::signing_key(credentials.secret_access_key, timestamp.substr(0, 8), region, kService),
        sigv4::string_to_sign(timestamp, scope, sigv4::canonical_request(request)));

    std::string json = "{\"version\":\"2020_10_22\",\"host\":" + json_string(host) +
                       ",\"user-agent\":" + json_string(user_agent) +
                       ",\"action\":" + json_string(kAction) +
                       ",\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\",\"x-amz-credential\":" +
                       json_string(credential) + ",\"x-amz-date\":" + json_string(timestamp) +
                       ",\"x-amz-expires\":" + json_string(kExpiresSeconds);
    if (!credentials.session_token.empty())
        json += ",\"x-amz-security-token\":" + json_string(credentials.session_token);
    json += ",\"x-amz-signedheaders\":\"host\",\"x-amz-signature\":" + json_string(signature) + "}";
    return json;
}

bool aws_credentials_from_environment(AwsCredentials &credentials, std::string &region,
                                      std::string &error) {
    credentials.access_key_id = environment("AWS_ACCESS_KEY_ID");
    credentials.secret_access_key = environment("AWS_SECRET_ACCESS_KEY");
    credentials.session_token = environment("AWS_SESSION_TOKEN");
    region = environment("AWS_REGION");
    if (region.empty()) region = environment("AWS_DEFAULT_REGION");
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
        error =
            std::string("sasl.mechanism=AWS_MSK_IAM needs AWS credentials: ") +
            (credentials.access_key_id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
            " is not set in the environment";
        return false;
    }
    return true;
}

std::shared_ptr<SaslExchangeFactory> make_msk_iam_factory(AwsCredentials credentials,
                                                          std::string region) {
    return std::make_shared<MskIamLogin>(std::move(credentials), std::move(region));
}

}  // namespace kprod::client
