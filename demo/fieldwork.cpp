#include "demo/fieldwork.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "demo/error.hpp"
#include "io/csv_reader.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/http_client.hpp"

namespace sipas::demo {
namespace {

namespace q = sipas::questionnaires;

q::Response with_fixed(const q::Questionnaire& questionnaire, q::Response response,
                       const Behaviour& b) {
  for (const auto& [item, value] : b.fixed)
    response.set(questionnaire, item, q::RawAnswer::of_string(value));
  return response;
}

struct Client {
  survey_server::HttpClient http;
  q::ResponseGenerator generator;
  q::Validator validator;
  std::string path;
  FieldworkTally tally;

  Client(unsigned short port, const q::Questionnaire& questionnaire, const std::string& survey,
         std::uint64_t seed)
      : http(port),
        generator(questionnaire, seed_options(seed)),
        validator(questionnaire),
        path("/api/v1/surveys/" + survey + "/responses?t=") {}

  static q::GeneratorOptions seed_options(std::uint64_t seed) {
    q::GeneratorOptions o;
    o.seed = seed;
    return o;
  }

  survey_server::ClientResponse post(const std::string& token, const std::string& body) {
    return http.post(path + token, body, "application/json");
  }

  void expect(const Invitation& inv, const survey_server::ClientResponse& r, int status,
              const char* what) {
    if (r.status != status) {
      throw DemoError("demo.unexpected_reply", "invitation " + inv.id + ": " + what + " got HTTP " +
                                                   std::to_string(r.status) + " instead of " +
                                                   std::to_string(status) + ": " + r.body);
    }
  }

  void answer(const q::Questionnaire& questionnaire, const Invitation& inv, const Behaviour& b) {
    generator.set_satisfaction(b.satisfaction);
    // The fixed answers must not break the skip logic: draw again until the
    // whole response validates (the generator alone always validates).
    q::Response response;
    for (int attempt = 0;; ++attempt) {
      response = with_fixed(questionnaire, generator.valid(), b);
      if (validator.validate(response).ok()) break;
      if (attempt == 20)
        throw DemoError("demo.generator", "no valid response with the fixed answers of " + inv.id);
    }
    response.submission_id = "demo-" + inv.id;
    if (b.invalid_first) {
      auto bad = generator.invalid(response);
      bad.submission_id = "demo-bad-" + inv.id;
      expect(inv, post(inv.token, q::response_to_json(questionnaire, bad)), 422,
             "a response with a defect");
      ++tally.invalid_rejected;
    }
    const auto body = q::response_to_json(questionnaire, response);
    auto first = post(inv.token, body);
    expect(inv, first, 201, "a valid response");
    ++tally.answered;
    if (b.replays) {
      auto again = post(inv.token, body);
      expect(inv, again, 200, "the same submission again");
      auto a = nlohmann::json::parse(first.body), c = nlohmann::json::parse(again.body);
      if (a.at("response") != c.at("response"))
        throw DemoError("demo.unexpected_reply",
                        "invitation " + inv.id + ": a replayed submission was stored twice");
      ++tally.replays_accepted;
    }
    if (b.answers_twice) {
      auto second = response;
      second.submission_id = "demo-second-" + inv.id;
      expect(inv, post(inv.token, q::response_to_json(questionnaire, second)), 409,
             "a second response on a used invitation");
      ++tally.second_refused;
    }
  }
};

}  // namespace

std::vector<Invitation> read_links(const std::filesystem::path& links_csv) {
  std::vector<Invitation> out;
  io::CsvReader reader(links_csv);
  const auto id = reader.require_column("id"), stratum = reader.require_column("stratum"),
             token = reader.require_column("token");
  while (reader.next()) {
    if (reader.field(token).empty()) continue;  // a reserve, not yet active
    out.push_back({std::string(reader.field(id)), std::string(reader.field(stratum)),
                   std::string(reader.field(token))});
  }
  return out;
}

FieldworkTally answer_over_http(unsigned short port, const std::string& survey,
                                const q::Questionnaire& questionnaire,
                                const std::vector<Invitation>& invitations,
                                const std::function<Behaviour(const Invitation&)>& behaviour,
                                int clients, std::uint64_t seed) {
  if (clients < 1) clients = 1;
  std::vector<FieldworkTally> tallies(clients);
  std::mutex failure_mutex;
  std::exception_ptr failure;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      try {
        Client client(port, questionnaire, survey, seed * 1000003 + static_cast<std::uint64_t>(c));
        // As a client app would: the questionnaire first.
        auto form = client.http.get("/api/v1/surveys/" + survey + "/questionnaire");
        if (form.status != 200)
          throw DemoError("demo.unexpected_reply", "GET questionnaire of " + survey + ": HTTP " +
                                                       std::to_string(form.status));
        for (std::size_t i = static_cast<std::size_t>(c); i < invitations.size() && !stop;
             i += static_cast<std::size_t>(clients)) {
          const auto& inv = invitations[i];
          ++client.tally.invited;
          const Behaviour b = behaviour(inv);
          if (b.responds) client.answer(questionnaire, inv, b);
        }
        tallies[c] = client.tally;
      } catch (...) {
        stop = true;
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  if (failure) std::rethrow_exception(failure);
  FieldworkTally total;
  for (const auto& t : tallies) {
    total.invited += t.invited;
    total.answered += t.answered;
    total.invalid_rejected += t.invalid_rejected;
    total.replays_accepted += t.replays_accepted;
    total.second_refused += t.second_refused;
  }
  return total;
}

}  // namespace sipas::demo
