#include "app/live_indices.hpp"

#include <cstdlib>
#include <system_error>

#include "analysis/error.hpp"
#include "app/clock.hpp"
#include "app/private_folder.hpp"
#include "app/response_export.hpp"
#include "app/responses.hpp"
#include "app/use_case_error.hpp"
#include "io/csv_reader.hpp"
#include "io/file.hpp"

namespace sipas::app {

analysis::AnalysisRequest live_indices_request(const std::filesystem::path& data,
                                               const std::filesystem::path& questionnaire,
                                               const ReadIndices& request) {
  analysis::AnalysisRequest r;
  r.data = data;
  r.design.strata = "stratum";
  r.design.clusters = {"psu"};
  r.design.weights = "design_weight";
  r.design.lonely_psu = analysis::LonelyPsu::Adjust;
  r.index = questionnaire;
  if (request.by) r.by = {*request.by};
  r.level = request.level;
  return r;
}

LiveIndices live_indices(store::SurveyStore& store, const Actor& actor,
                         const ReadIndices& request) {
  authorize(actor, UseCase::ReadIndices);
  auto survey = store.find_survey(request.survey);
  if (!survey) {
    throw UseCaseError(Refusal::NotFound, "survey.not_found", "no survey '" + request.survey + "'",
                       "survey");
  }
  // One read: the answers as the export gives them, less the rejected ones.
  auto answers = answers_not_rejected(
      store.export_responses(request.survey, 0, std::numeric_limits<std::int64_t>::max()));
  LiveIndices out;
  out.computed_at = now_seconds();
  out.survey = request.survey;
  out.rejected = answers.rejected;
  out.open_link = answers.open_link;
  // Open-link answers are not in the sample: they leave the design.
  std::vector<store::ExportedResponse> counted;
  for (auto& row : answers.kept) {
    if (!row.open_link) counted.push_back(std::move(row));
  }
  out.counted = static_cast<std::int64_t>(counted.size());
  out.command =
      "sipas responses export --db DB --survey " + request.survey +
      " --out responses.csv; (the rows whose review is rejected removed) sipas analyze --data "
      "responses.csv --strata stratum --psu psu --weights design_weight --lonely-psu adjust "
      "--index QUESTIONNAIRE.json" +
      (request.by ? " --by " + *request.by : std::string());
  if (counted.empty()) return out;
  const auto questionnaire =
      questionnaires::load_questionnaire(survey->questionnaire_json, request.survey + ".json");
  PrivateFolder folder("sipas-indices");
  const auto data = folder.path() / "responses.csv";
  const auto form = folder.path() / "questionnaire.json";
  io::write_file_atomic(data, responses_csv(questionnaire, counted), io::FileAccess::owner_only);
  io::write_file_atomic(form, survey->questionnaire_json, io::FileAccess::owner_only);
  try {
    out.result = analysis::run_analysis(live_indices_request(data, form, request));
  } catch (const io::CsvError& e) {
    // A `by` column the export does not have: the reader names it.
    throw UseCaseError(Refusal::Unprocessable, e.id(), e.what(), "by");
  } catch (const analysis::AnalysisError& e) {
    // The answers are the store's own: what the analysis refuses is the
    // request (an unknown column) or the answers so far (too few to vary).
    throw UseCaseError(Refusal::Unprocessable, e.id(), e.what(), request.by ? "by" : "");
  }
  return out;
}

std::shared_ptr<const LiveIndices> LiveIndicesCache::get(store::SurveyStore& store,
                                                         const Actor& actor,
                                                         const ReadIndices& request) {
  authorize(actor, UseCase::ReadIndices);
  // Read before the answers are: a change while they are analysed leaves the
  // entry older than the data, and the next call computes again.
  const std::string version = store.answers_version(request.survey);
  const std::string key =
      request.survey + '\n' + request.by.value_or("") + '\n' + std::to_string(request.level);
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end() && it->second.version == version) {
      it->second.refreshing = false;  // whoever was told to refresh finds it done
      return it->second.indices;
    }
  }
  std::shared_ptr<const LiveIndices> indices;
  try {
    indices = std::make_shared<const LiveIndices>(live_indices(store, actor, request));
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) it->second.refreshing = false;
    throw;
  }
  std::lock_guard lock(mutex_);
  if (entries_.size() >= 64) entries_.clear();  // a bound, not a policy: rarely reached
  entries_[key] = {version, indices, false};
  return indices;
}

LiveIndicesCache::Peek LiveIndicesCache::peek(store::SurveyStore& store, const Actor& actor,
                                              const ReadIndices& request,
                                              store::Timestamp min_age) {
  authorize(actor, UseCase::ReadIndices);
  const std::string version = store.answers_version(request.survey);
  const std::string key =
      request.survey + '\n' + request.by.value_or("") + '\n' + std::to_string(request.level);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return {nullptr, false, true};
  if (it->second.version == version) return {it->second.indices, true, false};
  const bool old_enough = now_seconds() - it->second.indices->computed_at >= min_age;
  const bool refresh = !it->second.refreshing && old_enough;
  if (refresh) it->second.refreshing = true;
  return {it->second.indices, false, refresh};
}

nlohmann::json live_indices_json(const LiveIndices& indices) {
  nlohmann::json out = {{"survey", indices.survey},
                        {"rule", live_indices_rule},
                        {"responses",
                         {{"counted", indices.counted},
                          {"rejected", indices.rejected},
                          {"open_link", indices.open_link}}},
                        {"command", indices.command}};
  if (!indices.result) {
    out["estimates"] = nlohmann::json::array();
    return out;
  }
  auto results = analysis::to_json(*indices.result);
  out["estimates"] = results["estimates"];
  out["design"] = results["design"];
  return out;
}

}  // namespace sipas::app
