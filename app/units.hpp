#pragma once

// Organisational units as data: a province's departments, communes and wards
// (since July 2025 two levels, no districts) in a tree, read from units.csv
// (id, name, type, parent). A unit user sees its unit and the units below it.

#include <filesystem>
#include <string>
#include <vector>

#include "app/actor.hpp"
#include "io/error.hpp"
#include "store/store.hpp"

namespace sipas::app {

// A units file that cannot be imported. Id units.invalid; problems() has
// every bad line, each "units.csv:LINE: what" (the first 100), and the
// message lists them too.
class UnitsError : public Error {
 public:
  UnitsError(const std::string& message, std::vector<std::string> problems)
      : Error("units.invalid", message), problems_(std::move(problems)) {}
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Reads units.csv: columns id, name, type and parent (empty for a top unit),
// others ignored. An id is 1 to 64 characters of A-Z a-z 0-9 . _ -; a name
// and a type are not empty; an id appears once; a parent is a unit of the
// file or of `known` (ids already stored); no unit is its own ancestor.
// `display` names the file in messages. Throws UnitsError, or io's
// CsvError/IoError for a file that is not CSV.
std::vector<store::UnitRecord> read_units(const std::filesystem::path& path,
                                          const std::string& display,
                                          const std::vector<store::UnitRecord>& known);

// Reads and stores the units (added, or updated when the id is stored), all
// or none, with one audit entry "unit.import". Needs the manager's role.
store::UnitImportCounts import_units(store::SurveyStore& store, const Actor& actor,
                                     const std::filesystem::path& path, const std::string& display);

bool is_unit_id(std::string_view id);

// The units a person may see: every unit, or for a unit user their unit and
// those below it. By id.
std::vector<store::UnitRecord> visible_units(store::SurveyStore& store, const Actor& actor);

// One unit's page: the unit and the units right below it that the person may
// see. unit.not_found (NotFound) for an unknown id; auth.forbidden
// (Forbidden) for a unit outside a unit user's own (whether it exists or not).
struct UnitPage {
  store::UnitRecord unit;
  std::optional<store::UnitRecord> parent;
  std::vector<store::UnitRecord> children;
};
UnitPage unit_page(store::SurveyStore& store, const Actor& actor, const std::string& id);

}  // namespace sipas::app
