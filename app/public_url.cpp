#include "app/public_url.hpp"

#include <algorithm>
#include <cctype>

#include "io/error.hpp"

namespace sipas::app {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8 written as a dotted quad.
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    auto j = host.find('.', i);
    if (j == std::string_view::npos) j = host.size();
    const auto part = host.substr(i, j - i);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoi(std::string(part)) > 255) {
      return false;
    }
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

[[noreturn]] void refuse(std::string_view what, std::string_view url, const std::string& why) {
  throw Error("server.bad_public_url", std::string(what) + ": '" + std::string(url) + "' " + why);
}

}  // namespace

std::string checked_public_url(std::string_view url, std::string_view what) {
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) refuse(what, url, "has a space or a control character");
  }
  const std::string lower = lowercase(url);
  std::size_t scheme_length = 0;
  bool https = false;
  if (lower.starts_with("https://")) {
    scheme_length = 8;
    https = true;
  } else if (lower.starts_with("http://")) {
    scheme_length = 7;
  } else {
    refuse(what, url,
           "is not an absolute https:// URL (for example https://khaosat.example.gov.vn)");
  }
  if (url.find('?') != std::string_view::npos) refuse(what, url, "has a query ('?'): leave it out");
  if (url.find('#') != std::string_view::npos) {
    refuse(what, url, "has a fragment ('#'): leave it out");
  }
  const auto rest = url.substr(scheme_length);
  const auto authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) {
    refuse(what, url, "has user information ('user@'): leave it out");
  }
  if (authority.empty()) refuse(what, url, "has no host");
  // The host without its port ([v6] kept whole).
  std::string host = lowercase(authority);
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) refuse(what, url, "has an unclosed '[' in its host");
    const auto after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') refuse(what, url, "has a malformed host");
    host = host.substr(0, close + 1);
  } else if (auto colon = host.find(':'); colon != std::string::npos) {
    const auto port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
      refuse(what, url, "has a port that is not a number");
    }
    host = host.substr(0, colon);
  }
  if (host.empty()) refuse(what, url, "has no host");
  if (!https && !is_loopback_host(host)) {
    refuse(what, url,
           "uses http://, which is allowed only on loopback (127.0.0.1, localhost, [::1]); "
           "links sent to people must be https://");
  }
  std::string out(url);
  while (out.size() > scheme_length && out.back() == '/')
    out.pop_back();
  return out;
}

std::string url_origin(std::string_view checked_url) {
  const std::string lower = lowercase(checked_url);
  const auto scheme_end = lower.find("://") + 3;
  const auto path = lower.find('/', scheme_end);
  return path == std::string::npos ? lower : lower.substr(0, path);
}

}  // namespace sipas::app
