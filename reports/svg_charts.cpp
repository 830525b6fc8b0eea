#include "reports/svg_charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "io/html_escape.hpp"
#include "reports/html_format.hpp"

namespace sipas::reports {
namespace {

// Vertical layout in pixels; horizontal positions are percentages.
constexpr double font_size = 13;
constexpr double small_font_size = 11.5;
constexpr double line_height = 17;
constexpr double baseline = 13;      // from the top of a text line
constexpr double gap_above_bar = 3;  // between a label and its bar
constexpr double bar_height = 14;
constexpr double stacked_bar_height = 20;
constexpr double row_gap = 12;
constexpr double top_plain = 6;          // above the first row
constexpr double top_reference = 24;     // ... when a reference label sits there
constexpr double tick_label_space = 24;  // below the plot
constexpr double cap_half = 5;           // half the height of a whisker's cap

// Label widths in characters (about 6.5 pixels each at 13 px), so that a
// label and the value printed at the right of its first line share a
// 360-pixel phone screen: "80,1" needs about 6 characters of room, a profile's
// "81,8 / 67,2" about 14.
constexpr std::size_t label_width_with_value = 44;
constexpr std::size_t label_width_with_pair = 34;
constexpr std::size_t label_width_alone = 50;
constexpr std::size_t label_lines = 3;
// Item texts are long; past this the full text is in the row's <title>.
constexpr std::size_t stacked_label_lines = 4;

// Shares below this (percent of the bar) get no printed number: it would not fit.
constexpr double min_labelled_share = 6;

constexpr const char* font_family =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, "
    "sans-serif";
constexpr const char* text_color = "#1f2937";
constexpr const char* muted_color = "#5b6472";
constexpr const char* grid_color = "#e3e6ea";
constexpr const char* bar_color = "#3d6fb4";
constexpr const char* light_bar_color = "#c9d8ee";
constexpr const char* whisker_color = "#111827";
constexpr const char* reference_color = "#b45309";
constexpr const char* dot_color = "#1d4ed8";

std::string pct(double x) {
  return svg_number(x, 3) + "%";
}
std::string px(double y) {
  return svg_number(y, 1);
}
std::string num(double v) {
  return std::isfinite(v) ? svg_number(v, 6) : std::string("");
}

void attribute(std::string& out, const char* name, const std::string& value) {
  out += ' ';
  out += name;
  out += "=\"";
  io::append_html(out, value);
  out += '"';
}

// A white outline under a text, so a reference line behind it does not cross
// its letters.
constexpr const char* halo =
    " stroke=\"#ffffff\" stroke-width=\"4\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

void text(std::string& out, const std::string& x, double y, const std::string& content,
          const char* css_class, const char* anchor = "start", const char* fill = text_color,
          double size = font_size, const char* weight = nullptr, const char* extra = "") {
  out += "<text";
  attribute(out, "class", css_class);
  attribute(out, "x", x);
  attribute(out, "y", px(y));
  if (std::string(anchor) != "start") attribute(out, "text-anchor", anchor);
  attribute(out, "fill", fill);
  if (size != font_size) attribute(out, "font-size", svg_number(size, 1));
  if (weight) attribute(out, "font-weight", weight);
  out += extra;
  out += '>';
  io::append_html(out, content);
  out += "</text>";
}

void line(std::string& out, const char* css_class, const std::string& x1, double y1,
          const std::string& x2, double y2, const char* stroke, double width,
          const char* dash = nullptr) {
  out += "<line";
  attribute(out, "class", css_class);
  attribute(out, "x1", x1);
  attribute(out, "y1", px(y1));
  attribute(out, "x2", x2);
  attribute(out, "y2", px(y2));
  attribute(out, "stroke", stroke);
  attribute(out, "stroke-width", svg_number(width, 1));
  if (dash) attribute(out, "stroke-dasharray", dash);
  out += "/>";
}

void rect(std::string& out, const char* css_class, double x, double y, double width, double height,
          const std::string& fill) {
  out += "<rect";
  attribute(out, "class", css_class);
  attribute(out, "x", pct(x));
  attribute(out, "y", px(y));
  attribute(out, "width", pct(std::max(0.0, width)));
  attribute(out, "height", px(height));
  attribute(out, "fill", fill);
  out += "/>";
}

std::string printed(double v, const ChartFrame& frame) {
  if (!std::isfinite(v)) return missing_value_text;
  return format_number(v, frame.decimals, frame.language) + frame.suffix;
}

// The <svg> element around a finished body.
std::string wrap_svg(const ChartFrame& frame, const char* kind, double height,
                     const std::string& body) {
  std::string out = "<svg";
  attribute(out, "class", std::string("chart ") + kind);
  out += " xmlns=\"http://www.w3.org/2000/svg\"";
  attribute(out, "width", "100%");
  attribute(out, "height", px(height));
  attribute(out, "role", "img");
  attribute(out, "aria-label", frame.title);
  attribute(out, "font-family", font_family);
  attribute(out, "font-size", svg_number(font_size, 0));
  out += " style=\"display:block;overflow:hidden\"><title>";
  io::append_html(out, frame.title);
  out += "</title>";
  if (!frame.description.empty()) {
    out += "<desc>";
    io::append_html(out, frame.description);
    out += "</desc>";
  }
  out += body;
  out += "</svg>";
  return out;
}

// Rows of labels above bars, on a common value axis with a grid; each chart
// draws its own marks in a row's bar band.
class RowLayout {
 public:
  RowLayout(const ChartFrame& frame, bool reference) : frame_(frame) {
    top_ = y_ = reference ? top_reference : top_plain;
  }

  // Writes a row's label lines and, at the right of the first line, the
  // value (SVG text content, already escaped); returns the top of its bar band.
  double begin_row(std::string& out, const std::string& label, const std::string& value_markup,
                   std::size_t width, double band_height, std::size_t max_lines = label_lines) {
    auto lines = wrap_text(label, width, max_lines);
    if (lines.empty()) lines.emplace_back();
    out += "<title>";
    io::append_html(out, label);
    out += "</title>";
    for (std::size_t i = 0; i < lines.size(); ++i)
      text(out, "0%", y_ + baseline + line_height * static_cast<double>(i), lines[i], "label",
           "start", text_color, font_size, nullptr, halo);
    if (!value_markup.empty()) {
      out += "<text class=\"value\" x=\"100%\"";
      attribute(out, "y", px(y_ + baseline));
      out += " text-anchor=\"end\" font-weight=\"600\"";
      attribute(out, "fill", text_color);
      out += halo;
      out += '>' + value_markup + "</text>";
    }
    const double band = y_ + line_height * static_cast<double>(lines.size()) + gap_above_bar;
    y_ = band + band_height + row_gap;
    return band;
  }

  double top() const { return top_; }
  double plot_bottom() const { return y_ - row_gap + 4; }

  // Grid lines behind the rows (written first) and tick labels below.
  std::string grid(double bottom) const {
    std::string out = "<g class=\"grid\">";
    for (double t : frame_.axis.ticks)
      line(out, "gridline", pct(frame_.axis.x(t)), top_ - 4, pct(frame_.axis.x(t)), bottom,
           grid_color, 1);
    out += "</g>";
    return out;
  }
  std::string tick_labels(double bottom) const {
    std::string out = "<g class=\"ticks\">";
    const auto& ticks = frame_.axis.ticks;
    for (std::size_t i = 0; i < ticks.size(); ++i) {
      const char* anchor = i == 0 ? "start" : i + 1 == ticks.size() ? "end" : "middle";
      // The last label ends at the plot's right edge, not past the chart.
      const double x = i + 1 == ticks.size() ? std::min(100.0, frame_.axis.x(ticks[i]) + 1.5)
                                             : frame_.axis.x(ticks[i]);
      text(out, pct(x), bottom + 16, format_number(ticks[i], 0, frame_.language) + frame_.suffix,
           "tick", anchor, muted_color, small_font_size);
    }
    out += "</g>";
    return out;
  }

  // The opening tag of the plot group, with the axis as data attributes.
  std::string plot_open() const {
    std::string out = "<g class=\"plot\"";
    attribute(out, "data-axis-min", num(frame_.axis.min));
    attribute(out, "data-axis-max", num(frame_.axis.max));
    attribute(out, "data-x-from", num(frame_.axis.from));
    attribute(out, "data-x-to", num(frame_.axis.to));
    out += '>';
    return out;
  }

  // The reference line, drawn behind the rows (their texts have a halo); each
  // row then draws reference_over() on top of its bar.
  void reference(std::string& out, double value, const std::string& label, double bottom) const {
    const double x = frame_.axis.x(value);
    out += "<g class=\"reference\"";
    attribute(out, "data-value", num(value));
    out += '>';
    line(out, "reference-line", pct(x), top_ - 6, pct(x), bottom, reference_color, 1.5, "5 3");
    const char* anchor = x < 15 ? "start" : x > 85 ? "end" : "middle";
    text(out, pct(x), top_ - 10, label, "reference-label", anchor, reference_color, small_font_size,
         "600");
    out += "</g>";
  }
  void reference_over(std::string& out, double value, double band, double height) const {
    const std::string x = pct(frame_.axis.x(value));
    line(out, "reference-over", x, band - 3, x, band + height + 3, reference_color, 1.5, "5 3");
  }

 private:
  const ChartFrame& frame_;
  double top_ = 0, y_ = 0;
};

void row_open(std::string& out, const char* css_class,
              std::initializer_list<std::pair<const char*, std::string>> data) {
  out += "<g";
  attribute(out, "class", css_class);
  for (const auto& [name, value] : data) {
    if (!value.empty()) attribute(out, name, value);
  }
  out += '>';
}

void whisker(std::string& out, const Axis& axis, double low, double high, double middle) {
  if (!std::isfinite(low) || !std::isfinite(high)) return;
  const std::string x1 = pct(axis.x(low)), x2 = pct(axis.x(high));
  line(out, "whisker", x1, middle, x2, middle, whisker_color, 1.5);
  line(out, "cap", x1, middle - cap_half, x1, middle + cap_half, whisker_color, 1.5);
  line(out, "cap", x2, middle - cap_half, x2, middle + cap_half, whisker_color, 1.5);
}

struct Rgb {
  double r, g, b;
};

Rgb parse_hex(const char* hex) {
  unsigned r = 0, g = 0, b = 0;
  std::sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b);
  return {static_cast<double>(r), static_cast<double>(g), static_cast<double>(b)};
}

// Dark text on light segments, white on dark ones (relative luminance).
const char* text_on(const std::string& hex) {
  if (hex.size() != 7 || hex[0] != '#') return text_color;
  const Rgb c = parse_hex(hex.c_str());
  const double luminance = (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255;
  return luminance < 0.55 ? "#ffffff" : text_color;
}

// `text` split into code points (invalid bytes are escaped later), so that
// a Vietnamese letter counts as one character.
std::vector<std::string> code_points(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t len = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    out.push_back(text.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

double Axis::x(double value) const {
  if (!std::isfinite(value) || !(max > min)) return from;
  const double clamped = std::clamp(value, min, max);
  return from + (clamped - min) / (max - min) * (to - from);
}

std::vector<std::string> wrap_text(const std::string& text, std::size_t width,
                                   std::size_t max_lines) {
  const std::vector<std::string> chars = code_points(text);
  std::vector<std::string> lines;
  std::size_t i = 0;
  const std::size_t n = chars.size();
  width = std::max<std::size_t>(width, 1);
  while (i < n && lines.size() < max_lines) {
    while (i < n && chars[i] == " ")
      ++i;
    if (i == n) break;
    std::size_t end = std::min(n, i + width);
    if (end < n && chars[end] != " ") {
      std::size_t space = end;
      while (space > i && chars[space] != " ")
        --space;
      if (space > i) end = space;  // else: one word longer than the line, cut
    }
    std::string current;
    for (std::size_t k = i; k < end; ++k)
      current += chars[k];
    while (!current.empty() && current.back() == ' ')
      current.pop_back();
    lines.push_back(current);
    i = end;
  }
  while (i < n && chars[i] == " ")
    ++i;
  if (i < n && !lines.empty()) {
    // Text left over: end the last line with an ellipsis within the width.
    std::string& last = lines.back();
    std::vector<std::string> last_chars = code_points(last);
    while (last_chars.size() + 1 > width && !last_chars.empty())
      last_chars.pop_back();
    while (!last_chars.empty() && last_chars.back() == " ")
      last_chars.pop_back();
    last.clear();
    for (const auto& c : last_chars)
      last += c;
    last += "\xE2\x80\xA6";  // …
  }
  return lines;
}

namespace {

// `n` colours spread evenly along a ramp through `anchors`.
template <std::size_t N>
std::vector<std::string> ramp(const std::array<const char*, N>& anchors, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = n == 1 ? 1.0 : static_cast<double>(i) / static_cast<double>(n - 1);
    const double position = t * static_cast<double>(N - 1);
    const std::size_t k = std::min(N - 2, static_cast<std::size_t>(position));
    const double f = position - static_cast<double>(k);
    const Rgb a = parse_hex(anchors[k]), b = parse_hex(anchors[k + 1]);
    char hex[8];
    std::snprintf(hex, sizeof hex, "#%02x%02x%02x",
                  static_cast<unsigned>(std::lround(a.r + (b.r - a.r) * f)),
                  static_cast<unsigned>(std::lround(a.g + (b.g - a.g) * f)),
                  static_cast<unsigned>(std::lround(a.b + (b.b - a.b) * f)));
    out.emplace_back(hex);
  }
  return out;
}

}  // namespace

std::vector<std::string> diverging_colors(std::size_t n) {
  // ColorBrewer RdBu (5 classes), read as a continuous ramp.
  return ramp(std::array<const char*, 5>{"#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"}, n);
}

std::vector<std::string> sequential_colors(std::size_t n) {
  // ColorBrewer Blues, from its third class (lighter ones vanish on white).
  return ramp(std::array<const char*, 3>{"#c6dbef", "#6baed6", "#08519c"}, n);
}

std::string bar_chart_svg(const BarChart& chart) {
  const ChartFrame& f = chart.frame;
  std::vector<std::size_t> order(chart.bars.size());
  std::iota(order.begin(), order.end(), 0);
  if (chart.ranked) {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double va = chart.bars[a].value, vb = chart.bars[b].value;
      if (std::isfinite(va) != std::isfinite(vb)) return std::isfinite(va);
      return std::isfinite(va) && va > vb;
    });
  }
  const bool has_reference = chart.reference && std::isfinite(*chart.reference);
  RowLayout layout(f, has_reference);
  std::string rows;
  for (std::size_t position = 0; position < order.size(); ++position) {
    const std::size_t i = order[position];
    const IntervalBar& bar = chart.bars[i];
    std::string label = bar.label;
    std::string rank;
    if (chart.ranked && i < chart.ranks.size() && chart.ranks[i] > 0) {
      rank = std::to_string(chart.ranks[i]);
      label = rank + ". " + label;
    }
    row_open(rows, "row",
             {{"data-key", bar.key},
              {"data-label", bar.label},
              {"data-rank", rank},
              {"data-value", num(bar.value)},
              {"data-low", num(bar.low)},
              {"data-high", num(bar.high)}});
    const double band = layout.begin_row(rows, label, io::escape_html(printed(bar.value, f)),
                                         label_width_with_value, bar_height);
    if (std::isfinite(bar.value)) {
      const double x0 = f.axis.x(f.axis.min);
      rect(rows, "bar", x0, band, f.axis.x(bar.value) - x0, bar_height, bar_color);
    }
    if (has_reference) layout.reference_over(rows, *chart.reference, band, bar_height);
    whisker(rows, f.axis, bar.low, bar.high, band + bar_height / 2);
    rows += "</g>";
  }
  const double bottom = layout.plot_bottom();
  std::string body = layout.plot_open() + layout.grid(bottom);
  if (has_reference) layout.reference(body, *chart.reference, chart.reference_label, bottom);
  body += rows + layout.tick_labels(bottom) + "</g>";
  return wrap_svg(f, "chart-bars", bottom + tick_label_space, body);
}

std::string profile_chart_svg(const ProfileChart& chart) {
  const ChartFrame& f = chart.frame;
  RowLayout layout(f, false);
  std::string rows;
  for (const ProfileRow& row : chart.rows) {
    row_open(rows, "row",
             {{"data-label", row.label},
              {"data-value", num(row.value)},
              {"data-low", num(row.low)},
              {"data-high", num(row.high)},
              {"data-reference", num(row.reference)}});
    // The unit's value, then the reference's in its colour.
    std::string value = io::escape_html(printed(row.value, f));
    value += "<tspan class=\"reference-value\" font-weight=\"400\"";
    attribute(value, "fill", reference_color);
    value += "> / " + io::escape_html(printed(row.reference, f)) + "</tspan>";
    const double band = layout.begin_row(rows, row.label, value, label_width_with_pair, bar_height);
    const double middle = band + bar_height / 2;
    if (std::isfinite(row.reference)) {
      const std::string x = pct(f.axis.x(row.reference));
      line(rows, "reference-mark", x, middle - 9, x, middle + 9, reference_color, 3);
    }
    whisker(rows, f.axis, row.low, row.high, middle);
    if (std::isfinite(row.value)) {
      rows += "<circle class=\"dot\"";
      attribute(rows, "cx", pct(f.axis.x(row.value)));
      attribute(rows, "cy", px(middle));
      rows += " r=\"5.5\"";
      attribute(rows, "fill", dot_color);
      rows += " stroke=\"#ffffff\" stroke-width=\"1.5\"/>";
    }
    rows += "</g>";
  }
  const double bottom = layout.plot_bottom();
  std::string body =
      layout.plot_open() + layout.grid(bottom) + rows + layout.tick_labels(bottom) + "</g>";
  return wrap_svg(f, "chart-profile", bottom + tick_label_space, body);
}

std::string stacked_chart_svg(const StackedChart& chart) {
  ChartFrame f = chart.frame;
  f.axis = Axis{0, 100, 0, 100, {0, 25, 50, 75, 100}};
  f.suffix = "%";
  RowLayout layout(f, false);
  std::string rows;
  for (const StackedRow& row : chart.rows) {
    row_open(rows, "row", {{"data-key", row.key}, {"data-label", row.label}});
    const double band = layout.begin_row(rows, row.label, "", label_width_alone, stacked_bar_height,
                                         stacked_label_lines);
    double total = 0;
    for (double s : row.shares)
      total += std::isfinite(s) && s > 0 ? s : 0;
    // Shares are drawn to fill the bar exactly (they sum to 100 up to rounding).
    const double scale = total > 0 ? 100 / total : 0;
    double x = 0;
    for (std::size_t c = 0; c < row.shares.size(); ++c) {
      const double share = std::isfinite(row.shares[c]) && row.shares[c] > 0 ? row.shares[c] : 0;
      if (share <= 0) continue;
      const double width = share * scale;
      const std::string color = c < chart.colors.size() ? chart.colors[c] : excluded_color;
      rows += "<g class=\"segment\"";
      attribute(rows, "data-category", c < chart.categories.size() ? chart.categories[c] : "");
      attribute(rows, "data-share", num(row.shares[c]));
      rows += "><title>";
      io::append_html(rows, (c < chart.categories.size() ? chart.categories[c] : "") + ": " +
                                format_percent(row.shares[c], f.decimals, f.language));
      rows += "</title>";
      rect(rows, "share", x, band, width, stacked_bar_height, color);
      if (width >= min_labelled_share) {
        text(rows, pct(x + width / 2), band + stacked_bar_height / 2 + 4,
             format_number(row.shares[c], 0, f.language), "share-label", "middle", text_on(color),
             small_font_size);
      }
      rows += "</g>";
      x += width;
    }
    rows += "</g>";
  }
  const double bottom = layout.plot_bottom();
  std::string body =
      layout.plot_open() + layout.grid(bottom) + rows + layout.tick_labels(bottom) + "</g>";
  return wrap_svg(f, "chart-stacked", bottom + tick_label_space, body);
}

std::string rate_chart_svg(const RateChart& chart) {
  const ChartFrame& f = chart.frame;
  const bool has_reference = chart.reference && std::isfinite(*chart.reference);
  RowLayout layout(f, has_reference);
  std::string rows;
  for (const RateBar& bar : chart.bars) {
    row_open(rows, "row",
             {{"data-label", bar.label},
              {"data-value", num(bar.response_rate)},
              {"data-open", num(bar.open_rate)}});
    std::string value = printed(bar.response_rate, f) + " (" +
                        format_count(bar.responded, f.language) + "/" +
                        format_count(bar.invited, f.language) + ")";
    const double band = layout.begin_row(rows, bar.label, io::escape_html(value),
                                         label_width_with_value - 8, bar_height);
    const double x0 = f.axis.x(f.axis.min);
    if (std::isfinite(bar.open_rate))
      rect(rows, "open-bar", x0, band, f.axis.x(bar.open_rate) - x0, bar_height, light_bar_color);
    if (std::isfinite(bar.response_rate))
      rect(rows, "bar", x0, band + 3, f.axis.x(bar.response_rate) - x0, bar_height - 6, bar_color);
    if (has_reference) layout.reference_over(rows, *chart.reference, band, bar_height);
    rows += "</g>";
  }
  const double bottom = layout.plot_bottom();
  std::string body = layout.plot_open() + layout.grid(bottom);
  if (has_reference) layout.reference(body, *chart.reference, chart.reference_label, bottom);
  body += rows + layout.tick_labels(bottom) + "</g>";
  return wrap_svg(f, "chart-rates", bottom + tick_label_space, body);
}

}  // namespace sipas::reports
