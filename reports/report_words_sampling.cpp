#include "reports/report_words.hpp"

#include "texts/texts.hpp"

namespace sipas::reports {
namespace {

// Each word is the catalogue's "report.sampling.<field>" (texts/vi.json, texts/en.json).
// Designated initializers in order: -Wmissing-field-initializers stops the
// build when a field is left out, and a key missing from a catalogue throws
// texts.missing_key (tests/texts/ checks that none is).
#define WORD(field) .field = texts::text(code, "report.sampling." #field)
#define NOUN(field)                                              \
  .field = {texts::text(code, "report.sampling." #field ".one"), \
            texts::text(code, "report.sampling." #field ".many")}
SamplingWords words_in(std::string_view code) {
  return SamplingWords{
      WORD(sample_selection), WORD(frame), WORD(frame_text), WORD(strata), WORD(strata_text),
      WORD(no_strata), WORD(selection),

      // Methods (single-stage and per stage).
      WORD(srs), WORD(systematic), WORD(pps), WORD(pps_systematic), WORD(within_strata),
      WORD(sorted_by), WORD(size_by), WORD(size_rows), WORD(sampford), WORD(max_entropy),
      WORD(pps_mixed), WORD(pps_rule),

      // Allocation of a single-stage sample.
      WORD(alloc_proportional), WORD(alloc_equal), WORD(alloc_neyman), WORD(alloc_power),
      WORD(alloc_optimal), WORD(alloc_given), WORD(per_stratum), WORD(reserves_per_stratum),
      WORD(no_reserves),

      // Stages.
      WORD(stage_item), WORD(per_unit), WORD(reserves_per_unit), WORD(certain), WORD(or_word),
      NOUN(people), NOUN(province), NOUN(district), NOUN(commune), NOUN(village), NOUN(strata_noun),

      WORD(sample_size), WORD(sample_text), WORD(seed), WORD(seed_given), WORD(seed_drawn),
      WORD(generator), WORD(command),

      // The strata table.
      WORD(population), WORD(main), WORD(reserves), WORD(stage_units), WORD(strata_more)};
}
#undef WORD
#undef NOUN

}  // namespace

const SamplingWords& sampling_words(Language language) {
  static const SamplingWords vietnamese = words_in("vi");
  static const SamplingWords english = words_in("en");
  return language == Language::Vi ? vietnamese : english;
}

}  // namespace sipas::reports
