#pragma once

#include <span>
#include <string>
#include <string_view>

#include "io/embedded_file.hpp"

namespace sipas::analysis {

// The PAR index schemes of analysis/schemes/, compiled into the library so
// that `sipas index --scheme par-province-876` works from any directory.
// Names like "schemes/par-province-876.json".
std::span<const io::EmbeddedFile> standard_schemes();

// An embedded scheme by its short name ("par-province-876"), its file name
// ("par-province-876.json") or its full name; nullptr when there is none.
const io::EmbeddedFile* find_standard_scheme(std::string_view name);

// "par-province-876" for "schemes/par-province-876.json".
std::string scheme_short_name(const io::EmbeddedFile& file);

// The text of a scheme given on the command line, with what an audit record
// needs.
struct SchemeSource {
  std::string text;
  std::string source;  // the file name, for messages
  std::string path;    // as given, or "embedded:NAME"
  std::string sha256;  // of the text
};

// Reads `path_or_name` as a file when one exists there, else as the name of an
// embedded scheme. Throws AnalysisError scheme.not_found listing the embedded
// names, or io errors.
SchemeSource read_scheme_source(const std::string& path_or_name);

}  // namespace sipas::analysis
