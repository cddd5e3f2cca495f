#include "shared/tokens/key_set.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "shared/json/json_writer.h"
#include "shared/tokens/base64url.h"
#include "shared/tokens/strict_json.h"

namespace boxoffice::tokens {
namespace {

constexpr size_t kEd25519KeyBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;
constexpr size_t kHs256Bytes = 32;
constexpr size_t kKidHashBytes = 9;  // 12 base64url characters
constexpr size_t kMaxPemFileBytes = size_t{64} * 1024;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

// OpenSSL leaves an error queue behind a failure; drop it so it cannot surface in unrelated code
// on this thread.
template <class T>
T clear_errors(T value) {
  ERR_clear_error();
  return value;
}

std::string kid_for(std::string_view public_key) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(public_key.data(), public_key.size(), digest.data(), &len, EVP_sha256(),
                 nullptr) != 1) {
    return clear_errors(std::string());
  }
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), kKidHashBytes));
}

std::string encoded_header(std::string_view alg, const std::string& kid) {
  std::string header;
  // No "typ": optional (RFC 7519 5.1), and every byte travels on each request.
  JsonWriter(header).begin_object().field("alg", alg).field("kid", kid).end_object();
  return base64url_encode(header);
}

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

// No passphrase: an encrypted PEM fails to load instead of prompting on a terminal.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

}  // namespace

void PkeyFree::operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }

Result<Key, std::string> Key::ed25519(std::string kid, EVP_PKEY* pkey_owned) {
  Key key;
  key.pkey_.reset(pkey_owned);
  if (pkey_owned == nullptr || EVP_PKEY_get_base_id(pkey_owned) != EVP_PKEY_ED25519) {
    return unexpected(std::string("not an Ed25519 key"));
  }
  std::string raw(kEd25519KeyBytes, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey_owned, reinterpret_cast<unsigned char*>(raw.data()), &len) !=
          1 ||
      len != kEd25519KeyBytes) {
    return clear_errors(unexpected(std::string("cannot read the Ed25519 public key")));
  }
  size_t private_len = 0;
  key.can_sign_ = EVP_PKEY_get_raw_private_key(pkey_owned, nullptr, &private_len) == 1;
  ERR_clear_error();
  key.type_ = KeyType::kEd25519;
  key.public_key_ = std::move(raw);
  key.kid_ = kid.empty() ? kid_for(key.public_key_) : std::move(kid);
  if (key.kid_.empty()) return unexpected(std::string("cannot derive the kid"));
  key.header_b64_ = encoded_header(kAlgEdDsa, key.kid_);
  return key;
}

Result<Key, std::string> Key::hs256(std::string kid, std::string_view secret) {
  if (kid.empty()) return unexpected(std::string("an HS256 key needs a kid"));
  if (secret.empty()) return unexpected(std::string("an HS256 secret must not be empty"));
  auto hmac = crypto::HmacSha256::create(secret);
  if (!hmac) return clear_errors(unexpected("cannot initialise HMAC-SHA256: " + hmac.error()));
  Key key;
  key.hmac_ = *hmac;
  key.type_ = KeyType::kHs256;
  key.can_sign_ = true;
  key.kid_ = std::move(kid);
  key.header_b64_ = encoded_header(kAlgHs256, key.kid_);
  return key;
}

Key::Key(const Key& other)
    : type_(other.type_),
      kid_(other.kid_),
      can_sign_(other.can_sign_),
      public_key_(other.public_key_),
      header_b64_(other.header_b64_),
      hmac_(other.hmac_) {
  if (other.pkey_ && EVP_PKEY_up_ref(other.pkey_.get()) == 1) pkey_.reset(other.pkey_.get());
  // A failed copy leaves a key that neither signs nor verifies.
  if (other.pkey_ && !pkey_) can_sign_ = false;
}

Key& Key::operator=(const Key& other) {
  if (this != &other) {
    Key copy(other);
    *this = std::move(copy);
  }
  return *this;
}

std::string Key::sign(std::string_view input) const {
  if (!can_sign_) return {};
  if (type_ == KeyType::kHs256) {
    const crypto::Sha256Mac mac = hmac_->mac({input});
    return {reinterpret_cast<const char*>(mac.data()), mac.size()};
  }
  MdCtx ctx(EVP_MD_CTX_new());
  std::string out(kEd25519SignatureBytes, '\0');
  size_t len = out.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, bytes(input),
                     input.size()) != 1 ||
      len != kEd25519SignatureBytes) {
    return clear_errors(std::string());
  }
  return out;
}

bool Key::verify(std::string_view input, std::string_view signature) const {
  if (type_ == KeyType::kHs256) {
    if (signature.size() != kHs256Bytes || !hmac_) return false;
    const crypto::Sha256Mac expected = hmac_->mac({input});
    return CRYPTO_memcmp(expected.data(), signature.data(), kHs256Bytes) == 0;
  }
  if (signature.size() != kEd25519SignatureBytes || !pkey_) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input), input.size()) ==
          1;
  if (!ok) ERR_clear_error();
  return ok;
}

std::string Key::derive_secret(std::string_view purpose) const {
  if (!can_sign_ || purpose.empty()) return {};
  std::string label = "boxoffice derived key: ";
  label += purpose;
  if (type_ == KeyType::kHs256) return sign(label);  // HMAC under the secret
  std::array<char, kEd25519KeyBytes> seed{};
  size_t seed_len = seed.size();
  std::string out;
  if (EVP_PKEY_get_raw_private_key(pkey_.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                   &seed_len) == 1) {
    if (auto hmac = crypto::HmacSha256::create(std::string_view(seed.data(), seed_len))) {
      const crypto::Sha256Mac mac = hmac->mac({label});
      out.assign(reinterpret_cast<const char*>(mac.data()), mac.size());
    }
  }
  OPENSSL_cleanse(seed.data(), seed.size());
  return out.empty() ? clear_errors(std::string()) : out;
}

Result<std::string, std::string> KeySet::add_ed25519(EVP_PKEY* pkey_owned, std::string kid) {
  auto key = Key::ed25519(std::move(kid), pkey_owned);
  if (!key) return unexpected(key.error());
  std::string id = key->kid();
  if (keys_.contains(id)) return unexpected("kid " + id + " is already in the key set");
  keys_.emplace(id, std::move(*key));
  return id;
}

Result<std::string, std::string> KeySet::generate_ed25519(std::string kid) {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr)
    return clear_errors(unexpected(std::string("Ed25519 key generation failed")));
  return add_ed25519(pkey, std::move(kid));
}

Result<std::string, std::string> KeySet::add_ed25519_pem(std::string_view pem, std::string kid) {
  if (pem.size() > kMaxPemFileBytes) return unexpected(std::string("the PEM text is too large"));
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return clear_errors(unexpected(std::string("out of memory")));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  if (pkey == nullptr) {
    return clear_errors(unexpected(
        std::string(R"(not an unencrypted PEM private key (expected PKCS#8 "PRIVATE KEY"))")));
  }
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return unexpected(std::string("the PEM key is not an Ed25519 key"));
  }
  return add_ed25519(pkey, std::move(kid));
}

Result<std::string, std::string> KeySet::load_ed25519_pem_file(const std::string& path,
                                                               std::string kid) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected("cannot open: " + errno_text());
  std::string text;
  text.resize(kMaxPemFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return unexpected(std::string("cannot read the file"));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxPemFileBytes) return unexpected(std::string("too large for a PEM key"));
  return add_ed25519_pem(text, std::move(kid));
}

Result<std::string, std::string> KeySet::add_ed25519_public(std::string_view raw_public_key,
                                                            std::string kid) {
  if (raw_public_key.size() != kEd25519KeyBytes) {
    return unexpected(std::string("an Ed25519 public key has 32 bytes"));
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(raw_public_key),
                                               raw_public_key.size());
  if (pkey == nullptr) return clear_errors(unexpected(std::string("invalid Ed25519 public key")));
  return add_ed25519(pkey, std::move(kid));
}

bool KeySet::add_hs256(std::string kid, std::string_view secret) {
  if (keys_.contains(kid)) return false;
  auto key = Key::hs256(kid, secret);
  if (!key) return false;
  keys_.emplace(std::move(kid), std::move(*key));
  return true;
}

Result<std::string, std::string> KeySet::ed25519_private_pem(std::string_view kid) const {
  const Key* key = find(kid);
  if (key == nullptr) return unexpected("no key with kid " + std::string(kid));
  if (key->type() != KeyType::kEd25519 || !key->can_sign()) {
    return unexpected("kid " + std::string(kid) + " is not an Ed25519 private key");
  }
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key->pkey(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return clear_errors(unexpected(std::string("cannot write the PEM key")));
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(google-runtime-int): OpenSSL API
  return std::string(data, static_cast<size_t>(len));
}

Result<std::monostate, std::string> KeySet::save_ed25519_pem_file(std::string_view kid,
                                                                  const std::string& path) const {
  auto pem = ed25519_private_pem(kid);
  if (!pem) return unexpected(pem.error());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return unexpected(path + ": " + errno_text());
  size_t written = 0;
  while (written < pem->size()) {
    const ssize_t n = ::write(fd, pem->data() + written, pem->size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string error = path + ": " + errno_text();
      ::close(fd);
      ::unlink(path.c_str());
      return unexpected(error);
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return unexpected(path + ": " + errno_text());
  return std::monostate{};
}

bool KeySet::set_active(std::string_view kid) {
  const Key* key = find(kid);
  if (key == nullptr || !key->can_sign()) return false;
  active_kid_ = std::string(kid);
  return true;
}

bool KeySet::remove(std::string_view kid) {
  auto it = keys_.find(kid);
  if (it == keys_.end()) return false;
  if (active_kid_ == kid) active_kid_.clear();
  keys_.erase(it);
  return true;
}

const Key* KeySet::find(std::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

const Key* KeySet::find_by_header(std::string_view header_b64) const {
  for (const auto& [kid, key] : keys_) {
    if (key.header_b64() == header_b64) return &key;
  }
  return nullptr;
}

std::vector<std::string> KeySet::kids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& [kid, key] : keys_) out.push_back(kid);
  return out;
}

Result<KeySet, std::string> KeySet::derive_hs256(std::string_view purpose) const {
  if (purpose.empty()) return unexpected(std::string("a derived key needs a purpose"));
  KeySet out;
  for (const auto& [kid, key] : keys_) {
    if (!key.can_sign()) continue;
    const std::string secret = key.derive_secret(purpose);
    std::string derived_kid = std::string(purpose) + "-" + kid;
    if (secret.empty() || !out.add_hs256(derived_kid, secret)) {
      return unexpected("cannot derive a " + std::string(purpose) + " key from kid " + kid);
    }
    if (kid == active_kid_) out.set_active(derived_kid);
  }
  if (out.size() == 0) return unexpected(std::string("no signing key to derive from"));
  return out;
}

std::string KeySet::sign(const Claims& claims) const {
  const Key* key = find(active_kid_);
  if (key == nullptr || !key->can_sign()) return {};
  std::string token = key->header_b64();
  token += '.';
  base64url_append(token, claims_to_json(claims));
  const std::string signature = key->sign(token);
  if (signature.empty()) return {};
  token += '.';
  base64url_append(token, signature);
  return token;
}

std::string KeySet::to_jwks() const {
  std::string doc;
  JsonWriter w(doc);
  w.begin_object().key("keys").begin_array();
  for (const auto& [kid, key] : keys_) {
    if (key.type() != KeyType::kEd25519) continue;
    w.begin_object().field("kty", "OKP").field("crv", "Ed25519");
    w.field("x", base64url_encode(key.public_key())).field("kid", kid);
    w.field("alg", kAlgEdDsa).field("use", "sig").end_object();
  }
  w.end_array().end_object();
  return doc;
}

Result<KeySet, std::string> KeySet::from_jwks(std::string_view json) {
  auto doc = detail::parse_object(json);
  if (!doc) return unexpected(std::string("JWKS: not a JSON object"));
  auto keys = doc->find("keys");
  if (keys == doc->end() || !keys->is_array()) {
    return unexpected(std::string(R"(JWKS: "keys" must be an array)"));
  }
  KeySet set;
  for (size_t i = 0; i < keys->size(); ++i) {
    const nlohmann::json& jwk = (*keys)[i];
    const std::string where = "JWKS: keys[" + std::to_string(i) + "]";
    if (!jwk.is_object()) return unexpected(where + " is not an object");
    const auto text = [&](std::string_view name) -> const std::string* {
      auto it = jwk.find(name);
      return it != jwk.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
    };
    const auto present = [&](std::string_view name) { return jwk.find(name) != jwk.end(); };
    const std::string* kty = text("kty");
    if (kty == nullptr) return unexpected(where + R"(: "kty" must be a string)");
    const std::string* crv = text("crv");
    const std::string* alg = text("alg");
    const std::string* use = text("use");
    if ((present("alg") && alg == nullptr) || (present("use") && use == nullptr)) {
      return unexpected(where + R"(: "alg" and "use" must be strings)");
    }
    // Not ours to verify with: another key type, or a key meant for something else.
    if (*kty != "OKP" || crv == nullptr || *crv != "Ed25519" ||
        (alg != nullptr && *alg != kAlgEdDsa) || (use != nullptr && *use != "sig")) {
      continue;
    }
    const std::string* kid = text("kid");
    if (kid == nullptr || kid->empty()) {
      return unexpected(where + R"(: "kid" must be a non-empty string)");
    }
    const std::string* x = text("x");
    auto raw = x == nullptr ? std::nullopt : base64url_decode(*x);
    if (!raw || raw->size() != kEd25519KeyBytes) {
      return unexpected(where + R"(: "x" must be 32 bytes of unpadded base64url)");
    }
    if (set.find(*kid) != nullptr) return unexpected(where + ": duplicate kid " + *kid);
    auto added = set.add_ed25519_public(*raw, *kid);
    if (!added) return unexpected(where + ": " + added.error());
  }
  if (set.size() == 0) return unexpected(std::string("JWKS: no Ed25519 signature keys"));
  return set;
}

}  // namespace boxoffice::tokens
