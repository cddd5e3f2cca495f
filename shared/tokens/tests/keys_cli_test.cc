// Runs the boxoffice_keys binary: generate, jwks and mint, then verifies through the library.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "shared/tokens/key_set.h"
#include "shared/tokens/verify.h"

namespace boxoffice::tokens {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout, trailing newline removed
};

CliRun run(const std::string& args) {
  const std::string command = std::string(BOXOFFICE_KEYS_BINARY) + " " + args + " 2>/dev/null";
  CliRun r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r;
}

class KeysCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "keys_cli_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

TEST_F(KeysCli, GenerateMintAndVerify) {
  const CliRun gen = run("generate --out " + path("key.pem"));
  ASSERT_EQ(gen.exit_code, 0);
  ASSERT_EQ(gen.out.size(), 12U) << gen.out;  // the derived kid

  const CliRun jwks = run("jwks " + path("key.pem"));
  ASSERT_EQ(jwks.exit_code, 0);
  auto keys = KeySet::from_jwks(jwks.out);
  ASSERT_TRUE(keys.has_value()) << keys.error();
  EXPECT_EQ(keys->kids(), std::vector<std::string>{gen.out});

  const CliRun mint = run("mint --key " + path("key.pem") +
                          " --sub fan-7 --event ev1 --kind admission --ttl-s 600 --position 12"
                          " --now-s 1760000000");
  ASSERT_EQ(mint.exit_code, 0);
  VerifyOptions options;
  options.expected_event = "ev1";
  options.expected_kind = "admission";
  auto claims = verify(mint.out, *keys, 1'760'000'100, options);
  ASSERT_TRUE(claims.has_value()) << to_string(claims.error());
  EXPECT_EQ(claims->sub, "fan-7");
  EXPECT_EQ(claims->position, 12U);
  EXPECT_EQ(claims->exp, 1'760'000'600);
  EXPECT_EQ(claims->kid, gen.out);
  EXPECT_EQ(verify(mint.out, *keys, 1'760'000'600, options).error(), Errc::kExpired);

  // Without --now-s the token is issued now: it verifies against the local clock.
  const CliRun now = run("mint --key " + path("key.pem") + " --sub u --event ev1 --kind waiting");
  ASSERT_EQ(now.exit_code, 0);
  const auto now_s = static_cast<int64_t>(::time(nullptr));
  // A waiting token is signed as a gate signs it: with the HS256 key derived from the key.
  KeySet signing;
  ASSERT_TRUE(signing.load_ed25519_pem_file(path("key.pem")).has_value());
  ASSERT_TRUE(signing.set_active(gen.out));
  auto waiting_keys = signing.derive_hs256(kWaitingKeyPurpose);
  ASSERT_TRUE(waiting_keys.has_value()) << waiting_keys.error();
  auto waiting = verify(now.out, *waiting_keys, now_s, {});
  ASSERT_TRUE(waiting.has_value()) << to_string(waiting.error());
  EXPECT_EQ(waiting->kind, "waiting");
  EXPECT_EQ(verify(now.out, *keys, now_s, {}).error(), Errc::kUnknownKid);
}

TEST_F(KeysCli, JwksOfSeveralKeys) {
  ASSERT_EQ(run("generate --out " + path("a.pem") + " --kid a").exit_code, 0);
  ASSERT_EQ(run("generate --out " + path("b.pem") + " --kid b").exit_code, 0);
  // A kid given at generation is not stored in the PEM: the JWKS derives it again.
  const CliRun jwks = run("jwks " + path("a.pem") + " " + path("b.pem"));
  ASSERT_EQ(jwks.exit_code, 0);
  auto keys = KeySet::from_jwks(jwks.out);
  ASSERT_TRUE(keys.has_value()) << keys.error();
  EXPECT_EQ(keys->size(), 2U);
}

TEST_F(KeysCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  EXPECT_EQ(run("generate").exit_code, 2);
  EXPECT_EQ(run("mint --key k.pem --sub u --event e --kind other").exit_code, 2);
  EXPECT_EQ(run("mint --key k.pem --sub u --event e --ttl-s 0").exit_code, 2);
  EXPECT_EQ(run("--help").exit_code, 0);
}

TEST_F(KeysCli, BadFilesExitOne) {
  EXPECT_EQ(run("jwks " + path("missing.pem")).exit_code, 1);
  { std::ofstream(path("junk.pem")) << "junk\n"; }
  EXPECT_EQ(run("jwks " + path("junk.pem")).exit_code, 1);
  EXPECT_EQ(run("mint --key " + path("junk.pem") + " --sub u --event e").exit_code, 1);
  ASSERT_EQ(run("generate --out " + path("key.pem")).exit_code, 0);
  EXPECT_EQ(run("generate --out " + path("key.pem")).exit_code, 1);  // never overwrites
  EXPECT_EQ(run("generate --out " + path("no/such/dir/key.pem")).exit_code, 1);
}

}  // namespace
}  // namespace boxoffice::tokens
