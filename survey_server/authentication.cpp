// Who is asking: the bearer key (from the key file or the database) as an
// app::Actor, and the route's use case asked whether they may.

#include <sys/stat.h>

#include <fstream>

#include "app/actor.hpp"
#include "store/tokens.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/service_internal.hpp"

namespace sipas::survey_server {

void SurveyService::load_key_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw Error("server.key_file", name + ": cannot be read");
  }
  // Keys open the admin API: a file others may read is refused, not served.
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw Error("server.key_file", name +
                                       ": the key file can be read or written by other users; "
                                       "run 'chmod 600 " +
                                       name + "' and start again");
  }
  std::ifstream in(path);
  if (!in) throw Error("server.key_file", name + ": cannot be read");
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::string where = path.filename().string() + ":" + std::to_string(number);
    store::Role role = store::Role::Manager;
    std::string key = line;
    if (auto space = line.find(' '); space != std::string::npos) {
      auto parsed = store::role_from_string(line.substr(0, space));
      if (!parsed) throw Error("server.key_file", where + ": the role must be manager or analyst");
      role = *parsed;
      key = line.substr(line.find_first_not_of(' ', space));
    }
    if (!store::is_api_key_syntax(key)) {
      throw Error("server.key_file",
                  where + ": a key has at least " + std::to_string(store::min_api_key_length) +
                      " characters from A-Z a-z 0-9 - _ (make one with 'sipas key create "
                      "--key-file " +
                      name + "')");
    }
    file_keys_[store::hash_secret(key)] = role;
  }
}

// ------------------------------------------------------------------ auth

app::Actor SurveyService::authenticate(const HttpRequest& request) {
  auto header = request.header("authorization");
  if (!header) return {"public", std::nullopt};
  // An address that has spent its budget learns nothing more about any key,
  // right or wrong (as with tokens).
  if (auth_limiter_.exhausted(request.client)) {
    metrics_.count("sipas_auth_throttled_total");
    throw ApiError(429, "auth.rate_limited",
                   "too many failed authentications from this address; wait a minute");
  }
  constexpr std::string_view scheme = "Bearer ";
  if (header->size() > scheme.size() && header->substr(0, scheme.size()) == scheme) {
    std::string key(header->substr(scheme.size()));
    const std::string hash = store::hash_secret(key);
    // Named in the audit trail by the first characters of the key's hash.
    if (auto it = file_keys_.find(hash); it != file_keys_.end())
      return {"key-file:" + hash.substr(0, 8), it->second};
    if (store::is_api_key_syntax(key)) {
      auto store = lease_store();
      if (auto info = store->find_api_key(key)) return {"key:" + info->name, info->role};
    }
  }
  metrics_.count("sipas_auth_failures_total");
  auth_limiter_.allow(request.client);
  throw ApiError(401, "auth.invalid_key", "the API key is not valid");
}

// The route's use case decides (app::authorize); without a key, a route that
// needs one is 401 rather than 403.
void SurveyService::authorize(const Call& call) {
  // A person logged in is known: what their role may not do is 403.
  if (app::required_role(call.route->use_case) && !call.actor.role && !call.actor.user_role) {
    throw ApiError(401, "auth.required",
                   "this route needs an API key: send 'Authorization: Bearer KEY'");
  }
  app::authorize(call.actor, call.route->use_case);
}

}  // namespace sipas::survey_server
