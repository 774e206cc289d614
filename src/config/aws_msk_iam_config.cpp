#include "config/aws_msk_iam_config.h"

#include "security/aws_msk_iam.h"
#include "security/jaas_config.h"

namespace kprod::client {

namespace {
constexpr std::string_view kIamLoginModule = "software.amazon.msk.auth.iam.IAMLoginModule";
}  // namespace

kprod_err_t resolve_aws_msk_iam(ProducerConfig &c, std::string &error) {
    if (!c.sasl_username.empty() || !c.sasl_password.empty()) {
        error =
            "sasl.username and sasl.password do not go with sasl.mechanism=AWS_MSK_IAM; set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment";
        return KPROD_ERR_INVALID_CONFIG;
    }
    if (!c.sasl_jaas_config.empty()) {
        JaasConfig jaas;
        if (!parse_jaas_config(c.sasl_jaas_config, jaas, error)) return KPROD_ERR_INVALID_CONFIG;
        if (jaas.login_module != kIamLoginModule) {
            error = "sasl.jaas.config: " + jaas.login_module +
                    " does not go with sasl.mechanism=AWS_MSK_IAM; use " +
                    std::string(kIamLoginModule) + " required;";
            return KPROD_ERR_INVALID_CONFIG;
        }
        // Profiles and assumed roles need the AWS SDK's credential chain.
        if (!jaas.options.empty()) {
            error = "sasl.jaas.config: IAMLoginModule option " + jaas.options.begin()->first +
                    " is not supported: kprod takes AWS credentials from AWS_ACCESS_KEY_ID, "
                    "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN";
            return KPROD_ERR_INVALID_CONFIG;
        }
    }
    AwsCredentials credentials;
    std::string region;
    if (!aws_credentials_from_environment(credentials, region, error))
        return KPROD_ERR_INVALID_CONFIG;
    c.sasl.username = credentials.access_key_id;
    c.sasl.exchange_factory = make_msk_iam_factory(std::move(credentials), std::move(region));
    return KPROD_OK;
}

}  // namespace kprod::client
