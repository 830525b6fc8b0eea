#pragma once

// A CSV text without quoted fields (links CSVs of plain ids and tokens) as
// rows of cells; a trailing comma gives a last empty cell.

#include <sstream>
#include <string>
#include <vector>

namespace sipas::test {

inline std::vector<std::vector<std::string>> split_plain_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream fields(line);
    while (std::getline(fields, cell, ','))
      cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace sipas::test
