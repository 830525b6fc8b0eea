#pragma once

// Internal to analysis/nonresponse.cpp: the weighting classes of the fielded
// cases and their collapsing by the stated rule (analysis/README.md,
// "Nonresponse adjustment", Classes).

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/nonresponse.hpp"

namespace sipas::analysis::nonresponse_detail {

inline constexpr auto respondent = static_cast<std::size_t>(Disposition::Respondent);
inline constexpr auto nonrespondent = static_cast<std::size_t>(Disposition::Nonrespondent);
inline constexpr auto ineligible = static_cast<std::size_t>(Disposition::Ineligible);
inline constexpr auto unknown = static_cast<std::size_t>(Disposition::Unknown);

// A number in messages (6 significant digits).
std::string number(double x);
// "sample.csv:12": a row's file and line, for messages.
std::string at(const Table& t, std::size_t row);

// The classes of the fielded cases before collapsing: each case's class, and
// the classes' labels in class order (column by column; a column whose values
// are all numbers in numeric order, others in byte order).
struct RawClasses {
  std::vector<std::uint32_t> of_case;
  std::vector<std::string> labels;
  std::vector<std::size_t> first_row;  // of each class, for messages
};
// Throws AnalysisError weights.missing_column, weights.missing_value.
RawClasses raw_classes(const Table& data, const std::vector<std::string>& columns);

// Counts and design-weight sums of a set of raw classes.
struct GroupStats {
  std::size_t count[4] = {0, 0, 0, 0};
  double sum[4] = {0, 0, 0, 0};
  double factor() const {
    const double eligible = sum[respondent] + sum[nonrespondent];
    if (eligible == 0) return 1;
    return eligible / sum[respondent];  // infinity without respondents
  }
  std::optional<double> rate() const {
    const double eligible = sum[respondent] + sum[nonrespondent];
    if (eligible == 0) return std::nullopt;
    return sum[respondent] / eligible;
  }
};

struct Group {
  std::vector<std::uint32_t> members;  // raw classes, in order
  GroupStats stats;
};

// The members' labels joined by " + ".
std::string label_of(const Group& g, const RawClasses& raw);
// Why a class fails the rule, or nullopt.
std::optional<std::string> failure(const GroupStats& s, const NonresponseOptions& o);

struct Collapsing {
  std::vector<Group> groups;
  std::vector<CollapsedClass> collapsed;
};
// The classes after collapsing by the rule (none with o.collapse false).
Collapsing collapse(const RawClasses& raw, const std::vector<Disposition>& disposition,
                    const Eigen::VectorXd& w, const NonresponseOptions& o);

}  // namespace sipas::analysis::nonresponse_detail
