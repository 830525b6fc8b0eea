#include "app/users.hpp"

#include <algorithm>

#include "app/atomically.hpp"
#include "app/audit.hpp"
#include "app/clock.hpp"
#include "app/passwords.hpp"
#include "app/use_case_error.hpp"

namespace sipas::app {

namespace {

// The store's refusals in the use cases' terms.
template <typename F>
auto translating(F&& body) {
  try {
    return body();
  } catch (const store::StoreError& error) {
    if (error.id() == "user.exists")
      throw UseCaseError(Refusal::Conflict, error.id(), error.what(), "name");
    if (error.id() == "user.not_found")
      throw UseCaseError(Refusal::NotFound, error.id(), error.what(), "name");
    if (error.id() == "unit.not_found")
      throw UseCaseError(Refusal::NotFound, error.id(), error.what(), "unit");
    throw;
  }
}

nlohmann::json user_json(const store::UserRecord& user) {
  nlohmann::json out = {{"name", user.name}, {"role", store::to_string(user.role)}};
  out["unit"] = user.unit ? nlohmann::json(*user.unit) : nlohmann::json(nullptr);
  return out;
}

}  // namespace

bool is_user_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '@';
  });
}

std::string user_actor_name(const store::UserRecord& user) {
  return "user:" + user.name;
}

AddedUser prepare_user(const Actor& actor, const AddUser& request) {
  authorize(actor, UseCase::ManageUsers);
  if (!is_user_name(request.name)) {
    throw UseCaseError(Refusal::BadRequest, "user.invalid_name",
                       "a user name is 1 to 64 characters of a-z 0-9 . _ - @ (lowercase)", "name");
  }
  if (request.role == store::UserRole::Unit && !request.unit) {
    throw UseCaseError(Refusal::BadRequest, "user.unit_required",
                       "a user with the unit role needs a unit", "unit");
  }
  AddedUser added;
  std::string password;
  if (request.password) {
    check_password(*request.password);
    password = *request.password;
  } else {
    password = generate_password();
    added.generated_password = password;
  }
  added.user.name = request.name;
  added.user.role = request.role;
  added.user.unit = request.unit;
  added.user.password_hash = hash_password(password);
  added.user.created_at = added.user.password_set_at = now_seconds();
  return added;
}

void store_user(store::SurveyStore& store, const Actor& actor, AddedUser& added) {
  authorize(actor, UseCase::ManageUsers);
  translating([&] {
    atomically(store, [&] {
      added.user.id = store.create_user(added.user);
      record_change(store, actor, "user.create", std::nullopt, added.user.name, nullptr,
                    user_json(added.user));
    });
  });
}

AddedUser add_user(store::SurveyStore& store, const Actor& actor, const AddUser& request) {
  // Hashed before the transaction: it takes a tenth of a second.
  auto added = prepare_user(actor, request);
  store_user(store, actor, added);
  return added;
}

std::vector<store::UserRecord> list_users(store::SurveyStore& store, const Actor& actor) {
  authorize(actor, UseCase::ManageUsers);
  return store.list_users();
}

void set_user_disabled(store::SurveyStore& store, const Actor& actor, const std::string& name,
                       bool disabled) {
  authorize(actor, UseCase::ManageUsers);
  translating([&] {
    atomically(store, [&] {
      auto before = store.find_user(name);
      store.set_user_disabled(name, disabled);
      record_change(store, actor, disabled ? "user.disable" : "user.enable", std::nullopt, name,
                    {{"disabled", before ? before->disabled : false}}, {{"disabled", disabled}});
    });
  });
}

NewPassword prepare_password(const Actor& actor, std::optional<std::string> password) {
  authorize(actor, UseCase::ManageUsers);
  NewPassword out;
  if (password) {
    check_password(*password);
  } else {
    password = out.generated = generate_password();
  }
  out.hash = hash_password(*password);
  return out;
}

void store_password(store::SurveyStore& store, const Actor& actor, const std::string& name,
                    const NewPassword& password) {
  authorize(actor, UseCase::ManageUsers);
  translating([&] {
    atomically(store, [&] {
      store.set_user_password(name, password.hash, now_seconds());
      // Never the password or its hash: that one was changed is enough.
      record_change(store, actor, "user.reset_password", std::nullopt, name, nullptr,
                    {{"sessions", "ended"}});
    });
  });
}

std::optional<std::string> reset_password(store::SurveyStore& store, const Actor& actor,
                                          const std::string& name,
                                          std::optional<std::string> password) {
  const auto prepared = prepare_password(actor, std::move(password));
  store_password(store, actor, name, prepared);
  return prepared.generated;
}

}  // namespace sipas::app
