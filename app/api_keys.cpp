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

}  // namespace sipas::app
