#include "app/units.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "app/atomically.hpp"
#include "app/audit.hpp"
#include "app/use_case_error.hpp"
#include "io/csv_reader.hpp"

namespace sipas::app {

namespace {

constexpr std::size_t max_listed_problems = 100;

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// The first unit that is its own ancestor ("" parent: a top unit).
std::optional<std::string> first_cycle(const std::map<std::string, std::string>& parent_of) {
  for (const auto& [start, unused] : parent_of) {
    std::set<std::string> seen{start};
    auto at = parent_of.find(start);
    while (at != parent_of.end() && !at->second.empty()) {
      if (!seen.insert(at->second).second) return start;
      at = parent_of.find(at->second);
    }
  }
  return std::nullopt;
}

}  // namespace

bool is_unit_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::vector<store::UnitRecord> read_units(const std::filesystem::path& path,
                                          const std::string& display,
                                          const std::vector<store::UnitRecord>& known) {
  io::CsvOptions options;
  options.max_field_bytes = 4096;
  io::CsvReader csv(path, options);
  const auto id_column = csv.require_column("id");
  const auto name_column = csv.require_column("name");
  const auto type_column = csv.require_column("type");
  const auto parent_column = csv.require_column("parent");
  std::vector<store::UnitRecord> rows;
  std::vector<std::size_t> lines;
  std::vector<std::pair<std::size_t, std::string>> found;  // by line
  auto problem = [&](std::size_t line, const std::string& what) {
    found.emplace_back(line, display + ":" + std::to_string(line) + ": " + what);
  };
  std::map<std::string, std::size_t> line_of;
  while (csv.next()) {
    const std::size_t line = csv.line();
    store::UnitRecord unit;
    unit.id = trimmed(csv.field(id_column));
    unit.name = trimmed(csv.field(name_column));
    unit.type = trimmed(csv.field(type_column));
    if (auto parent = trimmed(csv.field(parent_column)); !parent.empty()) unit.parent = parent;
    if (!is_unit_id(unit.id)) {
      problem(line, unit.id.empty()
                        ? "id is empty"
                        : "id '" + unit.id + "' must be 1 to 64 characters of A-Z a-z 0-9 . _ -");
    } else if (auto [at, fresh] = line_of.emplace(unit.id, line); !fresh) {
      problem(line, "id '" + unit.id + "' is already on line " + std::to_string(at->second));
    }
    if (unit.name.empty()) problem(line, "name is empty");
    if (unit.type.empty()) problem(line, "type is empty");
    if (unit.parent && *unit.parent == unit.id) problem(line, "a unit cannot be its own parent");
    rows.push_back(std::move(unit));
    lines.push_back(line);
  }
  if (rows.empty() && found.empty()) found.emplace_back(0, display + ": the file has no units");
  // Parents: in the file, or stored already.
  std::map<std::string, std::string> parent_of;
  for (const auto& unit : known)
    parent_of[unit.id] = unit.parent.value_or("");
  for (const auto& unit : rows)
    parent_of[unit.id] = unit.parent.value_or("");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& parent = rows[i].parent;
    if (parent && !parent_of.contains(*parent)) {
      problem(lines[i], "parent '" + *parent + "' is neither in the file nor a stored unit");
    }
  }
  if (found.empty()) {
    if (auto unit = first_cycle(parent_of)) {
      problem(line_of.contains(*unit) ? line_of[*unit] : 0,
              "unit '" + *unit + "' would be below itself (its parents go round in a circle)");
    }
  }
  if (!found.empty()) {
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::size_t total = found.size();
    if (found.size() > max_listed_problems) found.resize(max_listed_problems);
    std::vector<std::string> problems;
    for (auto& [line, text] : found)
      problems.push_back(std::move(text));
    std::string message = display + ": " + std::to_string(total) +
                          (total == 1 ? " problem" : " problems") + ", nothing was stored:";
    for (const auto& p : problems)
      message += "\n  " + p;
    throw UnitsError(message, std::move(problems));
  }
  return rows;
}

store::UnitImportCounts import_units(store::SurveyStore& store, const Actor& actor,
                                     const std::filesystem::path& path,
                                     const std::string& display) {
  authorize(actor, UseCase::ImportUnits);
  return atomically(store, [&] {
    auto rows = read_units(path, display, store.list_units());
    auto counts = store.upsert_units(rows);
    record_change(store, actor, "unit.import", std::nullopt, display, nullptr,
                  {{"units", rows.size()},
                   {"added", counts.added},
                   {"updated", counts.updated},
                   {"unchanged", counts.unchanged}});
    return counts;
  });
}

namespace {

// nullopt: every unit; else the ids a unit user may see.
std::optional<std::set<std::string>> scope_of(store::SurveyStore& store, const Actor& actor) {
  if (actor.user_role != store::UserRole::Unit) return std::nullopt;
  auto ids = store.unit_and_below(actor.unit.value_or(""));
  return std::set<std::string>(ids.begin(), ids.end());
}

}  // namespace

std::vector<store::UnitRecord> visible_units(store::SurveyStore& store, const Actor& actor) {
  authorize(actor, UseCase::ReadUnit);
  auto units = store.list_units();
  if (auto scope = scope_of(store, actor)) {
    std::erase_if(units, [&](const store::UnitRecord& u) { return !scope->contains(u.id); });
  }
  return units;
}

UnitPage unit_page(store::SurveyStore& store, const Actor& actor, const std::string& id) {
  authorize(actor, UseCase::ReadUnit);
  const auto scope = scope_of(store, actor);
  if (scope && !scope->contains(id)) {
    throw UseCaseError(Refusal::Forbidden, "auth.forbidden",
                       "a unit user sees their own unit and the units below it only", "unit");
  }
  auto unit = store.find_unit(id);
  if (!unit)
    throw UseCaseError(Refusal::NotFound, "unit.not_found", "no unit '" + id + "'", "unit");
  UnitPage page;
  page.unit = *unit;
  if (unit->parent && (!scope || scope->contains(*unit->parent)))
    page.parent = store.find_unit(*unit->parent);
  for (auto& other : store.list_units()) {
    if (other.parent == id) page.children.push_back(std::move(other));
  }
  return page;
}

}  // namespace sipas::app
