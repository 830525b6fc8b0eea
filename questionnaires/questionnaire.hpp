#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "questionnaires/expression.hpp"
#include "questionnaires/scale.hpp"
#include "questionnaires/scoring.hpp"
#include "questionnaires/text.hpp"

namespace sipas::questionnaires {

enum class ItemType : std::uint8_t {
  Single,
  Multiple,
  Likert,
  Rating,
  Integer,
  Decimal,
  Date,
  Text,
  LongText,
  Note,
  Matrix,
  Calculate,
};

std::string_view to_string(ItemType type);
std::optional<ItemType> item_type_from_string(std::string_view name);

// How faithful an item or form is to the official instrument.
enum class Status : std::uint8_t { Unspecified, Official, OfficialStructure, Placeholder };
std::string_view to_string(Status status);

// One question, or one row of a matrix (a row is a Likert item whose parent is
// the matrix). Items are numbered by slot, in document order.
struct Item {
  std::string id;
  ItemType type = ItemType::Note;
  std::uint32_t slot = 0;
  std::uint32_t section = 0;
  static constexpr std::uint32_t no_parent = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t parent = no_parent;  // the matrix of a row
  std::vector<std::uint32_t> rows;   // a matrix's rows

  Text text;
  std::optional<Text> hint;
  Status status = Status::Unspecified;

  bool required = false;                  // when relevant, always
  std::optional<Expression> required_if;  // when relevant, if this holds
  std::optional<Expression> relevant;     // the item's own condition
  std::optional<Expression> constraint;   // on its own answer, `.`
  std::optional<Text> constraint_message;
  std::optional<Expression> calculation;  // calculate items
  bool preload_invitation = false;        // value comes from the invitation
  bool page_break = false;                // the web form starts a new page at this item (pages.hpp)

  std::shared_ptr<const Scale> scale;  // single, multiple, likert, matrix and its rows
  std::uint32_t min_selections = 0;
  std::uint32_t max_selections = std::numeric_limits<std::uint32_t>::max();
  std::optional<double> min, max;                // rating, integer, decimal
  std::optional<std::int32_t> min_day, max_day;  // date, as days since 1970-01-01
  std::size_t max_length = 0;                    // text, long text (characters)

  std::optional<ItemScoring> scoring;

  bool is_matrix_row() const { return parent != no_parent; }
  // Whether a respondent gives this item an answer.
  bool answerable() const {
    return type != ItemType::Note && type != ItemType::Matrix && type != ItemType::Calculate;
  }
};

struct Section {
  std::string id;
  Text title;
  std::optional<Expression> relevant;
  std::vector<std::uint32_t> items;  // top-level items (not matrix rows), in order
};

struct Note {
  std::string item;  // empty for a note about the whole form
  std::string text;
};

// A loaded, checked questionnaire. Immutable after loading; safe to share
// between threads.
class Questionnaire {
 public:
  const std::string& id() const { return id_; }
  const std::string& version() const { return version_; }
  const std::vector<std::string>& languages() const { return languages_; }
  std::optional<std::size_t> language_index(std::string_view code) const;
  const Text& title() const { return title_; }
  const std::optional<Text>& intro() const { return intro_; }
  const std::optional<Text>& closing() const { return closing_; }
  Status status() const { return status_; }
  const std::vector<Note>& notes() const { return notes_; }
  const std::map<std::string, std::shared_ptr<const Scale>>& scales() const { return scales_; }
  const std::vector<Section>& sections() const { return sections_; }
  // Every item and matrix row, by slot.
  const std::vector<Item>& items() const { return items_; }
  const Item* find(std::string_view id) const;
  const ScoringDefinition& scoring() const { return scoring_; }
  // The message template `key` (see messages.hpp) in `language`.
  const std::string& message(std::size_t language, std::string_view key) const;
  // Slots in an order where every item comes after the items its relevance and
  // calculation read.
  const std::vector<std::uint32_t>& evaluation_order() const { return evaluation_order_; }
  // The slots whose values decide an item's relevance or calculation (its own,
  // its section's and its matrix's conditions), by slot.
  const std::vector<std::uint32_t>& value_dependencies(std::uint32_t slot) const {
    return value_dependencies_[slot];
  }

 private:
  friend class QuestionnaireLoader;

  std::string id_, version_;
  std::vector<std::string> languages_;
  Text title_;
  std::optional<Text> intro_, closing_;
  Status status_ = Status::Unspecified;
  std::vector<Note> notes_;
  std::map<std::string, std::shared_ptr<const Scale>> scales_;
  std::vector<Section> sections_;
  std::vector<Item> items_;
  // Looked up by string_view without a copy: find() runs for every answer of
  // every submission.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const noexcept {
      return std::hash<std::string_view>{}(id);
    }
  };
  std::unordered_map<std::string, std::uint32_t, IdHash, std::equal_to<>> by_id_;
  ScoringDefinition scoring_;
  std::vector<std::map<std::string, std::string, std::less<>>> messages_;  // by language
  std::vector<std::uint32_t> evaluation_order_;
  std::vector<std::vector<std::uint32_t>> value_dependencies_;
};

// Limits that keep a hostile questionnaire from exhausting memory or time.
struct QuestionnaireLimits {
  static constexpr std::size_t max_file_bytes = 16 * 1024 * 1024;
  static constexpr std::size_t max_items = 10000;
  static constexpr std::size_t max_choices = 1000;
  static constexpr std::size_t max_languages = 64;
  static constexpr std::size_t max_text_bytes = 65536;
  static constexpr std::size_t max_id_length = 64;
  // Nesting of arrays and objects: a real questionnaire needs about ten levels,
  // and parts of the document are copied and printed recursively.
  static constexpr int max_json_depth = 64;
};

// Parses and checks a questionnaire. `source` names it in error messages (the
// file name). Throws DefinitionError listing every problem found.
Questionnaire load_questionnaire(std::string_view json_text, std::string_view source);
Questionnaire load_questionnaire_file(const std::filesystem::path& path);

}  // namespace sipas::questionnaires
