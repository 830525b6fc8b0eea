#pragma once

#include <string>

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

}  // namespace sipas::app
