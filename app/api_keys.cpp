#include "app/api_keys.hpp"

#include "app/atomically.hpp"
#include "app/audit.hpp"

namespace sipas::app {

std::string create_api_key(store::SurveyStore& store, const Actor& actor,
                           const CreateApiKey& request) {
  authorize(actor, UseCase::CreateKey);
  return atomically(store, [&] {
    auto key = store.create_api_key(request.name, request.role);
    record_change(store, actor, "key.create", std::nullopt, request.name, nullptr,
                  {{"name", request.name}, {"role", store::to_string(request.role)}});
    return key;
  });
}

std::vector<store::ApiKeyInfo> list_api_keys(store::SurveyStore& store, const Actor& actor) {
  authorize(actor, UseCase::CreateKey);
  return store.list_api_keys();
}

store::ApiKeyInfo revoke_api_key(store::SurveyStore& store, const Actor& actor, std::int64_t id) {
  authorize(actor, UseCase::CreateKey);
  return atomically(store, [&] {
    auto before = store.revoke_api_key(id);
    if (!before.revoked_at) {
      record_change(store, actor, "key.revoke", std::nullopt, before.name,
                    {{"id", before.id},
                     {"name", before.name},
                     {"role", store::to_string(before.role)},
                     {"revoked", false}},
                    {{"revoked", true}});
    }
    return before;
  });
}

}  // namespace sipas::app
