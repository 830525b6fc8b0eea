// Stages 3-5 of the demo: the server on loopback, the fieldwork over HTTP,
// closing and exporting; the survey manager's side goes through the admin API.

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "demo/error.hpp"
#include "demo/fieldwork.hpp"
#include "demo/stages.hpp"
#include "io/csv_reader.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/standard_forms.hpp"
#include "store/tokens.hpp"
#include "survey_server/http_client.hpp"
#include "survey_server/http_server.hpp"
#include "survey_server/service.hpp"

namespace sipas::demo {
namespace {

namespace fs = std::filesystem;
namespace q = sipas::questionnaires;
namespace ss = sipas::survey_server;
using Json = nlohmann::json;

// The admin API takes a sample of up to 64 MiB in one request.
constexpr std::size_t max_sample_bytes = 64 * 1024 * 1024;

// The columns of a sample.csv by id.
std::unordered_map<std::string, std::vector<std::string>> sample_columns(
    const fs::path& sample, const std::vector<std::string>& columns) {
  io::CsvReader reader(sample);
  const auto id = reader.require_column("id");
  std::vector<std::size_t> at;
  for (const auto& c : columns)
    at.push_back(reader.require_column(c));
  std::unordered_map<std::string, std::vector<std::string>> out;
  while (reader.next()) {
    auto& row = out[std::string(reader.field(id))];
    for (auto i : at)
      row.emplace_back(reader.field(i));
  }
  return out;
}

// The survey manager's side, over the admin API.
class Admin {
 public:
  Admin(unsigned short port, std::string key) : http_(port), key_(std::move(key)) {}

  Json call(const std::string& method, const std::string& target, const std::string& body = {},
            const std::string& type = {}, int expected = 200, std::string* raw = nullptr) {
    auto r = http_.request(method, target, body, type, {{"Authorization", "Bearer " + key_}});
    if (r.status != expected) {
      throw DemoError("demo.admin_api",
                      method + " " + target + ": HTTP " + std::to_string(r.status) + ": " + r.body);
    }
    if (raw) *raw = r.body;
    if (r.header("content-type").find("json") == std::string::npos) return Json();
    return Json::parse(r.body);
  }

 private:
  ss::HttpClient http_;
  std::string key_;
};

// Runs the server on its own threads; stops it, with everything committed,
// when it goes out of scope.
class LoopbackServer {
 public:
  LoopbackServer(const ss::ServiceOptions& options, unsigned short port)
      : service_(options), server_(server_options(port), service_) {
    thread_ = std::thread([this] { server_.run(false); });
  }
  ~LoopbackServer() {
    server_.shutdown();
    if (thread_.joinable()) thread_.join();
    service_.stop();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  unsigned short port() const { return server_.port(); }

 private:
  static ss::ServerOptions server_options(unsigned short port) {
    ss::ServerOptions o;
    o.port = port;  // 0: any free port
    o.threads = 2;
    return o;
  }
  ss::SurveyService service_;
  ss::HttpServer server_;
  std::thread thread_;
};

struct Tallies {
  const StageContext& c;
  void operator()(const std::string& who, const FieldworkTally& t) const {
    c.detail(who + ": " + std::to_string(t.answered) + " of " + std::to_string(t.invited) +
             " answered; " + std::to_string(t.invalid_rejected) +
             " invalid submissions rejected (422), " + std::to_string(t.replays_accepted) +
             " replays answered idempotently, " + std::to_string(t.second_refused) +
             " second answers refused (409)");
  }
};

}  // namespace

void run_fieldwork(StageContext& c) {
  const auto& o = c.options;
  c.stage(3, "The survey server on a free loopback port");
  // The manager's key and the invitations' tokens come from the seed, so
  // that two runs with one seed write the same files (demo/README.md). They
  // are as secret as the seed: the server listens on loopback only, and only
  // while the demo runs.
  const std::string seed = "sipas demo " + std::to_string(o.seed);
  const std::string key = store::seeded_token_source(seed + " manager key")(store::api_key_bytes);
  io::write_file_atomic(c.path("admin-keys.txt"), "manager " + key + "\n",
                        io::FileAccess::owner_only);
  const fs::path db = c.path("survey.db");
  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(fs::path(db.string() + suffix));
  ss::ServiceOptions service_options;
  service_options.db = db;
  service_options.admin_key_file = c.path("admin-keys.txt");
  service_options.commits.token_source = store::seeded_token_source(seed + " invitation tokens");
  LoopbackServer server(service_options, o.port);
  c.result.port = server.port();
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  c.detail("listening on " + base + " (database " + db.string() + ")");
  Admin admin(server.port(), key);
  for (const auto& [id, standard] : {std::pair{citizens_survey, "sipas-citizen"},
                                     std::pair{officials_survey, "par-officials"}}) {
    admin.call("POST", "/api/v1/surveys", Json{{"id", id}, {"standard", standard}}.dump(),
               "application/json", 201);
    admin.call("POST", "/api/v1/surveys/" + id + "/open");
  }
  std::string links;
  admin.call("POST",
             "/api/v1/surveys/" + citizens_survey + "/invitations?contact=phone&base_url=" + base +
                 c.raw_query(),
             io::read_file(c.path("citizens-sample.csv"), max_sample_bytes), "text/csv", 201,
             &links);
  io::write_file_atomic(c.path("citizens-links.csv"), links, io::FileAccess::owner_only);
  admin.call(
      "POST",
      "/api/v1/surveys/" + officials_survey + "/invitations?base_url=" + base + c.raw_query(),
      io::read_file(c.path("officials-sample.csv"), max_sample_bytes), "text/csv", 201, &links);
  io::write_file_atomic(c.path("officials-links.csv"), links, io::FileAccess::owner_only);
  c.detail("surveys " + citizens_survey + " and " + officials_survey +
           " created and opened through the admin API; samples imported as invitations");
  c.output("database of the surveys (SQLite)", "survey.db");
  c.output("invitation links with tokens (keep private)", "citizens-links.csv");

  c.stage(4, "Citizens and officials answer over HTTP");
  const auto* citizen_form = q::find_standard_file("forms/sipas-citizen.json");
  const auto* official_form = q::find_standard_file("forms/par-officials.json");
  const auto citizen_q = q::load_questionnaire(citizen_form->content, citizen_form->name);
  const auto official_q = q::load_questionnaire(official_form->content, official_form->name);
  std::map<std::string, double> quality;
  for (const auto& u : c.province.units())
    quality[u.id] = u.quality;
  const auto citizen_rows =
      sample_columns(c.path("citizens-sample.csv"), {"department", "commune"});
  const auto official_rows = sample_columns(c.path("officials-sample.csv"), {"respondent_group"});
  auto citizen = [&](const Invitation& inv) {
    auto rng = unit_rng(o.seed, inv.id);
    Behaviour b;
    // Response propensity differs by district (55% to 85%).
    b.responds = rng.uniform() < 0.55 + 0.3 * unit_rng(o.seed, inv.stratum).uniform();
    // The unit's quality, and the person's own leaning (SD 0.35) that runs
    // through all their answers: items of one element agree, as real
    // answers do (the report's Cronbach's alphas).
    const double leaning = 0.7 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5);
    const auto& row = citizen_rows.at(inv.id);
    b.satisfaction = std::clamp(0.5 * (quality.at(inv.stratum) + quality.at(row.at(0))) +
                                    commune_effect(o.seed, inv.stratum, row.at(1)) + leaning,
                                0.02, 0.98);
    // A few clients send something invalid first, replay, or try twice.
    b.invalid_first = rng.uniform() < 0.03;
    b.replays = rng.uniform() < 0.02;
    b.answers_twice = rng.uniform() < 0.01;
    return b;
  };
  auto official = [&](const Invitation& inv) {
    auto rng = unit_rng(o.seed + 7, inv.id);
    Behaviour b;
    b.responds = rng.uniform() < 0.85;
    b.satisfaction = std::clamp(quality.at(inv.stratum) + 0.1 * (rng.uniform() - 0.5), 0.0, 1.0);
    b.invalid_first = rng.uniform() < 0.03;
    b.fixed = {{"target_unit", inv.stratum}, {"respondent_group", official_rows.at(inv.id).at(0)}};
    return b;
  };
  const Tallies tally{c};
  tally("citizens",
        answer_over_http(server.port(), citizens_survey, citizen_q,
                         read_links(c.path("citizens-links.csv")), citizen, o.clients, o.seed));
  // Reserves where a district's response rate is under 70%, as many as the
  // shortfall, lowest reserve rank first.
  auto rates = admin.call("GET", "/api/v1/surveys/" + citizens_survey + "/progress");
  std::vector<Invitation> reserves;
  // The header of the first reply (the import's columns, contacts included),
  // then every reply's rows.
  std::string reserve_links;
  for (const auto& st : rates.at("strata")) {
    const auto invited = st.at("invited").get<std::int64_t>();
    const auto responded = st.at("responded").get<std::int64_t>();
    const auto wanted = static_cast<std::int64_t>(std::ceil(0.7 * static_cast<double>(invited)));
    const auto count = std::min(wanted - responded, st.at("reserves_waiting").get<std::int64_t>());
    if (count <= 0) continue;
    std::string csv;
    admin.call("POST",
               "/api/v1/surveys/" + citizens_survey + "/reserves/activate?base_url=" + base +
                   (c.options.raw_csv ? "&raw=1" : ""),
               Json{{"stratum", st.at("stratum")}, {"count", count}}.dump(), "application/json",
               200, &csv);
    reserve_links += reserve_links.empty() ? csv : csv.substr(csv.find('\n') + 1);
  }
  if (reserve_links.empty()) reserve_links = "id,stratum,psu,role,reserve_rank,token,link,phone\n";
  io::write_file_atomic(c.path("citizens-reserve-links.csv"), reserve_links,
                        io::FileAccess::owner_only);
  reserves = read_links(c.path("citizens-reserve-links.csv"));
  if (!reserves.empty()) {
    tally("reserves activated in districts under 70%",
          answer_over_http(server.port(), citizens_survey, citizen_q, reserves, citizen, o.clients,
                           o.seed + 1));
  }
  tally("officials", answer_over_http(server.port(), officials_survey, official_q,
                                      read_links(c.path("officials-links.csv")), official,
                                      o.clients, o.seed + 2));

  c.stage(5, "Close the surveys and export the answers");
  for (const auto& [id, name] : {std::pair{citizens_survey, std::string("citizens")},
                                 std::pair{officials_survey, std::string("officials")}}) {
    auto progress = admin.call("GET", "/api/v1/surveys/" + id + "/progress");
    io::write_file_atomic(c.path(name + "-progress.json"), progress.dump(2) + "\n",
                          io::FileAccess::shared);
    admin.call("POST", "/api/v1/surveys/" + id + "/close");
    std::string csv;
    admin.call("GET",
               "/api/v1/surveys/" + id + "/responses?format=csv&limit=1000000" + c.raw_query(), {},
               {}, 200, &csv);
    io::write_file_atomic(c.path(name + "-responses.csv"), csv, io::FileAccess::owner_only);
    const auto& all = progress.at("overall");
    c.detail(id + ": closed; " + std::to_string(all.at("responded").get<std::int64_t>()) +
             " responses of " + std::to_string(all.at("invited").get<std::int64_t>()) +
             " invitations (AAPOR RR1 " + percent(all.at("response_rate").get<double>()) + ")");
    c.output(name + "' answers (design columns, no contact data)", name + "-responses.csv");
    c.output(name + "' response rates by stratum", name + "-progress.json");
  }
}

}  // namespace sipas::demo
