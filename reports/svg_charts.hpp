#pragma once

// SVG charts for the HTML report: ranked bars with confidence-interval
// whiskers, the element profile of a unit against a reference, stacked bars
// of answer shares, and response-rate bars.
//
// Every chart is one <svg width="100%"> whose horizontal positions are
// percentages of its width and whose vertical positions and font sizes are
// pixels, so it reflows from a phone to a laptop with text at its real size
// and without a script. Labels sit above their bar (wrapped to whole words),
// so a long element name does not squeeze the plot. Each chart has
// role="img", an aria-label, <title> and <desc>; every text is escaped.
//
// The plot area carries data-axis-min/-max and data-x-from/-to (percent), and
// each row its values as data attributes, so a test or a reader can check a
// mark's position against the number it stands for.

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "reports/language.hpp"

namespace sipas::reports {

inline constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

// The value axis: values from `min` to `max` drawn from `from` to `to`
// percent of the chart's width.
struct Axis {
  double min = 0, max = 100;
  double from = 0, to = 97;  // room on the right for a whisker's cap at max
  std::vector<double> ticks{0, 20, 40, 60, 80, 100};

  // The position of `value` in percent of the width, clamped to the axis.
  double x(double value) const;
};

// Text and numbers common to every chart.
struct ChartFrame {
  std::string title;        // accessible name (aria-label and <title>)
  std::string description;  // <desc>: how to read the chart
  Language language = Language::Vi;
  int decimals = 1;    // of the values printed on the chart
  std::string suffix;  // after printed values, e.g. "%"
  Axis axis;
};

struct IntervalBar {
  std::string label;
  double value = no_value, low = no_value, high = no_value;  // no_value: none drawn
  std::string key;  // data-key of the row (e.g. the unit's code); empty: none
};

// Horizontal bars from the axis minimum to the value, with a whisker from
// `low` to `high` and a dashed reference line (e.g. the province's value).
// With `ranked`, bars are drawn from the highest value down (missing values
// last; ties keep their order) and numbered with `ranks` (1-based, same
// order as the bars before sorting; computed by the caller so that ties at the
// printed precision share a rank).
struct BarChart {
  ChartFrame frame;
  std::vector<IntervalBar> bars;
  bool ranked = false;
  std::vector<int> ranks;
  std::optional<double> reference;
  std::string reference_label;
};
std::string bar_chart_svg(const BarChart& chart);

// One element of a profile: the unit's value with its interval, and the
// reference (province) value.
struct ProfileRow {
  std::string label;
  double value = no_value, low = no_value, high = no_value;
  double reference = no_value;
};

// A dot with a whisker for the unit, a vertical tick for the reference, per
// element.
struct ProfileChart {
  ChartFrame frame;
  std::vector<ProfileRow> rows;
};
std::string profile_chart_svg(const ProfileChart& chart);

// Stacked shares of one item's answers (each row sums to about 100).
struct StackedRow {
  std::string label;
  std::vector<double> shares;  // per category, in percent; no_value counts as 0
  std::string key;
};
struct StackedChart {
  ChartFrame frame;  // axis and suffix unused: the bar is 0-100%
  std::vector<std::string> categories;
  std::vector<std::string> colors;  // per category, "#rrggbb"
  std::vector<StackedRow> rows;
};
std::string stacked_chart_svg(const StackedChart& chart);

// Fieldwork of one stratum: a light bar for the open rate behind a dark bar
// for the response rate, both in percent.
struct RateBar {
  std::string label;
  double response_rate = no_value, open_rate = no_value;
  double responded = 0, invited = 0;
};
struct RateChart {
  ChartFrame frame;
  std::vector<RateBar> bars;
  std::optional<double> reference;  // the overall response rate
  std::string reference_label;
};
std::string rate_chart_svg(const RateChart& chart);

// `n` colours from an unfavourable red through a neutral grey to a favourable
// blue, for answer scales listed from worst to best (colour-blind safe).
std::vector<std::string> diverging_colors(std::size_t n);
// `n` shades from light to dark blue, for answers with no better or worse end.
std::vector<std::string> sequential_colors(std::size_t n);
inline constexpr const char* excluded_color = "#b8bcc4";  // "don't know", not applicable

// `text` broken at spaces into lines of at most `width` characters (code
// points); a word longer than a line is cut; past `max_lines` the last line
// ends with an ellipsis.
std::vector<std::string> wrap_text(const std::string& text, std::size_t width,
                                   std::size_t max_lines);

}  // namespace sipas::reports
