// sasl.mechanism=AWS_MSK_IAM's half of ConfigStore::build: the optional JAAS
// line (aws-msk-iam-auth's IAMLoginModule) and the credentials.
#pragma once

#include <string>

#include "config/config.h"

namespace kprod::client {

// Fills c.sasl for AWS_MSK_IAM. Returns KPROD_OK or KPROD_ERR_INVALID_CONFIG
// (error names the property or environment variable at fault).
kprod_err_t resolve_aws_msk_iam(ProducerConfig &c, std::string &error);

}  // namespace kprod::client
