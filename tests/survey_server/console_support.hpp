#pragma once

// A browser's part in the console tests: the login form (its cookie and
// _csrf), the session cookie, form encoding.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "io/percent_encoding.hpp"
#include "survey_server/http_client.hpp"

namespace sipas::test {

// application/x-www-form-urlencoded.
inline std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields)
    out += (out.empty() ? "" : "&") + name + "=" + io::percent_encode(value);
  return out;
}

// A file of a multipart form: its field name, file name and bytes.
struct FormFile {
  std::string field, file_name, content;
};

inline const std::string multipart_boundary = "----sipas-test-7MA4YWxkTrZu0gW";
inline const std::string multipart_type = "multipart/form-data; boundary=" + multipart_boundary;

// multipart/form-data as a browser sends it (RFC 7578).
inline std::string multipart_encode(const std::vector<std::pair<std::string, std::string>>& fields,
                                    const std::vector<FormFile>& files = {}) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out += "--" + multipart_boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
           "\"\r\n\r\n" + value + "\r\n";
  }
  for (const auto& file : files) {
    out += "--" + multipart_boundary + "\r\nContent-Disposition: form-data; name=\"" + file.field +
           "\"; filename=\"" + file.file_name + "\"\r\nContent-Type: text/csv\r\n\r\n" +
           file.content + "\r\n";
  }
  return out + "--" + multipart_boundary + "--\r\n";
}

// "name=value" of a Set-Cookie header.
inline std::string cookie_pair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

// The first _csrf of a page.
inline std::string csrf_in(const std::string& page) {
  std::smatch m;
  const std::regex re("name=\"_csrf\" value=\"([0-9a-f]{64})\"");
  return std::regex_search(page, m, re) ? m[1].str() : "";
}

// A login form: the login cookie and the form's _csrf.
struct LoginForm {
  std::string cookie, csrf;
};

inline LoginForm open_login(survey_server::HttpClient& client) {
  auto page = client.get("/admin/login");
  EXPECT_EQ(page.status, 200);
  return {cookie_pair(page.header("set-cookie")), csrf_in(page.body)};
}

inline survey_server::ClientResponse post_login(survey_server::HttpClient& client,
                                                const LoginForm& form, const std::string& user,
                                                const std::string& password) {
  return client.post("/admin/login",
                     form_encode({{"user", user}, {"password", password}, {"_csrf", form.csrf}}),
                     "application/x-www-form-urlencoded", {{"Cookie", form.cookie}});
}

// Logs in and returns the session cookie ("sipas_session=...").
inline std::string log_in(survey_server::HttpClient& client, const std::string& user,
                          const std::string& password) {
  auto response = post_login(client, open_login(client), user, password);
  EXPECT_EQ(response.status, 303) << response.body;
  return cookie_pair(response.header("set-cookie"));
}

}  // namespace sipas::test
