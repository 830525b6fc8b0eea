#include "io/text_lists.hpp"

namespace sipas::io {

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> out;
  for (auto& field : split_fields(text, separator)) {
    if (!field.empty()) out.push_back(std::move(field));
  }
  return out;
}

std::vector<std::string> split_fields(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (text.empty()) out.clear();
  return out;
}

}  // namespace sipas::io
