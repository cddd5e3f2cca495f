// The OpenAPI document describes exactly the routes the router serves.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "booking/api/router.h"

namespace boxoffice::booking::api {
namespace {

nlohmann::json load() {
  std::ifstream in(BOXOFFICE_OPENAPI_JSON);
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

TEST(OpenApiTest, DescribesExactlyTheRouteTable) {
  const nlohmann::json doc = load();
  ASSERT_TRUE(doc.is_object()) << "openapi.json is not valid JSON";
  EXPECT_TRUE(doc.value("openapi", "").starts_with("3."));
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.emplace(upper, path);
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const RouteSpec& r : route_table()) served.emplace(r.method, r.path);
  EXPECT_EQ(documented, served);
}

TEST(OpenApiTest, EveryOperationDocumentsItsParametersAndErrors) {
  const nlohmann::json doc = load();
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc["components"]["schemas"].contains("Error"));
  for (const RouteSpec& r : route_table()) {
    std::string method(r.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto& op = doc["paths"][std::string(r.path)][method];
    EXPECT_EQ(op.value("operationId", ""), r.name) << r.path;
    // Every {parameter} of the template is declared as a path parameter.
    std::string path(r.path);
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      const size_t close = path.find('}', open);
      const std::string name = path.substr(open + 1, close - open - 1);
      bool declared = false;
      for (const auto& p : op.value("parameters", nlohmann::json::array())) {
        declared = declared || (p["in"] == "path" && p["name"] == name && p["required"] == true);
      }
      EXPECT_TRUE(declared) << r.path << " " << name;
      path.erase(0, close + 1);
    }
    // Routes with inputs answer errors in the error schema.
    const auto& responses = op["responses"];
    EXPECT_TRUE(responses.contains("200") || responses.contains("201")) << r.path;
    if (r.id != RouteId::kHealthz && r.id != RouteId::kMetrics) {
      bool has_error = false;
      for (const auto& [code, response] : responses.items()) has_error |= code[0] >= '4';
      EXPECT_TRUE(has_error) << r.path;
    }
  }
}

}  // namespace
}  // namespace boxoffice::booking::api
