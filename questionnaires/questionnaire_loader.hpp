#pragma once

// Private to the questionnaires library: the loader that turns JSON into a
// checked Questionnaire. Split by the part of the file it reads:
//   questionnaire_loader.cpp       the document, its header, texts, ids
//   scale_loader.cpp               choice lists (scales)
//   section_loader.cpp             sections, items, matrix rows
//   item_fields_loader.cpp         an item's fields by its type
//   pending_expressions.cpp        expressions, compiled once every id is known
//   notes_and_messages_loader.cpp  notes, validation messages
//   scoring_loader.cpp             the scoring map
//   evaluation_order.cpp           dependencies and cycles

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/regex.hpp"

namespace sipas::questionnaires {

using Json = nlohmann::json;

// Shared by the loader's files (questionnaire_loader.cpp, questionnaire.cpp).
// An item, section or scale id: a letter or _, then letters, digits or _.
bool valid_id(std::string_view id);
// A string choice code or a language code: letters, digits, _ and -.
bool valid_string_code(std::string_view code);
std::optional<Status> status_from_string(std::string_view name);
// JSON pointers of the problems: path/key, path/index.
std::string child(const std::string& path, std::string_view key);
std::string child(const std::string& path, std::size_t index);

class QuestionnaireLoader : public SymbolTable {
 public:
  explicit QuestionnaireLoader(std::string source) : source_(std::move(source)) {}

  Questionnaire load(std::string_view json_text);

  std::optional<Symbol> lookup(std::string_view id) const override;

 private:
  // An expression waiting to be compiled once every item id is known.
  struct PendingExpression {
    std::string text;
    std::string path;
    std::string item;
    std::optional<Expression>* target;
    bool allow_self;
  };

  // Problems
  void problem(std::string id, std::string path, std::string item, std::string message,
               std::size_t column = 0);
  bool check_keys(const Json& object, const std::string& path, const std::string& item,
                  std::initializer_list<std::string_view> allowed);

  // questionnaire_loader.cpp: the document and the readers of any field
  Json parse_document(std::string_view json_text);
  void load_header(const Json& doc);
  void load_languages(const Json& doc);
  std::optional<Text> load_text(const Json& value, const std::string& path, const std::string& item,
                                bool required);
  std::optional<Text> text_field(const Json& object, std::string_view key, const std::string& path,
                                 const std::string& item, bool required);
  std::optional<std::string> load_string(const Json& object, std::string_view key,
                                         const std::string& path, const std::string& item,
                                         bool required);
  void load_status(const Json& object, const std::string& path, const std::string& item,
                   Status& out);
  bool load_id(const Json& object, const std::string& path, std::string& out);

  // scale_loader.cpp
  void load_scales(const Json& doc);
  std::shared_ptr<const Scale> load_scale(const Json& value, const std::string& path,
                                          const std::string& item, std::string id);
  std::shared_ptr<const Scale> scale_field(const Json& value, const std::string& path,
                                           const std::string& item);
  std::optional<Choice> load_choice(const Json& c, const std::string& choice_path,
                                    const std::string& item, const Scale& scale);
  void load_scale_display(const Json& value, const std::string& path, const std::string& item,
                          Scale& scale);
  bool load_excluded_codes(const Json& value, const std::string& path, const std::string& item,
                           Scale& scale);

  // section_loader.cpp
  void load_sections(const Json& doc);
  bool load_section(const Json& value, const std::string& path);
  void load_item(const Json& value, const std::string& path, std::uint32_t section);
  void load_matrix_rows(std::uint32_t matrix, const Json& value, const std::string& path);
  void load_matrix_row(std::uint32_t matrix, const Json& row_value, const std::string& row_path);

  // item_fields_loader.cpp
  void load_item_fields(Item& item, const Json& value, const std::string& path);
  void check_item_keys(const Item& item, const Json& value, const std::string& path);
  void load_item_texts(Item& item, const Json& value, const std::string& path);
  // page_break: true starts a page of the web form at this item or row.
  void load_page_break(Item& item, const Json& value, const std::string& path);
  void queue_item_expressions(Item& item, const Json& value, const std::string& path);
  std::optional<double> number_field(const Json& value, std::string_view key, bool integer,
                                     const std::string& path, const std::string& item);
  void load_choice_item(Item& item, const Json& value, const std::string& path);
  void load_likert_scale(Item& item, const Json& value, const std::string& path);
  std::shared_ptr<const Scale> anchored_scale(const Json& value, const std::string& path,
                                              const std::string& id);
  void load_rating_range(Item& item, const Json& value, const std::string& path);
  void load_number_range(Item& item, const Json& value, const std::string& path);
  void load_date_range(Item& item, const Json& value, const std::string& path);
  void load_max_length(Item& item, const Json& value, const std::string& path);

  // pending_expressions.cpp
  void expression_field(const Json& object, std::string_view key, const std::string& path,
                        const std::string& item, std::optional<Expression>* target,
                        bool allow_self);
  void load_required(Item& item, const Json& value, const std::string& path);
  void compile_pending();
  void check_text_references();

  // notes_and_messages_loader.cpp
  void load_notes(const Json& doc);
  void load_note(const Json& n, const std::string& path);
  void check_placeholders_have_notes();
  void load_messages(const Json& doc);
  void load_own_messages(const Json& own, std::size_t language);
  void check_messages_complete(std::size_t language);

  // scoring_loader.cpp
  void load_item_scoring(std::uint32_t slot, const Json& value, const std::string& path);
  void load_scoring(const Json& doc);
  std::vector<std::uint16_t> codes_to_choices(const Json& codes, const std::string& path,
                                              const Item& item);
  void check_scoring();

  // evaluation_order.cpp
  void compute_evaluation_order();

  std::string source_;
  Questionnaire q_;
  std::vector<Problem> problems_;
  std::vector<PendingExpression> pending_;
  RegexCache regexes_;  // every regex() pattern of the file, compiled once
  std::vector<std::pair<std::string, std::string>>
      text_references_;  // (path, item) of texts with ${
  std::vector<std::string> text_reference_values_;
  const Json* scoring_json_ = nullptr;
  std::set<std::string> broken_scales_;         // declared but invalid: not reported again
  std::vector<const Json*> item_scoring_json_;  // by slot
  std::vector<std::string> item_paths_;         // by slot
};

}  // namespace sipas::questionnaires
