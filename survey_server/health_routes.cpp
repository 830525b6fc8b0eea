// GET /healthz and GET /metrics, on the main listener and on a listener of
// their own (sipas serve --metrics-listen).

#include <nlohmann/json.hpp>

#include "survey_server/api_error.hpp"
#include "survey_server/service_internal.hpp"

namespace sipas::survey_server {

// ------------------------------------------------------------------ health

// A balancer drops a node whose database it cannot reach: 503 when a
// statement cannot run (PostgreSQL down, the connection lost and not to be
// had again), with the store's error id; the node itself stays up and
// answers again once the database is back.
void SurveyService::get_health(Call& call) {
  HttpResponse response;
  const bool postgres = store::db::is_postgres_url(options_.db.string());
  nlohmann::json database{{"backend", postgres ? "postgresql" : "sqlite"}};
  try {
    auto store = lease_store();
    store->ping();
    database["connected"] = true;
    response.body = nlohmann::json{
        {"status", "ok"},
        {"schema", store->schema_version()},
        {"database",
         database}}.dump();
  } catch (const store::StoreError& error) {
    database["connected"] = false;
    database["error"] = error.id();
    response.status = 503;
    response.body = nlohmann::json{{"status", "unavailable"}, {"database", database}}.dump();
  }
  finish(call, std::move(response));
}

void SurveyService::get_metrics(Call& call) {
  finish(call, metrics_response());
}

HttpResponse SurveyService::metrics_response() {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4";
  metrics_.render(response.body);
  const store::CommitStats stats = commit_stats();
  auto& out = response.body;
  out += "# HELP sipas_commits_total Transactions committed by the writers.\n";
  out += "# TYPE sipas_commits_total counter\nsipas_commits_total " +
         std::to_string(stats.commits) + "\n";
  out += "# TYPE sipas_commit_jobs_total counter\nsipas_commit_jobs_total " +
         std::to_string(stats.jobs) + "\n";
  out += "# TYPE sipas_commit_failures_total counter\nsipas_commit_failures_total " +
         std::to_string(stats.failed_commits) + "\n";
  out += "# HELP sipas_commit_batch_size Jobs per committed transaction (group commit).\n";
  out += "# TYPE sipas_commit_batch_size histogram\n";
  const auto& buckets = store::CommitQueue::batch_buckets();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets.size() && i < stats.batch_histogram.size(); ++i) {
    cumulative += stats.batch_histogram[i];
    out += "sipas_commit_batch_size_bucket{le=\"" + std::to_string(buckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += "sipas_commit_batch_size_bucket{le=\"+Inf\"} " + std::to_string(stats.commits) + "\n";
  out += "sipas_commit_batch_size_sum " + std::to_string(stats.jobs) + "\n";
  out += "sipas_commit_batch_size_count " + std::to_string(stats.commits) + "\n";
  if (metrics_source_) metrics_source_(out);
  return response;
}

RequestHandler& SurveyService::metrics_handler() {
  std::lock_guard lock(pool_mutex_);
  if (!metrics_only_) metrics_only_ = std::make_unique<MetricsOnly>(*this);
  return *metrics_only_;
}

}  // namespace sipas::survey_server
