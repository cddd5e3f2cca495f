// boxoffice_keys: Ed25519 signing keys and tokens from the command line.
//   generate --out key.pem      a fresh key (mode 0600), prints its kid
//   jwks key.pem [more.pem...]  prints the JWKS that publishes the public keys
//   mint --key key.pem ...      prints a signed token (tests and load generators that talk to
//                               booking directly)
// Exit codes: 0 done, 1 a key or file problem, 2 a usage error.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "shared/tokens/claims.h"
#include "shared/tokens/key_set.h"

namespace {

namespace tokens = boxoffice::tokens;

constexpr int kFailed = 1;
constexpr int kUsage = 2;

int generate(const std::string& out, const std::string& kid) {
  tokens::KeySet keys;
  auto id = keys.generate_ed25519(kid);
  if (!id) {
    std::fprintf(stderr, "error: %s\n", id.error().c_str());
    return kFailed;
  }
  auto saved = keys.save_ed25519_pem_file(*id, out);
  if (!saved) {
    std::fprintf(stderr, "error: %s\n", saved.error().c_str());
    return kFailed;
  }
  std::printf("%s\n", id->c_str());
  return 0;
}

int jwks(const std::vector<std::string>& files) {
  tokens::KeySet keys;
  for (const std::string& file : files) {
    auto id = keys.load_ed25519_pem_file(file);
    if (!id) {
      std::fprintf(stderr, "error: %s: %s\n", file.c_str(), id.error().c_str());
      return kFailed;
    }
  }
  std::printf("%s\n", keys.to_jwks().c_str());
  return 0;
}

struct MintArgs {
  std::string key_file;
  std::string kid;
  tokens::Claims claims;
  int64_t ttl_s = 600;
  int64_t now_s = -1;
};

int mint(MintArgs args) {
  tokens::KeySet keys;
  auto id = keys.load_ed25519_pem_file(args.key_file, args.kid);
  if (!id) {
    std::fprintf(stderr, "error: %s: %s\n", args.key_file.c_str(), id.error().c_str());
    return kFailed;
  }
  if (!keys.set_active(*id)) {
    std::fprintf(stderr, "error: %s: cannot sign with this key\n", args.key_file.c_str());
    return kFailed;
  }
  const int64_t now_s = args.now_s >= 0 ? args.now_s
                                        : std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();
  args.claims.exp = now_s + args.ttl_s;
  if (args.claims.kind == tokens::kKindAdmission) {
    args.claims.iat = now_s;
    args.claims.nbf = now_s;
  } else {
    // A gate signs waiting tokens with the HS256 key it derives from its signing key; so does this.
    auto waiting = keys.derive_hs256(tokens::kWaitingKeyPurpose);
    if (!waiting) {
      std::fprintf(stderr, "error: %s\n", waiting.error().c_str());
      return kFailed;
    }
    keys = std::move(*waiting);
  }
  const std::string token = keys.sign(args.claims);
  if (token.empty()) {
    std::fprintf(stderr, "error: signing failed\n");
    return kFailed;
  }
  std::printf("%s\n", token.c_str());
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app("Ed25519 signing keys, JWKS documents and test tokens for boxoffice");
  app.require_subcommand(1);

  std::string out;
  std::string new_kid;
  CLI::App* gen = app.add_subcommand("generate", "generate an Ed25519 key, print its kid");
  gen->add_option("--out", out, "PEM file to write (mode 0600; never overwritten)")->required();
  gen->add_option("--kid", new_kid, "kid to use (default: derived from the public key)");

  std::vector<std::string> files;
  CLI::App* pub = app.add_subcommand("jwks", "print the JWKS of the public keys");
  pub->add_option("files", files, "Ed25519 private keys (PEM)")->required();

  MintArgs m;
  std::string kind = std::string(tokens::kKindAdmission);
  CLI::App* mint_cmd = app.add_subcommand("mint", "print a token signed with the key");
  mint_cmd->add_option("--key", m.key_file, "Ed25519 private key (PEM)")->required();
  mint_cmd->add_option("--kid", m.kid, "kid of the key (default: derived from the public key)");
  mint_cmd->add_option("--sub", m.claims.sub, "identity (sub)")->required();
  mint_cmd->add_option("--event", m.claims.event, "event id")->required();
  mint_cmd->add_option("--kind", kind, "admission or waiting")
      ->check(
          CLI::IsMember({std::string(tokens::kKindAdmission), std::string(tokens::kKindWaiting)}));
  mint_cmd->add_option("--ttl-s", m.ttl_s, "lifetime in seconds")
      ->check(CLI::Range(int64_t{1}, int64_t{366} * 86'400));
  mint_cmd->add_option("--position", m.claims.position, "queue position (0 = not set)");
  mint_cmd->add_option("--wave", m.claims.wave, "admission wave (0 = not set)");
  mint_cmd->add_option("--joined-at-ms", m.claims.joined_at_ms, "join time (0 = not set)");
  mint_cmd->add_option("--now-s", m.now_s, "issue time in seconds (default: the clock)")
      ->check(CLI::NonNegativeNumber);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kUsage;
  }
  if (gen->parsed()) return generate(out, new_kid);
  if (pub->parsed()) return jwks(files);
  m.claims.kind = kind;
  return mint(std::move(m));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // CLI11 set-up or the standard library: say so, fail
    std::fprintf(stderr, "error: %s\n", e.what());
    return kFailed;
  }
}
