// boxoffice_lottery_verify: recomputes a pre-queue lottery from the revealed seed and the list
// of identities that joined, so anyone can check the order the gate admitted.
#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "gateway/core/lottery.h"

namespace {

using namespace boxoffice::gateway;

int run(int argc, char** argv) {
  CLI::App app{
      "Recomputes a waiting room's pre-queue lottery. Prints \"position<TAB>identity\" lines in "
      "draw order: identities sorted by the first 52 bits of HMAC-SHA256(key = seed bytes, "
      "message = identity), ties by identity bytes."};
  std::string seed_hex;
  std::string identities_path;
  std::string commitment;
  app.add_option("--seed", seed_hex, "The revealed seed, hex")->required();
  app.add_option("--identities", identities_path,
                 "File with one identity per line (duplicates and blank lines are ignored)")
      ->required();
  app.add_option("--commitment", commitment,
                 "The commitment published at queue open (hex sha256 of the seed); checked "
                 "before anything is printed");
  CLI11_PARSE(app, argc, argv);

  auto seed = seed_bytes_from_hex(seed_hex);
  if (!seed) {
    std::cerr << "error: --seed: " << seed.error().message << "\n";
    return 2;
  }
  if (!commitment.empty()) {
    const std::string actual = seed_commitment(*seed);
    std::string given = commitment;
    for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (given != actual) {
      std::cerr << "error: the seed does not match the commitment: sha256(seed) = " << actual
                << ", published commitment = " << commitment << "\n";
      return 1;
    }
  }
  std::ifstream in(identities_path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << identities_path << "\n";
    return 2;
  }
  std::vector<std::string> identities;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) identities.push_back(line);
  }
  const std::vector<std::string> order = lottery_order(*seed, std::move(identities));
  std::string out;
  for (size_t i = 0; i < order.size(); ++i) {
    out.append(std::to_string(i + 1)).append("\t").append(order[i]).append("\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boxoffice_lottery_verify: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "boxoffice_lottery_verify: unknown error\n");
  }
  return 2;
}
