#pragma once

#include <string>
#include <string_view>

namespace sipas::app {

// Checks a URL that links are built from (sipas serve --public-url, an
// import's base_url): an absolute https:// URL, or http:// on a loopback host
// (127.0.0.0/8, localhost, [::1]); a host; no user info, query or fragment;
// no spaces or control characters. Returns it without its trailing slashes.
// Throws sipas::Error server.bad_public_url whose message starts with `what`
// (the option or field) and says what is wrong. Never taken from a request's
// Host header, which any client can set.
std::string checked_public_url(std::string_view url, std::string_view what);

// "scheme://host[:port]" of a checked URL, lowercased: what a browser sends as
// Origin for pages served there.
std::string url_origin(std::string_view checked_url);

}  // namespace sipas::app
