#include "questionnaires/simulated_answers.hpp"

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/number_text.hpp"
#include "io/rng.hpp"
#include "questionnaires/synthetic_responses.hpp"

namespace sipas::questionnaires {
namespace {

std::string answer_text(const RawAnswer& a) {
  switch (a.kind) {
    case RawAnswer::Kind::Integer:
      return std::to_string(a.integer);
    case RawAnswer::Kind::Number:
      return io::shortest_decimal(a.number);
    case RawAnswer::Kind::String:
      return a.text;
    case RawAnswer::Kind::Array: {
      std::string out;
      for (const auto& c : a.codes) {
        if (!out.empty()) out += ' ';
        out += c.kind == RawCode::Kind::Integer ? std::to_string(c.integer) : c.text;
      }
      return out;
    }
    default:
      return "";
  }
}

}  // namespace

SimulatedAnswersSummary write_simulated_answers(const Questionnaire& q,
                                                const std::filesystem::path& sample_csv,
                                                const std::filesystem::path& answers_csv,
                                                const SimulatedAnswersOptions& o) {
  io::CsvReader sample(sample_csv);
  std::vector<std::size_t> fixed = {sample.require_column("id"), sample.require_column("stratum"),
                                    sample.require_column("psu"),
                                    sample.require_column("design_weight")};
  std::vector<std::size_t> carry;
  for (const auto& c : o.carry)
    carry.push_back(sample.require_column(c));
  const auto role = sample.require_column("role");
  std::optional<std::size_t> propensity;
  if (!o.propensity_column.empty()) propensity = sample.require_column(o.propensity_column);

  io::CsvWriter out(answers_csv);
  std::vector<std::string> header = {"id", "stratum", "psu", "design_weight"};
  header.insert(header.end(), o.carry.begin(), o.carry.end());
  std::vector<const Item*> items;
  for (const auto& item : q.items()) {
    if (!item.answerable()) continue;
    items.push_back(&item);
    header.push_back(item.id);
  }
  {
    std::vector<std::string_view> views(header.begin(), header.end());
    out.write_row(views);
  }
  GeneratorOptions generator_options;
  generator_options.seed = o.seed;
  generator_options.other_language_rate = 0;
  ResponseGenerator generator(q, generator_options);
  SimulatedAnswersSummary summary;
  std::vector<std::string> cells;
  while (sample.next()) {
    if (sample.field(role) != "main") continue;
    ++summary.invited;
    if (!generator.chance(o.response_rate)) continue;
    double p = (o.low + o.high) / 2;
    if (propensity) {
      // A stable number in [0, 1) from the unit's name.
      const double u = io::Rng::stream(o.seed, sample.field(*propensity)).uniform();
      p = o.low + (o.high - o.low) * u;
    }
    generator.set_satisfaction(p);
    Response response = generator.valid();
    cells.clear();
    for (auto c : fixed)
      cells.emplace_back(sample.field(c));
    for (auto c : carry)
      cells.emplace_back(sample.field(c));
    for (const Item* item : items)
      cells.push_back(answer_text(response.answers[item->slot]));
    std::vector<std::string_view> views(cells.begin(), cells.end());
    out.write_row(views);
    ++summary.responded;
  }
  out.commit();
  return summary;
}

}  // namespace sipas::questionnaires
