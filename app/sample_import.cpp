#include "app/sample_import.hpp"
#include "io/percent_encoding.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::app {

namespace {

const std::vector<std::string> design_columns = {
    "id", "stratum", "psu", "inclusion_probability", "design_weight", "role", "reserve_rank"};

double parse_positive(const io::CsvReader& csv, std::size_t column, const std::string& name) {
  auto text = csv.field(column);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value <= 0) {
    throw SampleError(
        "sample.invalid",
        csv.where() + ": " + name + " must be a positive number, not '" + std::string(text) + "'");
  }
  return value;
}

// Column names that hold personal contact data in the frames seen so far
// (lowercase, without '_', '-', ' ' or '.'). Such a column must be declared a
// contact: as an attribute it would be exported with the answers.
const std::set<std::string, std::less<>> contact_like_names = {
    "phone", "phonenumber",  "mobile",         "mobilephone", "tel",         "telephone",
    "email", "emailaddress", "mail",           "address",     "homeaddress", "street",
    "sdt",   "sodienthoai",  "dienthoai",      "diachi",      "thudientu",   "cccd",
    "cmnd",  "cancuoc",      "nationalid",     "idcard",      "passport",    "fullname",
    "hoten", "hovaten",      "respondentname", "contact"};

std::string normalized_column_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '_' || c == '-' || c == ' ' || c == '.') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

using Columns = std::vector<std::pair<std::size_t, std::string>>;

store::InvitationInput read_row(const io::CsvReader& csv, const std::vector<std::size_t>& design,
                                const Columns& attribute_columns, const Columns& contact_indices) {
  store::InvitationInput row;
  row.respondent_id = std::string(csv.field(design[0]));
  if (row.respondent_id.empty()) throw SampleError("sample.invalid", csv.where() + ": id is empty");
  row.stratum = std::string(csv.field(design[1]));
  row.psu = std::string(csv.field(design[2]));
  row.inclusion_probability = parse_positive(csv, design[3], "inclusion_probability");
  row.design_weight = parse_positive(csv, design[4], "design_weight");
  auto role = csv.field(design[5]);
  if (role == "reserve") {
    row.reserve = true;
    auto rank = csv.field(design[6]);
    auto [end, ec] = std::from_chars(rank.data(), rank.data() + rank.size(), row.reserve_rank);
    if (ec != std::errc() || end != rank.data() + rank.size() || row.reserve_rank < 1) {
      throw SampleError("sample.invalid", csv.where() +
                                              ": reserve_rank must be a whole number "
                                              "from 1 for a reserve, not '" +
                                              std::string(rank) + "'");
    }
  } else if (role != "main") {
    throw SampleError("sample.invalid", csv.where() + ": role must be 'main' or 'reserve', not '" +
                                            std::string(role) + "'");
  }
  for (const auto& [i, name] : attribute_columns)
    row.attributes.emplace_back(name, std::string(csv.field(i)));
  for (const auto& [i, name] : contact_indices)
    row.contacts.emplace_back(name, std::string(csv.field(i)));
  return row;
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines)
    out += (out.empty() ? "" : "\n") + line;
  return out;
}

}  // namespace

SampleError::SampleError(std::string id, std::vector<std::string> problems)
    : Error(std::move(id), joined_lines(problems)), problems_(std::move(problems)) {}

bool looks_like_contact_column(std::string_view name) {
  return contact_like_names.contains(normalized_column_name(name));
}

std::vector<store::InvitationInput> read_sample(const std::filesystem::path& path,
                                                const std::vector<std::string>& contact_columns) {
  io::CsvReader csv(path);
  std::vector<std::size_t> design;
  for (const auto& name : design_columns)
    design.push_back(csv.require_column(name));
  std::set<std::string, std::less<>> contacts(contact_columns.begin(), contact_columns.end());
  for (const auto& name : contact_columns)
    csv.require_column(name);
  std::vector<std::pair<std::size_t, std::string>> attribute_columns, contact_indices;
  const auto& header = csv.header();
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (std::find(design.begin(), design.end(), i) != design.end()) continue;
    const bool contact = contacts.contains(header[i]);
    if (!contact && looks_like_contact_column(header[i])) {
      throw SampleError("sample.contact_column",
                        csv.source() + ": column '" + header[i] +
                            "' looks like contact data; declare it a contact (--contact " +
                            header[i] +
                            ", kept apart and never exported) or leave it out of the sample");
    }
    (contact ? contact_indices : attribute_columns).emplace_back(i, header[i]);
  }
  // Contacts are stored in the order of --contact, the order of the links
  // CSV's columns, so that the links of reserves activated later (whose
  // columns come from the stored contacts) have the same columns in the same
  // order.
  std::stable_sort(contact_indices.begin(), contact_indices.end(),
                   [&](const auto& a, const auto& b) {
                     auto rank = [&](const std::string& name) {
                       return std::find(contact_columns.begin(), contact_columns.end(), name) -
                              contact_columns.begin();
                     };
                     return rank(a.second) < rank(b.second);
                   });
  std::vector<store::InvitationInput> rows;
  std::vector<std::string> problems;
  std::size_t more_problems = 0;
  std::map<std::string, std::size_t, std::less<>> first_line_of_id;
  while (csv.next()) {
    try {
      rows.push_back(read_row(csv, design, attribute_columns, contact_indices));
      const auto& id = rows.back().respondent_id;
      if (auto [it, fresh] = first_line_of_id.emplace(id, csv.line()); !fresh) {
        rows.pop_back();
        throw SampleError("sample.invalid", csv.where() + ": id '" + id + "' is already on line " +
                                                std::to_string(it->second));
      }
    } catch (const SampleError& e) {
      if (problems.size() < max_sample_problems) {
        problems.push_back(e.what());
      } else {
        ++more_problems;
      }
    }
  }
  if (more_problems > 0) {
    problems.push_back(csv.source() + ": " + std::to_string(more_problems) +
                       " more bad line(s) not listed");
  }
  if (!problems.empty()) throw SampleError("sample.invalid", std::move(problems));
  if (rows.empty()) throw SampleError("sample.invalid", csv.source() + ": the sample has no rows");
  return rows;
}

std::vector<std::string> stored_contact_columns(
    const std::vector<store::IssuedInvitation>& issued) {
  std::vector<std::string> columns;
  for (const auto& inv : issued) {
    for (const auto& [name, value] : inv.contacts) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
    }
  }
  return columns;
}

std::string links_csv(const std::vector<store::IssuedInvitation>& issued,
                      const std::string& base_url, const std::string& survey,
                      const std::vector<std::string>& contact_columns,
                      const io::CsvWriterOptions& csv) {
  std::string out;
  std::vector<std::string_view> header = {"id",           "stratum", "psu", "role",
                                          "reserve_rank", "token",   "link"};
  for (const auto& c : contact_columns)
    header.emplace_back(c);
  io::append_csv_row(out, header, csv);
  std::vector<std::string> cells;
  std::vector<std::string_view> views;
  for (const auto& inv : issued) {
    cells = {inv.respondent_id,
             inv.stratum,
             inv.psu,
             inv.reserve ? "reserve" : "main",
             inv.reserve ? std::to_string(inv.reserve_rank) : std::string(),
             inv.token,
             base_url + "/s/" + io::percent_encode(survey) + "?t=" + io::percent_encode(inv.token)};
    for (const auto& c : contact_columns) {
      std::string value;
      for (const auto& [name, v] : inv.contacts) {
        if (name == c) value = v;
      }
      cells.push_back(std::move(value));
    }
    views.assign(cells.begin(), cells.end());
    io::append_csv_row(out, views, csv);
  }
  return out;
}

}  // namespace sipas::app
