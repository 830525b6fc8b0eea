#include "analysis/par_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/error.hpp"
#include "analysis/standard_schemes.hpp"

namespace sipas::analysis {
namespace {

constexpr double percent = 100;
// Indices are snapped to 1e-9 before rounding to the published precision.
constexpr int snap_decimals = 9;

std::int64_t power_of_ten(int n) {
  std::int64_t p = 1;
  for (int i = 0; i < n; ++i)
    p *= 10;
  return p;
}

bool survey_leaf(const IndexNode& n) {
  return n.method == IndexNode::Method::Survey || n.method == IndexNode::Method::Sipas;
}

}  // namespace

double NodeScore::index() const {
  return max_points > 0 ? percent * points / max_points : std::numeric_limits<double>::quiet_NaN();
}

std::int64_t published_key(double index, int precision) {
  // Index values lie in [0, 100], so 1e9 × index fits in 64 bits with room.
  const std::int64_t snapped =
      std::llround(index * static_cast<double>(power_of_ten(snap_decimals)));
  const std::int64_t step = power_of_ten(snap_decimals - precision);
  const std::int64_t whole = snapped / step, rest = snapped % step;
  return 2 * rest >= step ? whole + 1 : whole;  // half away from zero (indices are >= 0)
}

double published(double index, int precision) {
  return static_cast<double>(published_key(index, precision)) /
         static_cast<double>(power_of_ten(precision));
}

std::vector<UnitIndex> compute_par_index(const IndexScheme& scheme,
                                         const std::vector<IndexUnit>& units,
                                         const Appraisal& appraisal, const SurveyPoints& survey,
                                         const std::vector<GroupThreshold>& thresholds,
                                         int precision) {
  if (precision < 0 || precision > max_precision) {
    throw AnalysisError("index.invalid_option",
                        "precision must be 0 to " + std::to_string(max_precision) + " decimals");
  }
  const bool has_survey = scheme.survey_max() > 0;
  std::vector<UnitIndex> out;
  for (const auto& unit : units) {
    UnitIndex u;
    u.unit = unit;
    u.nodes.assign(scheme.nodes.size(), NodeScore{});
    bool any_survey = false;
    for (std::size_t k = 0; k < scheme.nodes.size(); ++k) {
      const IndexNode& n = scheme.nodes[k];
      if (n.method == IndexNode::Method::Appraised) {
        auto it = appraisal.points.find({unit.id, n.id});
        if (it != appraisal.points.end() && it->second) {
          u.nodes[k] = {*it->second, n.max_points};
        }
      } else if (survey_leaf(n)) {
        auto it = survey.points.find({n.id, unit.id});
        if (it == survey.points.end()) {
          u.survey_missing.push_back(n.id);
        } else {
          u.nodes[k] = {it->second, n.max_points};
          any_survey = true;
        }
      }
    }
    // Pre-order puts every child after its parent: walking backwards adds
    // each finished node into its parent.
    for (std::size_t k = scheme.nodes.size(); k-- > 0;) {
      const IndexNode& n = scheme.nodes[k];
      if (n.parent == IndexNode::no_parent) {
        u.total.points += u.nodes[k].points;
        u.total.max_points += u.nodes[k].max_points;
      } else {
        u.nodes[n.parent].points += u.nodes[k].points;
        u.nodes[n.parent].max_points += u.nodes[k].max_points;
      }
    }
    // Without any survey value the survey leaves have all left the maximum,
    // so the index is 100 × appraised / (applicable − survey max): the
    // Hà Nội rule of domain.md §2.4, flagged.
    u.rescaled = has_survey && !any_survey;
    out.push_back(std::move(u));
  }

  auto has_index = [](const UnitIndex& u) { return u.total.max_points > 0; };
  auto key = [&](const UnitIndex& u) { return published_key(u.total.index(), precision); };
  auto by_index_then_id = [&](const UnitIndex& a, const UnitIndex& b) {
    if (has_index(a) != has_index(b)) return has_index(a);
    if (has_index(a) && key(a) != key(b)) return key(a) > key(b);
    return a.unit.id < b.unit.id;
  };
  std::vector<UnitIndex> ranked, others;
  for (auto& u : out)
    (u.unit.ranked && has_index(u) ? ranked : others).push_back(std::move(u));
  std::sort(ranked.begin(), ranked.end(), by_index_then_id);
  std::sort(others.begin(), others.end(), by_index_then_id);
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    // Competition ranking: equal published indices share the better rank.
    const bool tie = i > 0 && key(ranked[i]) == key(ranked[i - 1]);
    ranked[i].rank = tie ? *ranked[i - 1].rank : static_cast<int>(i) + 1;
    const double shown = published(ranked[i].total.index(), precision);
    for (const auto& t : thresholds) {
      if (shown >= t.min) {
        ranked[i].group = t.group;
        break;
      }
    }
  }
  ranked.insert(ranked.end(), std::make_move_iterator(others.begin()),
                std::make_move_iterator(others.end()));
  return ranked;
}

std::vector<MissingSurveyLeaf> missing_survey_leaves(const IndexScheme& scheme,
                                                     const std::vector<UnitIndex>& units) {
  std::vector<MissingSurveyLeaf> out;
  for (const auto& n : scheme.nodes) {
    if (!survey_leaf(n)) continue;
    MissingSurveyLeaf gap{n.id, n.method, {}};
    for (const auto& u : units) {
      if (std::find(u.survey_missing.begin(), u.survey_missing.end(), n.id) !=
          u.survey_missing.end())
        gap.units.push_back(u.unit.id);
    }
    if (!gap.units.empty()) out.push_back(std::move(gap));
  }
  return out;
}

ParIndexResult run_par_index(const ParIndexRequest& request) {
  ParIndexResult r;
  const SchemeSource source = read_scheme_source(request.scheme);
  r.scheme = parse_index_scheme(source.text, source.source);
  r.scheme_file = {source.path, source.sha256};
  r.thresholds = request.thresholds ? *request.thresholds : r.scheme.thresholds;
  r.precision = request.precision ? *request.precision : r.scheme.precision;
  if (r.precision < 0 || r.precision > max_precision) {
    throw AnalysisError("index.invalid_option", "`precision` must be a whole number from 0 to " +
                                                    std::to_string(max_precision));
  }
  std::vector<IndexUnit> units;
  std::string units_source;
  if (request.units) {
    InputRecord record;
    units = load_units(*request.units, &record);
    r.units_file = record;
    units_source = request.units->filename().string();
  }
  Appraisal appraisal = load_appraisal(request.appraisal, r.scheme,
                                       request.units ? &units : nullptr, &r.appraisal_file);
  if (!request.units) {
    for (const auto& id : appraisal.units)
      units.push_back({id, id, true});
    units_source = "the appraisal " + request.appraisal.filename().string();
  }
  if (units.empty()) {
    throw AnalysisError("index.no_units", request.appraisal.filename().string() +
                                              ": no units (no data rows, and no units file)");
  }
  SurveyPoints survey = load_survey_points(request.survey, r.scheme, units, units_source);
  r.survey_files = survey.files;
  r.command_line = request.command_line;
  r.units = compute_par_index(r.scheme, units, appraisal, survey, r.thresholds, r.precision);
  r.survey_missing = missing_survey_leaves(r.scheme, r.units);
  return r;
}

}  // namespace sipas::analysis
