// sipas audit: the audit trail of a database, who changed what and when.

#include <iostream>

#include "app/audit.hpp"
#include "app/clock.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "io/file.hpp"

namespace sipas::cli {
namespace {

struct AuditOptions {
  std::string db, survey, actor, from, to, format = "text", out;
  std::int64_t since = 0, limit = 1000000;
};

}  // namespace

void add_audit_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<AuditOptions>();
  auto* audit = app.add_subcommand(
      "audit",
      "The audit trail: every change by a person (survey create/set/open/close, imports,\n"
      "reserves, reviews, keys), who (cli:USER, key:NAME), when, before -> after.");
  audit->add_option("--db", o->db, database_help)->required();
  audit->add_option("--survey", o->survey, "only this survey's changes");
  audit->add_option("--actor", o->actor,
                    "only this person's or key's changes: user:anna, cli:root");
  audit->add_option("--from", o->from, "only changes on or after this day, YYYY-MM-DD (UTC)");
  audit->add_option("--to", o->to, "only changes on or before this day, YYYY-MM-DD (UTC)");
  audit->add_option("--since", o->since, "only entries with seq greater than this")
      ->capture_default_str();
  audit->add_option("--format", o->format, "text (tab-separated lines) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  audit->add_option("--out", o->out, "file to write (default: standard output)");
  audit->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      app::ReadAudit request;
      if (!o->survey.empty()) request.survey = o->survey;
      if (!o->actor.empty()) request.actor = o->actor;
      if (!o->from.empty()) request.from = app::parse_utc_day(o->from, "from");
      // The whole day of --to: up to the next midnight.
      if (!o->to.empty()) request.to = app::parse_utc_day(o->to, "to") + app::seconds_per_day;
      request.since = o->since;
      request.limit = o->limit;
      const auto entries = app::read_audit(store, app::command_line_actor(), request);
      const std::string text = o->format == "json"
                                   ? app::audit_json(entries, o->since).dump(2) + "\n"
                                   : app::audit_text(entries);
      if (o->out.empty()) {
        std::cout << text;
      } else {
        // Names of people and keys: owner-only.
        io::write_file_atomic(o->out, text, io::FileAccess::owner_only);
        std::cout << entries.size() << " audit entries written to " << o->out << "\n";
      }
      return exit_ok;
    };
  });
}

}  // namespace sipas::cli
