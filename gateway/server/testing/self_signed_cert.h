// A throwaway self-signed certificate for TLS tests (P-256 key, CN and SAN "localhost").
#pragma once

#include <string>

#include "shared/result.h"

namespace boxoffice::gateway::server::testing {

struct CertFiles {
  std::string cert_file;  // PEM certificate
  std::string key_file;   // PEM private key
};

// Writes cert.pem and key.pem into `dir`.
Result<CertFiles, std::string> write_self_signed_cert(const std::string& dir);

}  // namespace boxoffice::gateway::server::testing
