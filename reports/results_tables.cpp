#include "reports/results_tables.hpp"

#include <algorithm>
#include <cmath>

#include "io/number_text.hpp"
#include "reports/export_words.hpp"

namespace sipas::reports {

TableCell TableCell::of(double x) {
  TableCell cell;
  if (std::isfinite(x)) {
    cell.kind = Kind::Number;
    cell.number = x;
  }
  return cell;
}

TableCell TableCell::of(std::string text) {
  TableCell cell;
  if (!text.empty()) {
    cell.kind = Kind::Text;
    cell.text = std::move(text);
  }
  return cell;
}

namespace {

std::string header(const Words& words, std::string_view code, std::optional<Language> language) {
  return std::string(language ? words.in(*language) : code);
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// A column every table of its kind has, with its headers in both languages.
struct FixedColumn {
  std::string_view code;
  Words words;
  NumberFormat format;
  double width;
};

template <std::size_t N>
void add_fixed_columns(ResultsTable& table, const FixedColumn (&fixed)[N],
                       std::optional<Language> language) {
  for (const auto& f : fixed)
    table.columns.push_back(
        {std::string(f.code), header(f.words, f.code, language), f.format, f.width});
}

}  // namespace

ResultsTable estimates_table(const ResultsFile& results, std::optional<Language> language) {
  ResultsTable table;
  table.sheet = "estimates";
  std::vector<std::string> domains;
  for (const auto& e : results.estimates) {
    for (const auto& [column, level] : e.domain) {
      if (std::find(domains.begin(), domains.end(), column) == domains.end())
        domains.push_back(column);
    }
  }
  for (const auto& d : domains)
    table.columns.push_back({d, d, NumberFormat::General, 14});
  static const FixedColumn fixed[] = {
      {"statistic", {"Thống kê", "Statistic"}, NumberFormat::General, 12},
      {"variable", {"Biến", "Variable"}, NumberFormat::General, 16},
      {"estimate", {"Ước lượng", "Estimate"}, NumberFormat::Fixed4, 12},
      {"se", {"Sai số chuẩn", "Standard error"}, NumberFormat::Fixed4, 12},
      {"ci_low", {"Cận dưới khoảng tin cậy", "CI lower bound"}, NumberFormat::Fixed4, 12},
      {"ci_high", {"Cận trên khoảng tin cậy", "CI upper bound"}, NumberFormat::Fixed4, 12},
      {"n", {"Cỡ mẫu", "n"}, NumberFormat::Count, 10},
      {"weighted_n", {"Cỡ mẫu có trọng số", "Weighted n"}, NumberFormat::Fixed1, 14},
      {"deff", {"Hiệu ứng thiết kế", "Design effect"}, NumberFormat::Fixed2, 10},
      {"n_eff", {"Cỡ mẫu hiệu dụng", "Effective n"}, NumberFormat::Fixed1, 12},
      {"cv", {"Hệ số biến thiên", "Coefficient of variation"}, NumberFormat::Fixed4, 12},
      {"flag", {"Mức tin cậy để công bố", "Publishing flag"}, NumberFormat::General, 12},
      {"ci_method", {"Phương pháp khoảng tin cậy", "CI method"}, NumberFormat::General, 12},
      {"df", {"Bậc tự do", "Degrees of freedom"}, NumberFormat::Whole, 10},
  };
  add_fixed_columns(table, fixed, language);
  for (const auto& e : results.estimates) {
    std::vector<TableCell> row;
    for (const auto& d : domains) {
      std::string level;
      for (const auto& [column, value] : e.domain) {
        if (column == d) level = value;
      }
      row.push_back(TableCell::of(level));
    }
    row.push_back(TableCell::of(e.statistic));
    row.push_back(TableCell::of(e.variable));
    for (double x :
         {e.estimate, e.se, e.ci_low, e.ci_high, e.n, e.weighted_n, e.deff, e.n_eff, e.cv})
      row.push_back(TableCell::of(x));
    row.push_back(TableCell::of(e.flag));
    row.push_back(TableCell::of(e.ci_method));
    row.push_back(TableCell::of(e.df));
    table.rows.push_back(std::move(row));
  }
  return table;
}

ResultsTable design_table(const ResultsFile& results, Language language) {
  ResultsTable table;
  table.sheet = "design";
  table.columns = {
      {"key", std::string(Words{"Khóa", "Key"}.in(language)), NumberFormat::General, 28},
      {"description", std::string(Words{"Nội dung", "Description"}.in(language)),
       NumberFormat::General, 44},
      {"value", std::string(Words{"Giá trị", "Value"}.in(language)), NumberFormat::General, 40}};
  auto add_described = [&](std::string key, std::string description, TableCell value) {
    if (value.kind == TableCell::Kind::Empty) return;
    table.rows.push_back(
        {TableCell::of(std::move(key)), TableCell::of(std::move(description)), std::move(value)});
  };
  auto add = [&](std::string key, Words words, TableCell value) {
    add_described(std::move(key), std::string(words.in(language)), std::move(value));
  };
  const DesignSummary& d = results.design;
  add("kind", {"Loại thiết kế", "Design kind"}, TableCell::of(d.kind));
  add("variance", {"Phương pháp ước lượng phương sai", "Variance method"},
      TableCell::of(d.variance));
  add("strata", {"Cột tầng", "Stratum column"}, TableCell::of(d.strata));
  add("psu", {"Cột đơn vị mẫu theo giai đoạn", "Cluster columns by stage"},
      TableCell::of(join(d.psu, ", ")));
  add("weights", {"Cột trọng số", "Weight column"}, TableCell::of(d.weights));
  add("fpc", {"Cột hiệu chỉnh tổng thể hữu hạn", "Finite population correction columns"},
      TableCell::of(join(d.fpc, ", ")));
  add("lonely_psu", {"Tầng chỉ có một đơn vị mẫu", "Strata with one PSU"},
      TableCell::of(d.lonely_psu));
  add("rows", {"Số dòng dữ liệu", "Rows"}, TableCell::of(d.rows));
  add("weight_sum", {"Tổng trọng số", "Sum of weights"}, TableCell::of(d.weight_sum));
  add("df", {"Bậc tự do", "Degrees of freedom"}, TableCell::of(d.df));
  add("level", {"Mức tin cậy", "Confidence level"}, TableCell::of(d.level));
  if (d.calibration) {
    const CalibrationSummary& c = *d.calibration;
    add("calibration.method", {"Phương pháp hiệu chỉnh trọng số", "Calibration method"},
        TableCell::of(c.method));
    add("calibration.margins.file", {"Tệp tổng biên", "Margins file"},
        TableCell::of(c.margins_file));
    add("calibration.margins.sha256", {"SHA-256 của tệp tổng biên", "SHA-256 of the margins file"},
        TableCell::of(c.margins_sha256));
    add("calibration.iterations", {"Số vòng lặp hiệu chỉnh", "Calibration iterations"},
        TableCell::of(c.iterations));
    add("calibration.weight_min",
        {"Trọng số nhỏ nhất sau hiệu chỉnh", "Smallest calibrated weight"},
        TableCell::of(c.weight_min));
    add("calibration.weight_max", {"Trọng số lớn nhất sau hiệu chỉnh", "Largest calibrated weight"},
        TableCell::of(c.weight_max));
    add("calibration.g_min", {"Hệ số hiệu chỉnh g nhỏ nhất", "Smallest calibration factor g"},
        TableCell::of(c.g_min));
    add("calibration.g_max", {"Hệ số hiệu chỉnh g lớn nhất", "Largest calibration factor g"},
        TableCell::of(c.g_max));
    add("calibration.max_margin_error",
        {"Sai lệch tương đối lớn nhất so với tổng biên", "Largest relative margin error"},
        TableCell::of(c.max_margin_error));
    if (c.bounds) {
      add("calibration.bounds", {"Giới hạn của g", "Bounds on g"},
          TableCell::of(io::shortest_decimal(c.bounds->first) + ", " +
                        io::shortest_decimal(c.bounds->second)));
    }
  }
  if (d.replicates) {
    const ReplicateSummary& r = *d.replicates;
    add("replicates.type", {"Loại trọng số lặp", "Replicate type"}, TableCell::of(r.type));
    add("replicates.columns", {"Cột trọng số lặp", "Replicate weight columns"},
        TableCell::of(r.columns));
    add("replicates.replicates", {"Số bản lặp", "Number of replicates"},
        TableCell::of(r.replicates));
    add("replicates.scale", {"Hệ số tỷ lệ", "Scale"}, TableCell::of(r.scale));
    add("replicates.mse",
        {"Tâm tại ước lượng toàn mẫu (MSE)", "Centred on the full-sample estimate (MSE)"},
        TableCell::of(std::string(r.mse ? "true" : "false")));
  }
  for (const auto& input : d.inputs) {
    const std::string p = "inputs." + input.role;
    const std::string role = " (" + input.role + ")";
    const bool vi = language == Language::Vi;
    add_described(p + ".file", (vi ? "Tệp đầu vào" : "Input file") + role,
                  TableCell::of(input.file));
    add_described(p + ".sha256", (vi ? "SHA-256 của tệp đầu vào" : "SHA-256 of the input") + role,
                  TableCell::of(input.sha256));
    add_described(p + ".id", (vi ? "Mã" : "Id") + role, TableCell::of(input.id));
    add_described(p + ".version", (vi ? "Phiên bản" : "Version") + role,
                  TableCell::of(input.version));
  }
  add("command", {"Lệnh đã chạy", "Command"}, TableCell::of(d.command));
  return table;
}

ResultsTable par_index_table(const ParIndexResult& par, std::optional<Language> language) {
  ResultsTable table;
  table.sheet = "PAR index";
  table.precision = par.precision;
  static const FixedColumn fixed[] = {
      {"unit", {"Mã đơn vị", "Unit"}, NumberFormat::General, 12},
      {"name", {"Tên đơn vị", "Name"}, NumberFormat::General, 28},
      {"points", {"Điểm", "Points"}, NumberFormat::Precision, 10},
      {"max_points", {"Điểm tối đa", "Maximum"}, NumberFormat::Precision, 10},
      {"index", {"Chỉ số", "Index"}, NumberFormat::Precision, 10},
      {"rank", {"Xếp hạng", "Rank"}, NumberFormat::Whole, 8},
      {"group", {"Nhóm", "Group"}, NumberFormat::General, 8},
      {"flags", {"Ghi chú", "Flags"}, NumberFormat::General, 30},
  };
  add_fixed_columns(table, fixed, language);
  std::vector<const ParNode*> areas;
  for (const auto& node : par.nodes) {
    if (!node.parent.empty()) continue;
    areas.push_back(&node);
    std::string label = "index_" + node.id;
    if (language) label = *language == Language::Vi ? node.label.vi : node.label.en;
    table.columns.push_back({"index_" + node.id, label, NumberFormat::Precision, 14});
  }
  for (const auto& u : par.units) {
    std::vector<std::string> flags;
    if (u.rescaled) {
      flags.emplace_back(
          language
              ? Words{"quy đổi lại do thiếu điểm khảo sát", "rescaled without survey points"}.in(
                    *language)
              : "rescaled");
    }
    if (!u.survey_missing.empty()) {
      flags.push_back(std::string(language
                                      ? Words{"thiếu khảo sát: ", "survey missing: "}.in(*language)
                                      : "survey_missing=") +
                      join(u.survey_missing, ","));
    }
    if (!u.ranked) {
      flags.emplace_back(language ? Words{"không xếp hạng", "not ranked"}.in(*language)
                                  : "not_ranked");
    }
    std::vector<TableCell> row = {
        TableCell::of(u.unit),
        TableCell::of(u.name),
        TableCell::of(u.points),
        TableCell::of(u.max_points),
        TableCell::of(u.index),
        u.rank ? TableCell::of(static_cast<double>(*u.rank)) : TableCell{},
        TableCell::of(u.group.value_or("")),
        TableCell::of(join(flags, "; "))};
    for (const ParNode* area : areas) {
      auto found = u.nodes.find(area->id);
      row.push_back(found == u.nodes.end() ? TableCell{} : TableCell::of(found->second.index));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace sipas::reports
