#pragma once

// The libraries name the fields of their requests in their messages as
// `field` (`replicates`, `design.lonely_psu`): they know no command line.
// Here each command's fields become its flags, so that the user reads the
// option they typed (`sipas analyze --replicates bogus` → "--replicates must
// be ..."). A field without a flag here is shown as the library wrote it.

#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace sipas::cli {

struct FlagName {
  std::string_view field;  // as the library writes it, without the backquotes
  std::string_view flag;   // the option without its leading "--"
};
using FlagTable = std::span<const FlagName>;
using FlagTables = std::initializer_list<FlagTable>;

// The fields of each library request, by command.
extern const FlagTable analysis_flags;     // analysis::AnalysisRequest: analyze, compare, verify
extern const FlagTable compare_flags;      // analysis::CompareRequest
extern const FlagTable verify_flags;       // analysis::verify_results
extern const FlagTable weights_flags;      // analysis::NonresponseOptions and fieldwork columns
extern const FlagTable index_flags;        // analysis::ParIndexRequest
extern const FlagTable small_area_flags;   // analysis::AreaColumns, FayHerriotOptions
extern const FlagTable sample_flags;       // sampling::SampleRequest
extern const FlagTable sample_size_flags;  // sampling::ProportionSizeOptions

// `text` with every `field` of the tables replaced by --PREFIXflag.
std::string with_flags(std::string_view text, FlagTables tables, std::string_view prefix = "");

// Runs `action`; a sipas::Error it throws goes on with its message in flags.
int run_with_flags(FlagTables tables, const std::function<int()>& action);

}  // namespace sipas::cli
