#pragma once

// The data, design and engine of an AnalysisRequest, built as `sipas analyze`
// builds them, for every command that estimates on a design (`sipas analyze`,
// `sipas compare`): the same checks of the options, the same rows in the same
// order, the same calibration and replicates, so that an estimate is the same
// whichever command gives it.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/engine.hpp"
#include "analysis/open_link.hpp"
#include "analysis/run.hpp"
#include "analysis/table.hpp"
#include "analysis/weights_join.hpp"

namespace sipas::analysis {

// The columns an analysis reads: the design's, the statistics', the domains',
// the channel of an export, and those the margins, the questionnaire or the
// scheme name. Only these are loaded (a response export has many more).
struct ColumnsRead {
  std::set<std::string, std::less<>> names;
  std::string prefix;  // replicate weights: every column PREFIXn

  bool operator()(std::string_view name) const {
    return names.contains(name) ||
           (!prefix.empty() && name.size() > prefix.size() && name.starts_with(prefix));
  }
};

// What is known before the data are read: the options checked against each
// other, the margins read, and the columns the design, the statistics and the
// domains need (the caller adds its own, e.g. a questionnaire's items).
struct AnalysisPlan {
  ColumnsRead read;
  std::vector<Margin> margins;
};
AnalysisPlan plan_analysis(const AnalysisRequest& request);

// The rows (open-link ones left out unless asked, weights.csv joined, in the
// canonical order) and the linearization design on them, calibrated as asked.
struct AnalysisSetup {
  Table data;
  DesignColumns columns;  // as used: with --weights-file the file's weights
  Design design;
  bool replicated = false;  // --replicates or --repweights
  bool joined = false;      // --weights-file
  JoinReport join;
  OpenLinkRows open_link;
  nlohmann::json calibration = nullptr;  // the calibration's report, as results.json has it
  nlohmann::json nonresponse = nullptr;  // --weights-file's, as results.json has it
};
AnalysisSetup setup_analysis(const AnalysisRequest& request, const AnalysisPlan& plan);

// The engine of the request's design: replicates built from the design
// (--replicates), read from columns (--repweights), or linearization.
struct EngineSetup {
  std::unique_ptr<Engine> engine;
  nlohmann::json replicates = nullptr;  // type, count, ... as results.json has it
};
EngineSetup make_engine(const AnalysisRequest& request, const AnalysisSetup& setup);

// A mean or a proportion as the ratio of the variable's value (or the 0/1 of
// its codes) to 1 over the rows with a value: the Hájek mean, its influence
// values included, by levels of the column (Engine::ratios). A mean of a
// column that is not numeric is data.not_numeric, naming the line.
CodedRatio coded_mean(const Table& data, const StatisticRequest& statistic);

// The name an estimate of a mean or proportion carries: VAR, or VAR=CODE,CODE.
std::string variable_label(const StatisticRequest& statistic);

}  // namespace sipas::analysis
