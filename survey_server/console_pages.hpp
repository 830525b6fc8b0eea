#pragma once

// The console's pages (/admin/...), rendered on the server from the text
// catalogues, in Vietnamese or English; every value escaped; no inline
// script or style (the pages' Content-Security-Policy forbids them).

#include <optional>
#include <string>
#include <string_view>

#include "store/accounts.hpp"

namespace sipas::survey_server {

// "vi" unless ?lang= names another catalogue's language.
std::string console_language(const std::optional<std::string>& requested);

struct LoginView {
  std::string_view lang;
  std::string csrf;                  // the form's _csrf
  std::string user;                  // the name typed before, shown again
  std::optional<std::string> error;  // a catalogue key: console.login_failed, ...
};
std::string render_login_page(const LoginView& view);

struct HomeView {
  std::string_view lang;
  std::string csrf;  // the logout form's _csrf
  store::UserRecord user;
  std::optional<store::UnitRecord> unit;
};
std::string render_console_home(const HomeView& view);

}  // namespace sipas::survey_server
