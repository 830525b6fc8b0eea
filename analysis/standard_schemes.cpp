#include "analysis/standard_schemes.hpp"

#include <filesystem>

#include "analysis/error.hpp"
#include "io/file.hpp"
#include "io/sha256.hpp"

namespace sipas::analysis {

std::span<const io::EmbeddedFile> embedded_scheme_files();

namespace {

constexpr std::size_t max_scheme_bytes = 4 << 20;

std::string sha256_of(std::string_view text) {
  io::Sha256 hash;
  hash.update(text);
  return hash.hex_digest();
}

}  // namespace

std::span<const io::EmbeddedFile> standard_schemes() {
  return embedded_scheme_files();
}

std::string scheme_short_name(const io::EmbeddedFile& file) {
  std::string name(file.name);
  if (auto slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
  if (name.ends_with(".json")) name.erase(name.size() - 5);
  return name;
}

const io::EmbeddedFile* find_standard_scheme(std::string_view name) {
  for (const auto& file : standard_schemes()) {
    const std::string short_name = scheme_short_name(file);
    if (file.name == name || short_name == name || short_name + ".json" == name) return &file;
  }
  return nullptr;
}

SchemeSource read_scheme_source(const std::string& path_or_name) {
  const std::filesystem::path path(path_or_name);
  std::error_code ec;
  if (!path_or_name.empty() && std::filesystem::exists(path, ec)) {
    SchemeSource s;
    s.text = io::read_file(path, max_scheme_bytes);
    s.source = path.filename().string();
    s.path = path_or_name;
    s.sha256 = sha256_of(s.text);
    return s;
  }
  if (const io::EmbeddedFile* file = find_standard_scheme(path_or_name)) {
    SchemeSource s;
    s.text = std::string(file->content);
    s.source = scheme_short_name(*file) + ".json";
    s.path = "embedded:" + scheme_short_name(*file);
    s.sha256 = sha256_of(s.text);
    return s;
  }
  std::string names;
  for (const auto& file : standard_schemes())
    names += (names.empty() ? "" : ", ") + scheme_short_name(file);
  throw AnalysisError("scheme.not_found", "'" + path_or_name +
                                              "': no such file, and no embedded scheme of that "
                                              "name (embedded: " +
                                              names + ")");
}

}  // namespace sipas::analysis
