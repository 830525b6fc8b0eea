#include "app/fieldwork_table.hpp"
#include "io/number_text.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_map>

namespace sipas::app {
namespace {

std::string disposition_of(const store::InvitationOutcome& o, const FieldworkRules& rules) {
  switch (o.status) {
    case store::InvitationStatus::Inactive:
      return "";
    case store::InvitationStatus::Responded:
      return o.review == store::ReviewState::Rejected ? "nonrespondent" : "respondent";
    case store::InvitationStatus::Opened:
      return "nonrespondent";
    case store::InvitationStatus::Pending:
      break;
  }
  return rules.unopened_unknown ? "unknown" : "nonrespondent";
}

}  // namespace

analysis::Table fieldwork_table(const std::vector<store::InvitationOutcome>& outcomes,
                                const std::string& source, const FieldworkRules& rules) {
  const std::vector<std::string> fixed = {
      "id",           "stratum",         "psu", "inclusion_probability", "design_weight", "role",
      "reserve_rank", disposition_column};
  std::vector<std::vector<std::string>> values(fixed.size());
  // Attributes by name, in order of first appearance; empty where missing.
  std::vector<std::string> names;
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::vector<std::string>> attributes;
  for (std::size_t row = 0; row < outcomes.size(); ++row) {
    const store::InvitationOutcome& o = outcomes[row];
    values[0].push_back(o.respondent_id);
    values[1].push_back(o.stratum);
    values[2].push_back(o.psu);
    values[3].push_back(io::shortest_decimal(o.inclusion_probability));
    values[4].push_back(io::shortest_decimal(o.design_weight));
    values[5].push_back(o.reserve ? "reserve" : "main");
    values[6].push_back(o.reserve ? std::to_string(o.reserve_rank) : "");
    values[7].push_back(disposition_of(o, rules));
    for (const auto& [name, value] : o.attributes) {
      if (std::find(fixed.begin(), fixed.end(), name) != fixed.end()) continue;
      auto [it, fresh] = index.try_emplace(name, names.size());
      if (fresh) {
        names.push_back(name);
        attributes.emplace_back(outcomes.size());
      }
      attributes[it->second][row] = value;
    }
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> columns;
  for (std::size_t k = 0; k < fixed.size(); ++k)
    columns.emplace_back(fixed[k], std::move(values[k]));
  for (std::size_t k = 0; k < names.size(); ++k)
    columns.emplace_back(names[k], std::move(attributes[k]));
  return analysis::Table::from_columns(source, std::move(columns));
}

analysis::FieldworkSample fieldwork_sample(const std::filesystem::path& db,
                                           const std::string& survey, const FieldworkRules& rules) {
  store::SurveyStore::Options options;
  options.create = false;
  options.read_only = true;
  store::SurveyStore store(db, options);
  const std::string source = db.filename().string() + " (survey " + survey + ")";
  analysis::FieldworkColumns columns;
  columns.disposition = disposition_column;
  return analysis::read_fieldwork(fieldwork_table(store.invitation_outcomes(survey), source, rules),
                                  columns);
}

}  // namespace sipas::app
