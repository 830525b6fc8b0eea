#include "analysis/scale_quality.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <sstream>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace q = sipas::questionnaires;

namespace {

using Json = nlohmann::json;

constexpr std::int32_t dont_know_level = -1;
constexpr std::int32_t missing_level = -2;

// A joint table of two items' answers is used while it has at most this many
// cells (Likert items have a handful of levels); beyond it, the rows are read
// twice instead.
constexpr std::size_t max_table_cells = 1 << 16;

std::optional<double> as_number(std::string_view text) {
  double x = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return x;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator))
    out.push_back(part);
  if (!text.empty() && text.back() == separator) out.emplace_back();
  return out;
}

// One item's answers: each level of its column is a value that counts (its
// index into `values`), a "don't know" or missing.
struct CodedItem {
  const Column* column = nullptr;
  std::vector<std::int32_t> index;  // per level
  std::vector<double> values;       // the values that count
  std::size_t valid = 0, dont_know = 0, missing = 0;
};

class DontKnow {
 public:
  explicit DontKnow(const std::vector<std::string>& codes) : texts_(codes) {
    for (const auto& c : codes) {
      if (auto x = as_number(c)) numbers_.push_back(*x);
    }
  }
  bool operator()(const std::string& text) const {
    if (std::find(texts_.begin(), texts_.end(), text) != texts_.end()) return true;
    auto x = as_number(text);
    return x && std::find(numbers_.begin(), numbers_.end(), *x) != numbers_.end();
  }

 private:
  std::vector<std::string> texts_;
  std::vector<double> numbers_;
};

std::size_t first_row_of_level(const Column& column, std::size_t level) {
  std::size_t row = 0;
  while (row < column.size() && column.code(row) != level)
    ++row;
  return row;
}

CodedItem code_item(const Table& data, const std::string& id, const ScaleCodes& codes,
                    const DontKnow& dont_know) {
  CodedItem out;
  const Column& column = data.column(id);
  out.column = &column;
  const q::Item* item = codes.questionnaire ? codes.questionnaire->find(id) : nullptr;
  if (item && !item->scale) item = nullptr;  // a number item: its values are its numbers
  const auto& levels = column.levels();
  out.index.assign(levels.size(), missing_level);
  auto where = [&](std::size_t level) {
    return data.source() + ":" + std::to_string(data.line_of(first_row_of_level(column, level)));
  };
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const std::string& text = levels[l];
    if (text.empty()) continue;
    if (dont_know(text)) {
      out.index[l] = dont_know_level;
      continue;
    }
    double value = 0;
    if (item) {
      // As the indices read an answer (indices.cpp): the code's text, or its number.
      std::optional<std::uint16_t> choice = item->scale->find(text);
      std::int64_t number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (!choice && ec == std::errc() && end == text.data() + text.size())
        choice = item->scale->find(number);
      if (!choice) {
        throw AnalysisError(
            "data.unknown_code",
            where(l) + ": item '" + id + "': '" + text.substr(0, 40) + "' is not one of its codes");
      }
      const bool excluded = item->scale->is_excluded(*choice) ||
                            (item->scoring && std::find(item->scoring->excluded.begin(),
                                                        item->scoring->excluded.end(),
                                                        *choice) != item->scoring->excluded.end());
      if (excluded) {
        out.index[l] = dont_know_level;
        continue;
      }
      const q::ChoiceCode& code = item->scale->choices[*choice].code;
      if (!code.is_number) {
        throw AnalysisError("scale.not_numeric", where(l) + ": item '" + id + "': code '" +
                                                     code.text.substr(0, 40) +
                                                     "' is not a number, and alpha needs scores");
      }
      value = static_cast<double>(code.number);
    } else {
      value = column.numbers_of_level(l);
      if (std::isnan(value)) {
        throw AnalysisError(
            "data.not_numeric",
            where(l) + ": column '" + id + "' must be a number, not '" + text.substr(0, 40) + "'");
      }
    }
    out.index[l] = static_cast<std::int32_t>(out.values.size());
    out.values.push_back(value);
  }
  std::vector<std::size_t> rows_of_level(levels.size(), 0);
  for (std::size_t i = 0; i < column.size(); ++i)
    ++rows_of_level[column.code(i)];
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const std::int32_t k = out.index[l];
    (k >= 0 ? out.valid : k == dont_know_level ? out.dont_know : out.missing) += rows_of_level[l];
  }
  return out;
}

// The covariance of two items over the rows that answer both (R's
// cov(use = "pairwise.complete.obs")), and the same with the design weights
// (R's svyvar on the design restricted to those rows):
//   unweighted  Σ (x − x̄)(y − ȳ) / (n − 1),
//   weighted    Σ w (x − x̄_w)(y − ȳ_w) / Σ w · n/(n − 1),
// the means taken over the same rows, n the rows with a nonzero weight for
// the weighted one. Two passes (means, then centred products) over the
// distinct answer pairs with their counts and weight sums.
struct PairCovariance {
  double unweighted = scale_not_available, weighted = scale_not_available;
};

struct Cell {
  double x, y, count, weight, nonzero;
};

template <class ForEachCell>
PairCovariance covariance_of_cells(ForEachCell&& for_each_cell) {
  double n = 0, sw = 0, nz = 0, sx = 0, sy = 0, swx = 0, swy = 0;
  for_each_cell([&](const Cell& c) {
    n += c.count;
    sw += c.weight;
    nz += c.nonzero;
    sx += c.count * c.x;
    sy += c.count * c.y;
    swx += c.weight * c.x;
    swy += c.weight * c.y;
  });
  PairCovariance out;
  if (n < 2) return out;
  const double mx = sx / n, my = sy / n;
  const double mwx = swx / sw, mwy = swy / sw;
  double s = 0, sws = 0;
  for_each_cell([&](const Cell& c) {
    s += c.count * (c.x - mx) * (c.y - my);
    sws += c.weight * (c.x - mwx) * (c.y - mwy);
  });
  out.unweighted = s / (n - 1);
  if (nz >= 2 && sw > 0) out.weighted = sws / sw * nz / (nz - 1);
  return out;
}

PairCovariance pair_covariance(const CodedItem& a, const CodedItem& b,
                               const Eigen::VectorXd& weights) {
  const std::size_t rows = a.column->size();
  const std::size_t va = a.values.size(), vb = b.values.size();
  const bool same = &a == &b;
  const std::size_t cells = same ? va : va * vb;
  if (cells <= max_table_cells) {
    std::vector<double> count(cells, 0), weight(cells, 0), nonzero(cells, 0);
    for (std::size_t i = 0; i < rows; ++i) {
      const std::int32_t ia = a.index[a.column->code(i)];
      if (ia < 0) continue;
      std::size_t cell = static_cast<std::size_t>(ia);
      if (!same) {
        const std::int32_t ib = b.index[b.column->code(i)];
        if (ib < 0) continue;
        cell = cell * vb + static_cast<std::size_t>(ib);
      }
      const double w = weights[static_cast<Eigen::Index>(i)];
      count[cell] += 1;
      weight[cell] += w;
      nonzero[cell] += w != 0 ? 1 : 0;
    }
    return covariance_of_cells([&](auto&& visit) {
      for (std::size_t cell = 0; cell < cells; ++cell) {
        if (count[cell] == 0) continue;
        const double x = a.values[same ? cell : cell / vb];
        const double y = same ? x : b.values[cell % vb];
        visit(Cell{x, y, count[cell], weight[cell], nonzero[cell]});
      }
    });
  }
  return covariance_of_cells([&](auto&& visit) {
    for (std::size_t i = 0; i < rows; ++i) {
      const std::int32_t ia = a.index[a.column->code(i)];
      const std::int32_t ib = b.index[b.column->code(i)];
      if (ia < 0 || ib < 0) continue;
      const double w = weights[static_cast<Eigen::Index>(i)];
      visit(Cell{a.values[static_cast<std::size_t>(ia)], b.values[static_cast<std::size_t>(ib)], 1,
                 w, w != 0 ? 1.0 : 0.0});
    }
  });
}

Eigen::MatrixXd without(const Eigen::MatrixXd& m, Eigen::Index drop) {
  const Eigen::Index k = m.rows();
  Eigen::MatrixXd out(k - 1, k - 1);
  for (Eigen::Index i = 0, r = 0; i < k; ++i) {
    if (i == drop) continue;
    for (Eigen::Index j = 0, c = 0; j < k; ++j) {
      if (j == drop) continue;
      out(r, c++) = m(i, j);
    }
    ++r;
  }
  return out;
}

double finite_or_nan(double x) {
  return std::isfinite(x) ? x : scale_not_available;
}

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

}  // namespace

ScaleRequest parse_scale(const std::string& text) {
  auto bad = [&](const std::string& why) {
    throw AnalysisError("analysis.invalid_option", "`scales` " + text + ": " + why);
  };
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) bad("write NAME=ITEM,ITEM[,...]");
  ScaleRequest s;
  s.name = text.substr(0, eq);
  s.items = split(text.substr(eq + 1), ',');
  std::set<std::string> seen;
  for (const auto& item : s.items) {
    if (item.empty()) bad("an item name is empty");
    if (!seen.insert(item).second) bad("item '" + item + "' is listed twice");
  }
  if (s.items.size() < 2) bad("a scale needs at least two items");
  return s;
}

std::vector<ScaleRequest> element_scales(const q::Questionnaire& form) {
  std::vector<ScaleRequest> out;
  for (const auto& element : form.scoring().elements) {
    ScaleRequest s;
    s.name = element.id;
    s.source = ScaleRequest::Source::Element;
    for (const auto& item : form.items()) {
      if (item.scoring && item.scoring->element == element.id) s.items.push_back(item.id);
    }
    if (s.items.empty() && element.method == q::Element::Method::Item && !element.item.empty())
      s.items.push_back(element.item);
    if (!s.items.empty()) out.push_back(std::move(s));
  }
  return out;
}

double cronbach_alpha(const Eigen::MatrixXd& c) {
  const auto k = static_cast<double>(c.rows());
  if (c.rows() < 2 || c.hasNaN()) return scale_not_available;
  return finite_or_nan(k / (k - 1) * (1 - c.trace() / c.sum()));
}

double standardized_alpha(const Eigen::MatrixXd& c) {
  const auto k = static_cast<double>(c.rows());
  if (c.rows() < 2 || c.hasNaN()) return scale_not_available;
  // R's cov2cor: C_ij / √(C_ii C_jj), with a diagonal of exactly 1.
  const Eigen::VectorXd scale = c.diagonal().cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd r = scale.asDiagonal() * c * scale.asDiagonal();
  r.diagonal().setOnes();
  return finite_or_nan(k / (k - 1) * (1 - k / r.sum()));
}

ScaleQuality scale_quality(const Table& data, const Eigen::VectorXd& weights,
                           const ScaleRequest& scale, const ScaleCodes& codes) {
  ScaleQuality out;
  out.name = scale.name;
  out.source = scale.source;
  out.rows = data.rows();
  const DontKnow dont_know(codes.dont_know);
  std::vector<CodedItem> coded;
  for (const auto& id : scale.items)
    coded.push_back(code_item(data, id, codes, dont_know));
  const double rows = static_cast<double>(data.rows());
  // psych::alpha deletes an item without variance (sd NA or 0) before anything else.
  std::vector<std::size_t> kept;
  for (std::size_t j = 0; j < coded.size(); ++j) {
    ItemQuality q;
    q.item = scale.items[j];
    q.valid = coded[j].valid;
    if (rows > 0) {
      q.dont_know_share = static_cast<double>(coded[j].dont_know) / rows;
      q.missing_share = static_cast<double>(coded[j].missing) / rows;
    }
    const double variance = pair_covariance(coded[j], coded[j], weights).unweighted;
    q.no_variance = !(variance > 0);
    if (!q.no_variance) kept.push_back(j);
    out.items.push_back(std::move(q));
  }
  const auto k = static_cast<Eigen::Index>(kept.size());
  if (k < 2) return out;
  Eigen::MatrixXd c(k, k), s(k, k);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index j = 0; j <= i; ++j) {
      const PairCovariance p = pair_covariance(coded[kept[static_cast<std::size_t>(i)]],
                                               coded[kept[static_cast<std::size_t>(j)]], weights);
      c(i, j) = c(j, i) = p.unweighted;
      s(i, j) = s(j, i) = p.weighted;
    }
  }
  out.alpha = cronbach_alpha(c);
  out.std_alpha = standardized_alpha(c);
  out.alpha_weighted = cronbach_alpha(s);
  for (Eigen::Index i = 0; i < k; ++i) {
    ItemQuality& q = out.items[kept[static_cast<std::size_t>(i)]];
    // psych's r.drop: the item's covariance with the rest over the rest's
    // variance, all read from C.
    const Eigen::MatrixXd rest = without(c, i);
    q.item_rest = finite_or_nan((c.col(i).sum() - c(i, i)) / std::sqrt(c(i, i) * rest.sum()));
    // With two items, psych's alpha.drop is C_12 / C_jj for dropping item i
    // (j the other): the slope of item i on item j, since a single item has
    // no alpha.
    q.alpha_if_dropped = k > 2 ? cronbach_alpha(rest) : finite_or_nan(c(0, 1) / c(1 - i, 1 - i));
  }
  return out;
}

std::vector<ScaleQuality> scale_qualities(const Table& data, const Eigen::VectorXd& weights,
                                          const std::vector<ScaleRequest>& asked,
                                          const q::Questionnaire* form,
                                          const std::vector<std::string>& dont_know) {
  std::vector<ScaleRequest> scales = asked;
  if (form) {
    for (auto& s : element_scales(*form))
      scales.push_back(std::move(s));
  }
  std::set<std::string> names;
  for (const auto& s : scales) {
    if (!names.insert(s.name).second) {
      throw AnalysisError("analysis.duplicate_scale",
                          "`scales` " + s.name + ": the name of " +
                              (s.source == ScaleRequest::Source::Element
                                   ? std::string("a scoring element of the questionnaire")
                                   : std::string("another `scales`")) +
                              "; give the scale another name");
    }
  }
  const ScaleCodes codes{dont_know, form};
  std::vector<ScaleQuality> out;
  for (const auto& s : scales)
    out.push_back(scale_quality(data, weights, s, codes));
  return out;
}

Json to_json(const std::vector<ScaleQuality>& scales) {
  Json out = Json::array();
  for (const auto& scale : scales) {
    Json items = Json::array(), item_rest = Json::array(), dropped = Json::array(),
         valid = Json::array(), dont_know = Json::array(), missing = Json::array(),
         no_variance = Json::array();
    for (const auto& q : scale.items) {
      items.push_back(q.item);
      item_rest.push_back(number_or_null(q.item_rest));
      dropped.push_back(number_or_null(q.alpha_if_dropped));
      valid.push_back(q.valid);
      dont_know.push_back(q.dont_know_share);
      missing.push_back(q.missing_share);
      if (q.no_variance) no_variance.push_back(q.item);
    }
    out.push_back({{"name", scale.name},
                   {"source", scale.source == ScaleRequest::Source::Element ? "element" : "option"},
                   {"items", items},
                   {"rows", scale.rows},
                   {"alpha", number_or_null(scale.alpha)},
                   {"std_alpha", number_or_null(scale.std_alpha)},
                   {"alpha_weighted", number_or_null(scale.alpha_weighted)},
                   {"item_rest", item_rest},
                   {"alpha_if_dropped", dropped},
                   {"valid_n", valid},
                   {"dont_know_share", dont_know},
                   {"missing_share", missing},
                   {"no_variance", no_variance}});
  }
  return out;
}

}  // namespace sipas::analysis
