// The words of replicate designs: the kinds a design can build
// (`replicates`), the types of replicate weights read from columns
// (`reptype`), and the replicate design a ReplicateMethod builds.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "analysis/error.hpp"
#include "analysis/replicate.hpp"
#include "io/enum_names.hpp"
#include "io/number_text.hpp"

namespace sipas::analysis {
namespace {

// The largest bootstrap of `replicates` bootstrap:R.
constexpr double max_bootstrap_replicates = 100000;

// The words of `reptype`, and R's names of the same types.
constexpr io::EnumName<ReplicateType> replicate_type_options[] = {
    {ReplicateType::JK1, "jk1"},
    {ReplicateType::JKn, "jkn"},
    {ReplicateType::Bootstrap, "bootstrap"},
    {ReplicateType::BRR, "brr"},
    {ReplicateType::Fay, "fay"},
    {ReplicateType::Other, "other"}};
constexpr io::EnumName<ReplicateType> replicate_type_r_names[] = {
    {ReplicateType::JK1, "JK1"},
    {ReplicateType::JKn, "JKn"},
    {ReplicateType::Bootstrap, "bootstrap"},
    {ReplicateType::BRR, "BRR"},
    {ReplicateType::Fay, "Fay"},
    {ReplicateType::Other, "other"}};

}  // namespace

std::optional<ReplicateType> replicate_type_from_string(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return io::enum_from_name(replicate_type_options, lower);
}

ReplicateType parse_replicate_type(std::string_view name) {
  if (auto type = replicate_type_from_string(name)) return *type;
  throw AnalysisError("analysis.invalid_option",
                      "`reptype` must be " + io::enum_names_text(replicate_type_options));
}

std::string to_string(ReplicateType type) {
  return io::enum_name(replicate_type_r_names, type);
}

std::string reptype_option(ReplicateType type) {
  return io::enum_name(replicate_type_options, type);
}

ReplicateMethod parse_replicate_method(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  const std::string_view argument =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  ReplicateMethod out;
  auto number = [&]() -> std::optional<double> {
    if (argument.empty()) return std::nullopt;
    double x = 0;
    auto [end, ec] = std::from_chars(argument.data(), argument.data() + argument.size(), x);
    if (ec != std::errc() || end != argument.data() + argument.size()) {
      throw AnalysisError("analysis.invalid_option", "`replicates` " + std::string(text) + ": '" +
                                                         std::string(argument) +
                                                         "' is not a number");
    }
    return x;
  };
  if (kind == "jk1" && argument.empty()) {
    out.kind = ReplicateMethod::Kind::JK1;
  } else if (kind == "jkn" && argument.empty()) {
    out.kind = ReplicateMethod::Kind::JKn;
  } else if (kind == "bootstrap") {
    out.kind = ReplicateMethod::Kind::Bootstrap;
    out.argument = number();
    const double count = out.argument.value_or(50);
    if (!(count >= 2 && count <= max_bootstrap_replicates && count == std::floor(count))) {
      throw AnalysisError("analysis.invalid_option",
                          "`replicates` bootstrap:R needs a whole R from 2 to 100000");
    }
  } else if (kind == "brr") {
    out.kind = ReplicateMethod::Kind::BRR;
    out.argument = number();
    const double fay = out.argument.value_or(0);
    if (!(fay >= 0 && fay < 1))
      throw AnalysisError("analysis.invalid_option", "Fay's rho must be in [0, 1)");
  } else {
    throw AnalysisError("analysis.invalid_option",
                        "`replicates` must be jk1, jkn, bootstrap[:R] or brr[:FAY]");
  }
  return out;
}

std::string to_string(const ReplicateMethod& method) {
  std::string text;
  switch (method.kind) {
    case ReplicateMethod::Kind::JK1:
      return "jk1";
    case ReplicateMethod::Kind::JKn:
      return "jkn";
    case ReplicateMethod::Kind::Bootstrap:
      text = "bootstrap";
      break;
    case ReplicateMethod::Kind::BRR:
      text = "brr";
      break;
  }
  return method.argument ? text + ":" + io::shortest_decimal(*method.argument) : text;
}

ReplicateDesign build_replicates(const Design& design, const ReplicateMethod& method,
                                 std::uint64_t seed) {
  switch (method.kind) {
    case ReplicateMethod::Kind::JK1:
      return ReplicateDesign::jk1(design);
    case ReplicateMethod::Kind::JKn:
      return ReplicateDesign::jkn(design);
    case ReplicateMethod::Kind::Bootstrap:
      return ReplicateDesign::bootstrap(design, method.bootstrap_replicates(), seed);
    case ReplicateMethod::Kind::BRR:
      break;
  }
  return ReplicateDesign::brr(design, method.fay_rho());
}

}  // namespace sipas::analysis
