#pragma once

#include <utility>

#include "store/store.hpp"

namespace sipas::app {

// Runs a use case's writes and its audit entry as one transaction: its own
// (the command line), or the caller's when one is open (the server's group
// commit, where each job has a savepoint).
template <typename F>
auto atomically(store::SurveyStore& store, F&& body) {
  if (store.in_transaction()) return body();
  store.begin();
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      store.commit();
    } else {
      auto result = body();
      store.commit();
      return result;
    }
  } catch (...) {
    store.rollback();
    throw;
  }
}

}  // namespace sipas::app
