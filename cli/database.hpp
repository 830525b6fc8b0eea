#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "store/store.hpp"

namespace sipas::cli {

enum class Database { MustExist, CreateIfMissing };

// What --db takes, for every command's --help.
inline constexpr const char* database_help =
    "the database: an SQLite file, or a PostgreSQL URL postgresql://USER@HOST[:PORT]/NAME "
    "(the password from PGPASSFILE, ~/.pgpass, or PGPASSWORD; never in the URL)";

// The database file of --db. Every command but `survey create` needs one that
// exists: a mistyped path is refused (store.not_found), never made empty.
store::SurveyStore open_database(const std::string& path, Database mode = Database::MustExist);

// --survey ID: the one flag for a survey's id, on every command.
CLI::Option* add_survey_option(CLI::App* command, std::string& value,
                               const std::string& description = "survey id");

}  // namespace sipas::cli
