#pragma once

// The satisfaction indices during fieldwork (issue 22's "live indices"):
// computed by the analysis library from the stored answers and the design
// the invitations carry, exactly as `sipas analyze` computes them from the
// response export (the command is in the result, to run again).

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "analysis/run.hpp"
#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct ReadIndices {
  std::string survey;
  std::optional<std::string> by;  // a column of the export (an attribute such as district)
  double level = 0.95;
};

// Which answers count, in words (the JSON's "rule").
inline constexpr const char* live_indices_rule =
    "answers count unless rejected in review (received and approved ones count); open-link "
    "answers are not in the sample and are left out; design: strata = stratum, PSU = psu, "
    "weights = design_weight (the invitations' design weights, before nonresponse adjustment or "
    "calibration), lonely PSUs adjusted";

struct LiveIndices {
  std::string survey;
  std::int64_t counted = 0, rejected = 0, open_link = 0;
  std::optional<analysis::AnalysisResult> result;  // none while no answer counts
  std::string command;  // the `sipas analyze` line that gives the same numbers from the export
  store::Timestamp computed_at = 0;  // when the answers were read
};

// Needs the analyst's role. Errors: survey.not_found; the analysis's own
// (analysis.*), e.g. an unknown `by` column. The answers are written to a
// private temporary folder (0700, files 0600) for the analysis and removed.
LiveIndices live_indices(store::SurveyStore& store, const Actor& actor, const ReadIndices& request);

// The indices of each (survey, by, level) as last computed, given again while
// the survey's answers and reviews are unchanged (store.answers_version):
// the analysis of a province's answers takes a second or more, a page that
// shows them is asked for far more often. Safe to use from several threads.
class LiveIndicesCache {
 public:
  // The indices of the answers as they are now: computed when the entry is
  // older than them.
  std::shared_ptr<const LiveIndices> get(store::SurveyStore& store, const Actor& actor,
                                         const ReadIndices& request);

  // What a page shows at once while answers keep coming: the entry as last
  // computed (null when there is none yet), whether it is current, and
  // whether this caller should compute the newer one (get()): true for one
  // caller at a time, so that a busy page never runs the analysis twice at
  // once for one survey, and only once the entry is `min_age` seconds old,
  // so that a steady flow of answers does not keep a core computing.
  struct Peek {
    std::shared_ptr<const LiveIndices> indices;
    bool current = false;
    bool refresh = false;
  };
  Peek peek(store::SurveyStore& store, const Actor& actor, const ReadIndices& request,
            store::Timestamp min_age = 0);

 private:
  struct Entry {
    std::string version;
    std::shared_ptr<const LiveIndices> indices;
    bool refreshing = false;  // a caller of peek() was told to compute
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // by survey, by and level
};

// {"survey", "rule", "responses": {"counted","rejected","open_link"}, "command",
//  "estimates": [...], "design": {...}} (the analysis's results file's fields).
nlohmann::json live_indices_json(const LiveIndices& indices);

// The analysis request of the live indices on a response export `data` and
// the questionnaire file `questionnaire` (for tests and for the command line).
analysis::AnalysisRequest live_indices_request(const std::filesystem::path& data,
                                               const std::filesystem::path& questionnaire,
                                               const ReadIndices& request);

}  // namespace sipas::app
