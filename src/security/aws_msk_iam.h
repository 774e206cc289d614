// sasl.mechanism=AWS_MSK_IAM: Amazon MSK's IAM access control. The client's
// one message is a JSON object holding a SigV4-presigned
// "kafka-cluster:Connect" request to the broker's host (the format of
// aws-msk-iam-auth, version 2020_10_22); the broker checks the signature and
// answers with a JSON object naming its request id. Credentials come from
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; the region
// from AWS_REGION (or AWS_DEFAULT_REGION), else from the broker's host name
// (b-1.cluster.abc.kafka.<region>.amazonaws.com).
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "security/sasl_exchange.h"

namespace kprod::client {

struct AwsCredentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // temporary credentials only
};

// The region in an AWS host name ("b-1.x.kafka.eu-west-1.amazonaws.com" ->
// "eu-west-1"), or "" when the host is not AWS's.
std::string aws_region_of_host(const std::string &host);

// The AWS_MSK_IAM client message for host, signed at time now.
std::string msk_iam_payload(const AwsCredentials &credentials, const std::string &region,
                            const std::string &host, std::time_t now,
                            const std::string &user_agent);

// Credentials and region from the environment, or false with error naming
// what is missing (never quoting a secret).
bool aws_credentials_from_environment(AwsCredentials &credentials, std::string &region,
                                      std::string &error);

// Signs with credentials for every exchange; region "" means: from each host's name.
std::shared_ptr<SaslExchangeFactory> make_msk_iam_factory(AwsCredentials credentials,
                                                          std::string region);

}  // namespace kprod::client
