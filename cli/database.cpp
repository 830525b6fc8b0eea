#include "cli/database.hpp"

namespace sipas::cli {

store::SurveyStore open_database(const std::string& path, Database mode) {
  store::SurveyStore::Options options;
  options.create = mode == Database::CreateIfMissing;
  return store::SurveyStore(path, options);
}

CLI::Option* add_survey_option(CLI::App* command, std::string& value,
                               const std::string& description) {
  return command->add_option("--survey", value, description)->required();
}

}  // namespace sipas::cli
