#pragma once

// The tests talk to the server through the library's blocking client
// (survey_server/http_client.hpp), over a real loopback socket.

#include "survey_server/http_client.hpp"

namespace sipas::test {

using survey_server::ClientResponse;
using survey_server::HttpClient;

}  // namespace sipas::test
