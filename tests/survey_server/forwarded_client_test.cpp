// Which address a request is counted against behind a reverse proxy.

#include "survey_server/forwarded_client.hpp"

#include <gtest/gtest.h>

namespace sipas::survey_server {
namespace {

TEST(ForwardedClientTest, OnlyATrustedProxyNamesTheClientWithTheLastEntry) {
  const std::vector<std::string> trusted{"10.0.0.5", canonical_address("::1")};
  EXPECT_EQ(forwarded_client("10.0.0.5", "203.0.113.7", trusted), "203.0.113.7");
  EXPECT_EQ(forwarded_client("10.0.0.5", "198.51.100.1, 203.0.113.7", trusted), "203.0.113.7");
  EXPECT_EQ(forwarded_client("10.0.0.5", " 203.0.113.7 ", trusted), "203.0.113.7");
  EXPECT_EQ(forwarded_client("::1", "2001:db8::1", trusted), "2001:db8::1");
  // Not a trusted proxy: its header is the client's own word.
  EXPECT_EQ(forwarded_client("10.0.0.6", "203.0.113.7", trusted), "10.0.0.6");
  // Malformed or empty: the proxy itself.
  EXPECT_EQ(forwarded_client("10.0.0.5", "", trusted), "10.0.0.5");
  EXPECT_EQ(forwarded_client("10.0.0.5", "203.0.113.7, unknown", trusted), "10.0.0.5");
  EXPECT_EQ(forwarded_client("10.0.0.5", "203.0.113.7,", trusted), "10.0.0.5");
  EXPECT_EQ(forwarded_client("10.0.0.5", "203.0.113.7:8080", trusted), "10.0.0.5");
}

TEST(ForwardedClientTest, AddressesAreCanonical) {
  EXPECT_EQ(canonical_address("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(canonical_address("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(canonical_address("localhost"), "");
  EXPECT_EQ(canonical_address("300.1.1.1"), "");
}

}  // namespace
}  // namespace sipas::survey_server
