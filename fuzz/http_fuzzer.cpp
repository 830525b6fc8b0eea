// The HTTP request path: bytes through Beast's request parser with the
// server's limits (http_server.hpp: a 16 KiB header, the route's body limit
// set once the header is read, 413 before reading a larger declared body),
// each request turned into an HttpRequest as the server's session does
// (Session::on_body in http_server.cpp) and handled by a SurveyService on a
// database file of this process, waiting for the reply when the handler
// answers after a commit. Up to four pipelined requests per input, as on a
// keep-alive connection.
//
// The database holds four surveys: hn-2026 (sipas-citizen, open, with eight
// invitations and four reserves, its open link off), short (sipas-short,
// open, its open link on: answers without a token), officials
// (par-officials, draft) and closed (the example questionnaire, closed). In
// an input, @T1@ ... @T8@ stand for the tokens of the eight invitations (they
// are random, so an input cannot spell them). The admin keys are those of
// fuzz/http.dict. The database is restored from its first state every
// `restore_every` inputs, so what inputs create stays bounded.
//
// Findings besides crashes: a reply never sent (a hang), a reply sent twice, a
// 500 (an error escaped the handler's typed errors), a status outside
// 100..599, and a header name or value with CR, LF or NUL.

#include <sys/stat.h>

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "io/embedded_file.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/standard_forms.hpp"
#include "store/store.hpp"
#include "survey_server/http_types.hpp"
#include "survey_server/service.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace q = sipas::questionnaires;
namespace server = sipas::survey_server;
using sipas::fuzz::expect;

constexpr std::uint32_t header_limit = 16 * 1024;  // ServerOptions::header_limit
constexpr int max_requests = 4;
constexpr std::size_t restore_every = 2000;
constexpr const char* manager_key = "fuzz-manager-key-0123456789-abcdefghijkl";
constexpr const char* analyst_key = "fuzz-analyst-key-0123456789-abcdefghijkl";

void add_survey(sipas::store::SurveyStore& store, const std::string& id, std::string_view form,
                sipas::store::SurveyState state, bool open_link = false) {
  const auto* file = q::find_standard_file(form);
  expect(file != nullptr, "the standard form is embedded");
  const q::Questionnaire questionnaire = q::load_questionnaire(file->content, form);
  store.create_survey(id, std::string(file->content), questionnaire.id(), questionnaire.version(),
                      open_link);
  if (state != sipas::store::SurveyState::Draft)
    store.set_survey_state(id, sipas::store::SurveyState::Open);
  if (state == sipas::store::SurveyState::Closed)
    store.set_survey_state(id, sipas::store::SurveyState::Closed);
}

class Server {
 public:
  Server() {
    const auto& dir = sipas::fuzz::scratch().path();
    db_ = dir / "survey.db";
    first_state_ = dir / "first-state.db";
    options_.db = db_;
    options_.admin_key_file = dir / "keys.txt";
    std::ofstream(*options_.admin_key_file)
        << "manager " << manager_key << "\nanalyst " << analyst_key << "\n";
    ::chmod(options_.admin_key_file->c_str(), 0600);
    options_.public_url = "https://survey.example.gov.vn";
    // Rate limits would turn most inputs into 429 after a few runs.
    options_.open_submissions_per_minute = options_.open_submissions_burst = 1e12;
    options_.bad_tokens_per_minute = options_.bad_tokens_burst = 1e12;
    {
      sipas::store::SurveyStore store(first_state_);
      add_survey(store, "hn-2026", "forms/sipas-citizen.json", sipas::store::SurveyState::Open);
      add_survey(store, "short", "forms/sipas-short.json", sipas::store::SurveyState::Open, true);
      add_survey(store, "officials", "forms/par-officials.json", sipas::store::SurveyState::Draft);
      add_survey(store, "closed", "examples/example-questionnaire.json",
                 sipas::store::SurveyState::Closed);
      std::vector<sipas::store::InvitationInput> rows;
      for (int i = 1; i <= 12; ++i) {
        sipas::store::InvitationInput row;
        row.respondent_id = "r" + std::to_string(i);
        row.stratum = i % 2 ? "d1" : "d2";
        row.psu = "c" + std::to_string(i % 3);
        row.inclusion_probability = 0.25;
        row.design_weight = 4;
        row.reserve = i > 8;
        row.reserve_rank = i > 8 ? i - 8 : 0;
        row.attributes = {{"sex", i % 2 ? "1" : "2"}};
        row.contacts = {{"phone", "09000000" + std::to_string(10 + i)}};
        rows.push_back(std::move(row));
      }
      for (auto& issued : store.import_invitations("hn-2026", rows))
        tokens_.push_back(issued.token);
    }
    expect(tokens_.size() == 8, "eight invitations have tokens");
    restore();
  }

  server::SurveyService& service() {
    if (++uses_ > restore_every) restore();
    return *service_;
  }

  // "@T1@" ... "@T8@" replaced by the tokens.
  std::string with_tokens(std::string_view input) const {
    std::string out;
    out.reserve(input.size());
    for (std::size_t i = 0; i < input.size(); ++i) {
      if (input[i] == '@' && i + 3 < input.size() && input[i + 1] == 'T' && input[i + 2] >= '1' &&
          input[i + 2] <= '8' && input[i + 3] == '@') {
        out += tokens_[static_cast<std::size_t>(input[i + 2] - '1')];
        i += 3;
      } else {
        out += input[i];
      }
    }
    return out;
  }

 private:
  void restore() {
    service_.reset();
    std::filesystem::copy_file(first_state_, db_,
                               std::filesystem::copy_options::overwrite_existing);
    for (const char* suffix : {"-wal", "-shm"})
      std::filesystem::remove(db_.string() + suffix);
    service_ = std::make_unique<server::SurveyService>(options_);
    uses_ = 0;
  }

  std::filesystem::path db_, first_state_;
  server::ServiceOptions options_;
  std::vector<std::string> tokens_;
  std::unique_ptr<server::SurveyService> service_;
  std::size_t uses_ = 0;
};

Server& the_server() {
  static Server s;
  return s;
}

bool clean_header_text(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Waits for the one reply; a reply that never comes is a hang for libFuzzer's
// -timeout, a second one aborts.
server::HttpResponse handle(server::RequestHandler& handler, server::HttpRequest&& request) {
  auto promise = std::make_shared<std::promise<server::HttpResponse>>();
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto reply = promise->get_future();
  handler.handle(std::move(request), [promise, calls](server::HttpResponse&& response) {
    expect(calls->fetch_add(1) == 0, "a request gets one reply");
    promise->set_value(std::move(response));
  });
  return reply.get();
}

void check(const server::HttpResponse& response) {
  if (response.status == 500) {
    std::fprintf(stderr, "fuzz: 500: %s\n", response.body.c_str());
    expect(false, "a request never ends in 500");
  }
  expect(response.status >= 100 && response.status <= 599, "a status is 100..599");
  expect(clean_header_text(response.content_type), "the content type is one header line");
  for (const auto& [name, value] : response.headers) {
    expect(!name.empty() && clean_header_text(name), "a header name is one token");
    expect(clean_header_text(value), "a header value is one line");
  }
}

// As Session::on_header builds it (the body added after admission).
server::HttpRequest to_request(http::request<http::string_body>&& message) {
  server::HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  auto mark = request.target.find('?');
  request.path = request.target.substr(0, mark);
  if (mark != std::string::npos) request.query = request.target.substr(mark + 1);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.client = "127.0.0.1";
  return request;
}

// Reads one request from the front of `bytes` and answers it. Returns the
// bytes used, or 0 when the connection would be closed (an incomplete or
// refused request, or Connection: close).
std::size_t serve_one(server::SurveyService& service, std::string_view bytes) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(boost::none);
  beast::error_code ec;
  std::size_t used = 0;
  bool admitted = false;
  std::shared_ptr<void> context;
  while (!parser.is_done()) {
    const std::size_t n = parser.put(net::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    // Beast takes all the input it can use: no progress means the request
    // needs bytes that the client has not sent.
    if (n == 0 && (!ec || ec == http::error::need_more)) return 0;
    if (ec == http::error::need_more) ec = {};
    if (ec) break;
    if (parser.is_header_done() && !admitted) {
      // As Session::on_header: the service decides from the header alone.
      admitted = true;
      http::request<http::string_body> head_only = parser.get();
      server::HttpRequest head = to_request(std::move(head_only));
      server::Admission admission = service.admit(head);
      if (admission.refusal) {
        check(*admission.refusal);
        return 0;
      }
      context = std::move(admission.context);
      parser.body_limit(admission.body_limit);
      if (auto length = parser.content_length(); length && *length > admission.body_limit) {
        check(service.protocol_error(413, "request.too_large", "too large"));
        return 0;
      }
    }
  }
  if (ec == http::error::header_limit) {
    check(service.protocol_error(431, "request.header_too_large", "header too large"));
    return 0;
  }
  if (ec == http::error::body_limit) {
    check(service.protocol_error(413, "request.too_large", "too large"));
    return 0;
  }
  if (ec) {
    check(service.protocol_error(400, "request.malformed", ec.message()));
    return 0;
  }
  auto message = parser.release();
  const bool keep_alive = message.keep_alive();
  server::HttpRequest request = to_request(std::move(message));
  request.context = std::move(context);
  const std::string line = request.method + " " + request.target;
  const server::HttpResponse response = handle(service, std::move(request));
  // SIPAS_FUZZ_TRACE=1: each request line and its status, to see what a
  // finding or a seed reaches.
  static const bool trace = std::getenv("SIPAS_FUZZ_TRACE") != nullptr;
  if (trace) std::fprintf(stderr, "fuzz: %s -> %d\n", line.c_str(), response.status);
  check(response);
  return keep_alive && !response.close ? used : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Server& s = the_server();
  server::SurveyService& service = s.service();
  const std::string input = s.with_tokens(sipas::fuzz::as_text(data, size));
  std::string_view rest = input;
  for (int i = 0; i < max_requests && !rest.empty(); ++i) {
    const std::size_t used = serve_one(service, rest);
    if (used == 0) break;
    rest.remove_prefix(used);
  }
  return 0;
}
