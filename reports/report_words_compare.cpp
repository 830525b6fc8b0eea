#include "reports/report_words.hpp"

#include "texts/texts.hpp"

namespace sipas::reports {
namespace {

// Each word is the catalogue's "report.compare.<field>" (texts/vi.json, texts/en.json).
// Designated initializers in order: -Wmissing-field-initializers stops the
// build when a field is left out, and a key missing from a catalogue throws
// texts.missing_key (tests/texts/ checks that none is).
#define WORD(field) .field = texts::text(code, "report.compare." #field)
CompareWords words_in(std::string_view code) {
  return CompareWords{
      // Against the province and in pairs
      WORD(sec_comparisons), WORD(against_province), WORD(in_pairs), WORD(against_last_year),
      WORD(estimate), WORD(pair), WORD(difference), WORD(difference_pp), WORD(adjusted_p),
      WORD(result), WORD(above), WORD(below), WORD(up), WORD(down), WORD(what_compared),
      WORD(stat_mean), WORD(stat_proportion), WORD(test_t), WORD(test_normal), WORD(adjust_holm),
      WORD(adjust_bh), WORD(adjust_none),

      // Year on year
      WORD(this_year), WORD(last_year), WORD(change), WORD(change_pp), WORD(past), WORD(past_same),
      WORD(past_mapped), WORD(past_combined), WORD(weights_counts), WORD(weights_equal),
      WORD(past_none), WORD(year_test), WORD(year_past_note),

      // Small areas
      WORD(sec_small_areas), WORD(direct), WORD(eblup), WORD(gamma), WORD(rank_interval),
      WORD(model_text), WORD(reml), WORD(ml), WORD(intercept_only), WORD(intercept),
      WORD(beta_item),

      // Notes under the small areas
      WORD(eblup_note), WORD(overlap_note), WORD(overlap_note_lower),

      // Methods
      WORD(methods_title), WORD(m_comparisons), WORD(m_comparisons_text), WORD(m_year),
      WORD(m_year_text),

      // Methods: the model
      WORD(m_model), WORD(m_fit), WORD(m_fit_text), WORD(m_truncated), WORD(m_residuals),
      WORD(m_residuals_text), WORD(m_mse), WORD(mse_reml), WORD(mse_ml), WORD(m_ranks),
      WORD(m_ranks_text), WORD(no_ranks), WORD(m_sources), WORD(sources)};
}
#undef WORD

}  // namespace

const CompareWords& compare_words(Language language) {
  static const CompareWords vietnamese = words_in("vi");
  static const CompareWords english = words_in("en");
  return language == Language::Vi ? vietnamese : english;
}

}  // namespace sipas::reports
