#include "store/database.hpp"

namespace sipas::store::db {

bool is_postgres_url(std::string_view database) {
  return database.substr(0, 13) == "postgresql://" || database.substr(0, 11) == "postgres://";
}

}  // namespace sipas::store::db
