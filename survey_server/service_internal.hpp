#pragma once

// What the service's route files share; not for users of the library.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/actor.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/service.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::survey_server {

struct SurveyService::Route {
  std::string method;
  std::vector<std::string> segments;  // "{name}" captures a segment
  std::string label;                  // for metrics: "POST /s/{survey}"
  app::UseCase use_case;              // its one authorisation rule (app::required_role)
  std::string content_type;           // required request body type, or empty
  bool html = false;                  // errors as pages, not JSON
  bool upload = false;                // a large body (import_body_limit), streamed to a file
  bool offload = false;               // runs off the I/O threads (parsing, validation)
  std::function<void(SurveyService&, const CallPtr&)> run;
};

struct SurveyService::Call {
  HttpRequest request;
  Reply reply;
  std::chrono::steady_clock::time_point started;
  const Route* route = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  std::vector<std::pair<std::string, std::string>> query;
  app::Actor actor;  // from the bearer key or the session; no role for the public
  std::optional<std::string> session_id;  // a valid console session's id (for _csrf)
  // Its person as the session's lookup read them; set on every console page
  // but the login (route_call sends a request without one to the login).
  std::optional<store::UserRecord> user;

  const std::string& param(std::string_view name) const { return params.find(name)->second; }
  std::optional<std::string> query_value(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

// A console form's _csrf: ApiError 403 auth.csrf unless it is the one bound
// to the call's session (app::csrf_matches).
void require_csrf(const SurveyService::Call& call, std::optional<std::string_view> token);
// A form-encoded console form's fields, once its _csrf is the session's.
FormFields checked_console_form(const SurveyService::Call& call);

// A read connection borrowed from the pool; returned when destroyed.
class SurveyService::StoreLease {
 public:
  StoreLease(SurveyService& service, std::unique_ptr<store::SurveyStore> store)
      : service_(service), store_(std::move(store)) {}
  StoreLease(StoreLease&&) = default;
  ~StoreLease() {
    if (!store_) return;
    std::lock_guard lock(service_.pool_mutex_);
    service_.pool_.push_back(std::move(store_));
  }
  store::SurveyStore& operator*() { return *store_; }
  store::SurveyStore* operator->() { return store_.get(); }

 private:
  SurveyService& service_;
  std::unique_ptr<store::SurveyStore> store_;
};

// Headers every response carries (Content-Security-Policy unless the page
// has its own, nosniff, Referrer-Policy).
void add_security_headers(HttpResponse& response);

// The value of the request's cookie `name` (the first), or nullopt.
std::optional<std::string> cookie_value(const HttpRequest& request, std::string_view name);

// The handler of a listener of its own for GET /metrics and GET /healthz only.

class SurveyService::MetricsOnly : public RequestHandler {
 public:
  explicit MetricsOnly(SurveyService& service) : service_(service) {}

  Admission admit(const HttpRequest& head) override {
    Admission admission;
    const bool known = head.path == "/metrics" || head.path == "/healthz";
    if (!known || (head.method != "GET" && head.method != "HEAD")) {
      auto response =
          known ? json_error(405, "request.method_not_allowed", "only GET is allowed here")
                : json_error(404, "request.not_found", "this listener serves /metrics only");
      if (known) response.headers.emplace_back("Allow", "GET");
      add_security_headers(response);
      admission.refusal = std::move(response);
    }
    return admission;
  }

  void handle(HttpRequest&& request, Reply reply) override {
    HttpResponse response;
    if (request.path == "/metrics") {
      response = service_.metrics_response();
    } else {
      auto store = service_.lease_store();
      response.body = nlohmann::json{{"status", "ok"}, {"schema", store->schema_version()}}.dump();
    }
    if (request.method == "HEAD") response.body.clear();
    add_security_headers(response);
    reply(std::move(response));
  }

  HttpResponse protocol_error(int status, std::string_view code,
                              std::string_view message) override {
    return service_.protocol_error(status, code, message);
  }

 private:
  SurveyService& service_;
};

}  // namespace sipas::survey_server
