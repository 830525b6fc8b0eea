#include "survey_server/forwarded_client.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

namespace sipas::survey_server {

std::string canonical_address(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return {};
  return address.to_string();
}

std::string forwarded_client(const std::string& peer, std::string_view forwarded_for,
                             const std::vector<std::string>& trusted) {
  if (forwarded_for.empty() || std::find(trusted.begin(), trusted.end(), peer) == trusted.end())
    return peer;
  // The last entry is the one the trusted proxy added; those before it came
  // from the client and prove nothing.
  const auto comma = forwarded_for.rfind(',');
  const auto last =
      comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
  std::string client = canonical_address(last);
  return client.empty() ? peer : client;
}

}  // namespace sipas::survey_server
