#pragma once

// The client's address behind a reverse proxy (nginx in front of several
// nodes). The rate limits are kept per client address; behind a proxy every
// connection comes from the proxy, so one guesser would spend the budget of
// every respondent. A request that comes from a proxy the operator trusts
// (sipas serve --trusted-proxy) is counted against the address the proxy
// put last in X-Forwarded-For: the one it saw. Anyone else's header is
// ignored: a client cannot choose its own address.

#include <string>
#include <string_view>
#include <vector>

namespace sipas::survey_server {

// The address in its canonical text ("::ffff:10.0.0.1" stays as Boost
// writes it), or "" when `text` is not an IP address.
std::string canonical_address(std::string_view text);

// `peer` itself, unless it is one of `trusted` (canonical addresses) and
// `forwarded_for` (the X-Forwarded-For header) ends with a valid address:
// then that address. A trusted proxy whose header is missing or malformed
// is the client (its own budget, not a respondent's).
std::string forwarded_client(const std::string& peer, std::string_view forwarded_for,
                             const std::vector<std::string>& trusted);

}  // namespace sipas::survey_server
