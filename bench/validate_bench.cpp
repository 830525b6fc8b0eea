// Validation throughput of the standard forms, single-threaded.
//
// Every workload is generated once, before any timing, from a fixed seed, and
// checked: each response must validate exactly as planned (valid, or invalid
// where a defect was put in), or the program aborts with the reason. The timed
// loop cycles through the workload with one reused Validator, as a server
// thread would. items_per_second is responses per second.
//
// The Read/Write cases time parse_response and response_to_json on the SIPAS
// citizen form's example response, and the same work on nlohmann's DOM as it
// was done before (the *Dom cases): compare the two in one run.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "questionnaires/validation.hpp"
#include "tests/support/response_dom_reference.hpp"

namespace {

using sipas::questionnaires::Questionnaire;
using sipas::questionnaires::Response;
using sipas::questionnaires::Validator;

constexpr std::size_t workload_size = 10'000;
constexpr std::uint64_t seed = 20240601;
constexpr double invalid_share = 0.10;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "validate_bench: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string describe(const sipas::questionnaires::ValidationResult& result) {
  if (result.ok()) return "no issue";
  const auto& issue = result.issues.front();
  return std::to_string(result.issues.size()) + " issue(s), first " + issue.id + " on '" +
         issue.item + "': " + issue.message;
}

Questionnaire load_standard(std::string_view name) {
  const auto* file = sipas::questionnaires::find_standard_file(name);
  if (file == nullptr) fail("no embedded standard file " + std::string(name));
  try {
    return sipas::questionnaires::load_questionnaire(file->content, name);
  } catch (const std::exception& e) {
    fail("cannot load " + std::string(name) + ": " + e.what());
  }
}

const Questionnaire& sipas_citizen() {
  static const Questionnaire q = load_standard("forms/sipas-citizen.json");
  return q;
}

const Questionnaire& par_officials() {
  static const Questionnaire q = load_standard("forms/par-officials.json");
  return q;
}

// Pre-generated, pre-checked responses to one questionnaire.
struct Workload {
  const Questionnaire* q = nullptr;
  std::vector<Response> responses;
  std::vector<bool> invalid_at;   // which responses must fail validation
  std::vector<std::string> json;  // the responses as documents (parse benchmarks)
  double answers_per_response = 0;
  double json_bytes_per_response = 0;
};

// Aborts unless every response validates as planned; returns the mean number
// of answers per response.
double check(const Workload& w) {
  Validator validator(*w.q);
  std::size_t answers = 0;
  for (std::size_t i = 0; i < w.responses.size(); ++i) {
    const auto& result = validator.validate(w.responses[i]);
    bool expect_invalid = !w.invalid_at.empty() && w.invalid_at[i];
    if (result.ok() == expect_invalid) {
      fail("response " + std::to_string(i) + " of " + w.q->id() + " should be " +
           (expect_invalid ? "invalid" : "valid") + " but has " + describe(result));
    }
    for (const auto& a : w.responses[i].answers)
      answers += !a.absent();
  }
  return static_cast<double>(answers) / static_cast<double>(w.responses.size());
}

Workload make_valid(const Questionnaire& q) {
  Workload w;
  w.q = &q;
  try {
    w.responses = sipas::questionnaires::generate_valid_responses(q, workload_size, seed);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  w.answers_per_response = check(w);
  return w;
}

Workload make_mixed(const Questionnaire& q) {
  Workload w;
  w.q = &q;
  try {
    auto mixed =
        sipas::questionnaires::generate_mixed_responses(q, workload_size, invalid_share, seed);
    w.responses = std::move(mixed.responses);
    w.invalid_at = std::move(mixed.invalid_at);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  w.answers_per_response = check(w);
  return w;
}

// The valid workload as JSON documents; each must read back to a response that
// validates the same way.
Workload make_json(const Workload& source) {
  Workload w = source;
  std::size_t bytes = 0;
  Validator validator(*w.q);
  w.json.reserve(w.responses.size());
  for (std::size_t i = 0; i < w.responses.size(); ++i) {
    w.json.push_back(sipas::questionnaires::response_to_json(*w.q, w.responses[i]));
    bytes += w.json.back().size();
    try {
      Response parsed = sipas::questionnaires::parse_response(*w.q, w.json.back());
      w.responses[i] = std::move(parsed);
    } catch (const std::exception& e) {
      fail("response " + std::to_string(i) + " does not parse back: " + e.what());
    }
  }
  w.answers_per_response = check(w);  // the parsed responses validate as the originals did
  w.json_bytes_per_response = static_cast<double>(bytes) / static_cast<double>(w.json.size());
  return w;
}

const Workload& citizen_valid() {
  static const Workload w = make_valid(sipas_citizen());
  return w;
}

const Workload& citizen_mixed() {
  static const Workload w = make_mixed(sipas_citizen());
  return w;
}

const Workload& citizen_json() {
  static const Workload w = make_json(citizen_valid());
  return w;
}

const Workload& par_valid() {
  static const Workload w = make_valid(par_officials());
  return w;
}

void report(benchmark::State& state, const Workload& w, std::size_t invalid) {
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("items = responses");
  state.counters["answers/resp"] = w.answers_per_response;
  state.counters["invalid_share"] =
      state.iterations() ? static_cast<double>(invalid) / static_cast<double>(state.iterations())
                         : 0;
}

// Validates the workload's responses in turn with one reused Validator.
void run_validate(benchmark::State& state, const Workload& w) {
  Validator validator(*w.q);
  const std::size_t n = w.responses.size();
  std::size_t i = 0, invalid = 0;
  for (auto _ : state) {
    const auto& result = validator.validate(w.responses[i]);
    invalid += !result.ok();
    if (++i == n) i = 0;
  }
  benchmark::DoNotOptimize(invalid);
  report(state, w, invalid);
}

void BM_ValidateSipasCitizen(benchmark::State& state) {
  run_validate(state, citizen_valid());
}

void BM_ValidateSipasCitizenWithErrors(benchmark::State& state) {
  run_validate(state, citizen_mixed());
}

void BM_ParseAndValidateSipasCitizen(benchmark::State& state) {
  const Workload& w = citizen_json();
  Validator validator(*w.q);
  const std::size_t n = w.json.size();
  std::size_t i = 0, invalid = 0;
  for (auto _ : state) {
    Response r = sipas::questionnaires::parse_response(*w.q, w.json[i]);
    invalid += !validator.validate(r).ok();
    if (++i == n) i = 0;
  }
  benchmark::DoNotOptimize(invalid);
  report(state, w, invalid);
  state.SetBytesProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations()) *
                                                    w.json_bytes_per_response));
}

void BM_ValidateParOfficials(benchmark::State& state) {
  run_validate(state, par_valid());
}

// parse_response and response_to_json as they were, on nlohmann's DOM (before
// 2d6adc6), for the ratio to the SAX reader and direct writer: the tests'
// reference (tests/support/response_dom_reference.hpp).
namespace dom {
constexpr auto parse = sipas::test::dom_reference::reference_parse;
constexpr auto to_json = sipas::test::dom_reference::reference_to_json;
}  // namespace dom

// The SIPAS citizen form's example response read and written back, as a
// submission does (parse_response, then response_to_json for the store).
// The DOM case is the same work done the old way; compare the two times.
std::string_view citizen_example() {
  const auto* file =
      sipas::questionnaires::find_standard_file("examples/responses/sipas-citizen-1.json");
  if (file == nullptr) fail("no embedded examples/responses/sipas-citizen-1.json");
  return file->content;
}

template <typename Parse, typename Write>
void run_read_write(benchmark::State& state, Parse parse, Write write, bool read, bool written) {
  const Questionnaire& q = sipas_citizen();
  const std::string_view text = citizen_example();
  const std::string expected =
      sipas::questionnaires::response_to_json(q, sipas::questionnaires::parse_response(q, text));
  if (write(q, parse(q, text)) != expected) fail("the two writers differ on the example");
  const Response parsed = parse(q, text);
  for (auto _ : state) {
    if (read && written) {
      std::string out = write(q, parse(q, text));
      benchmark::DoNotOptimize(out.data());
    } else if (read) {
      Response r = parse(q, text);
      benchmark::DoNotOptimize(r.answers.data());
    } else {
      std::string out = write(q, parsed);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ReadWriteCitizenExample(benchmark::State& state) {
  run_read_write(state, sipas::questionnaires::parse_response,
                 sipas::questionnaires::response_to_json, true, true);
}
void BM_ReadWriteCitizenExampleDom(benchmark::State& state) {
  run_read_write(state, dom::parse, dom::to_json, true, true);
}
void BM_ReadCitizenExample(benchmark::State& state) {
  run_read_write(state, sipas::questionnaires::parse_response,
                 sipas::questionnaires::response_to_json, true, false);
}
void BM_ReadCitizenExampleDom(benchmark::State& state) {
  run_read_write(state, dom::parse, dom::to_json, true, false);
}
void BM_WriteCitizenExample(benchmark::State& state) {
  run_read_write(state, sipas::questionnaires::parse_response,
                 sipas::questionnaires::response_to_json, false, true);
}
void BM_WriteCitizenExampleDom(benchmark::State& state) {
  run_read_write(state, dom::parse, dom::to_json, false, true);
}

}  // namespace

BENCHMARK(BM_ValidateSipasCitizen);
BENCHMARK(BM_ValidateSipasCitizenWithErrors);
BENCHMARK(BM_ParseAndValidateSipasCitizen);
BENCHMARK(BM_ValidateParOfficials);
BENCHMARK(BM_ReadWriteCitizenExample);
BENCHMARK(BM_ReadWriteCitizenExampleDom);
BENCHMARK(BM_ReadCitizenExample);
BENCHMARK(BM_ReadCitizenExampleDom);
BENCHMARK(BM_WriteCitizenExample);
BENCHMARK(BM_WriteCitizenExampleDom);

BENCHMARK_MAIN();
