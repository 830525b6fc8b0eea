// Drawing a sample from a frame in two streaming passes (sampling/README.md,
// "How a sample is drawn"): the design record and the order of the steps.

#include "sampling/drawer.hpp"

namespace sipas::sampling {
namespace drawing {

// ------------------------------------------------------------------ record

Json Drawer::design_record() const {
  Json strata = Json::array();
  for (std::size_t h = 0; h < strata_order_.size(); ++h) {
    const auto& key = strata_order_[h];
    const Unit& stratum = levels_[0].at(key);
    Json s = {{"stratum", key}, {"population", stratum.rows}};
    if (!multi_stage_) {
      s["n"] = n_by_stratum_.at(key);
      s["reserve"] = reserve_by_stratum_.at(key);
      if (!allocation_target_.empty()) s["allocation_target"] = allocation_target_[h];
      if (auto it = pps_by_stratum_.find(key); it != pps_by_stratum_.end()) {
        s["pps_algorithm"] = to_string(it->second.algorithm);
        s["sampford_acceptance"] = {{"value", it->second.sampford.value},
                                    {"kind", to_string(it->second.sampford.kind)}};
      }
    }
    strata.push_back(s);
  }
  Json record = {
      {"format", "sipas-sample-design/1"},
      {"command", r_.command_line},
      {"frame",
       {{"file", r_.frame.filename().string()}, {"sha256", frame_sha256_}, {"rows", rows_}}},
      {"id_column", r_.id_column},
      {"strata_columns", strata_columns_},
      {"seed", r_.seed},
      {"seed_source", r_.seed_given ? "given" : "drawn"},
      {"generator", generator_description},
      {"sample", {{"main", main_}, {"reserve", reserves_}}},
      {"strata", strata}};
  if (!multi_stage_) {
    record["method"] = to_string(r_.method);
    if (r_.n_per_stratum) {
      record["allocation"] = {{"method", "given"}, {"file", r_.n_per_stratum->filename().string()}};
    } else {
      record["allocation"] = {{"method", to_string(r_.allocation.method)}, {"total", *r_.total}};
      if (r_.allocation.method == AllocationMethod::Power)
        record["allocation"]["power_q"] = r_.allocation.power_q;
    }
    if (r_.method == SelectionMethod::Pps) {
      record["pps_algorithms"] = pps_algorithm_counts();
      record["pps_rule"] = pps_rule();
    }
    if (!r_.size_column.empty()) record["size_column"] = r_.size_column;
    if (!r_.sort_column.empty()) record["sort_column"] = r_.sort_column;
    return record;
  }
  record["method"] = "multi-stage";
  Json stages = Json::array();
  for (std::size_t k = 0; k < r_.design->stages.size(); ++k) {
    const Stage& stage = r_.design->stages[k];
    Json s = {{"stage", k + 1},
              {"unit", stage.unit.empty() ? std::string("rows") : stage.unit},
              {"method", to_string(stage.method)},
              {"n", stage.n}};
    if (stage.method == SelectionMethod::Pps) {
      s["pps_algorithms"] = pps_by_stage_.at(k);
      s["pps_rule"] = pps_rule();
    }
    if (!stage.unit.empty()) {
      std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>
          per_stratum;  // population, selected
      for (const auto& [key, unit] : levels_[k + 1]) {
        auto stratum = key.substr(0, key.find(key_separator));
        ++per_stratum[stratum].first;
        per_stratum[stratum].second += unit.selected;
      }
      Json counts = Json::array();
      for (const auto& [stratum, c] : per_stratum) {
        counts.push_back({{"stratum", stratum}, {"units", c.first}, {"selected", c.second}});
      }
      s["units"] = counts;
      // Every selected unit with its π and size: the stage probabilities an
      // auditor or a variance estimate needs.
      std::vector<const Unit*> chosen;
      for (const auto& [key, unit] : levels_[k + 1]) {
        if (unit.selected) chosen.push_back(&unit);
      }
      std::sort(chosen.begin(), chosen.end(),
                [](const Unit* a, const Unit* b) { return a->key < b->key; });
      Json selected = Json::array();
      for (const Unit* u : chosen) {
        std::string path = u->key;
        std::replace(path.begin(), path.end(), key_separator, '/');
        selected.push_back(
            {{"unit", path},
             {"pi", u->pi},
             {"rows", u->rows},
             {"size",
              stage.size.kind == SizeMeasure::Kind::Rows ? static_cast<double>(u->rows) : u->size},
             {"certain", u->certain == 1}});
      }
      s["selected"] = selected;
      s["size"] =
          stage.size.kind == SizeMeasure::Kind::Rows ? std::string("rows") : stage.size.column;
      if (!stage.certainty_column.empty()) {
        s["certainty"] = {{"column", stage.certainty_column}, {"values", stage.certainty_values}};
      }
    } else {
      s["reserve"] = stage.reserve;
    }
    stages.push_back(s);
  }
  record["stages"] = stages;
  return record;
}

std::map<std::string, std::uint64_t> Drawer::pps_algorithm_counts() const {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& [stratum, choice] : pps_by_stratum_)
    ++counts[to_string(choice.algorithm)];
  for (const auto& stage : pps_by_stage_) {
    for (const auto& [algorithm, count] : stage)
      counts[algorithm] += count;
  }
  return counts;
}

SampleSummary Drawer::run() {
  multi_stage_ = r_.design.has_value();
  if (!multi_stage_) {
    if (!r_.total && !r_.n_per_stratum) {
      throw SamplingError("sample.missing_size",
                          "give the sample size: `total` N or `n_per_stratum` FILE.csv");
    }
    if ((r_.method == SelectionMethod::Pps || r_.method == SelectionMethod::PpsSystematic) &&
        r_.size_column.empty()) {
      throw SamplingError("sample.missing_size_column",
                          "`method` " + to_string(r_.method) + " needs `size_column` COL");
    }
    if ((r_.method == SelectionMethod::Pps || r_.method == SelectionMethod::PpsSystematic) &&
        r_.reserve > 0) {
      throw SamplingError(
          "sample.reserve_unsupported",
          "reserve lists are drawn with `method` srs or systematic (equal probabilities), so "
          "that a reserve can stand in for a unit with the same weight");
    }
    if (!r_.sort_column.empty() && r_.method == SelectionMethod::Srs) {
      throw SamplingError("sample.sort_unsupported",
                          "`sort_column` orders the list for systematic and pps-systematic "
                          "selection; it has no effect on `method` srs");
    }
  }
  first_pass();
  if (r_.after_first_pass) r_.after_first_pass();
  if (!multi_stage_) allocate_single_stage();
  if (multi_stage_) select_units();
  select_rows();
  second_pass();
  SampleSummary summary;
  summary.frame_rows = rows_;
  summary.main = main_;
  summary.reserves = reserves_;
  summary.strata = strata_order_.size();
  summary.design = design_record();
  summary.pps_algorithms = pps_algorithm_counts();
  return summary;
}

}  // namespace drawing

SampleSummary draw_sample(const SampleRequest& request) {
  return drawing::Drawer(request).run();
}

}  // namespace sipas::sampling
