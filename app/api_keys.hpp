#pragma once

#include <string>
#include <vector>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct CreateApiKey {
  std::string name;  // who or what the key is for
  store::Role role = store::Role::Analyst;
};

// A new key, returned once (only its hash is stored); the audit trail records
// its name and role, never the key. key.invalid for an empty name.
std::string create_api_key(store::SurveyStore& store, const Actor& actor,
                           const CreateApiKey& request);

// Every key (id, name, role, when made, when revoked), never a secret or a
// hash. Who may create keys may list them.
std::vector<store::ApiKeyInfo> list_api_keys(store::SurveyStore& store, const Actor& actor);

// Revokes a key: the server refuses it from then on (401). Audited as
// key.revoke with the key's name; revoking a revoked key changes nothing and
// records nothing. key.not_found. Returns the key as it was before (its
// revoked_at set when it was revoked already).
store::ApiKeyInfo revoke_api_key(store::SurveyStore& store, const Actor& actor, std::int64_t id);

}  // namespace sipas::app
