#pragma once

// Private to the questionnaires library: the loader that turns JSON into a
// checked Questionnaire. Split over questionnaire_loader.cpp (structure and
// items), scoring_loader.cpp (the scoring map) and evaluation_order.cpp
// (dependencies and cycles).

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

  // Pieces of the document
  void load_header(const Json& doc);
  void load_scales(const Json& doc);
  std::shared_ptr<const Scale> load_scale(const Json& value, const std::string& path,
                                          const std::string& item, std::string id);
  std::shared_ptr<const Scale> scale_field(const Json& value, const std::string& path,
                                           const std::string& item);
  void load_sections(const Json& doc);
  void load_item(const Json& value, const std::string& path, std::uint32_t section);
  void load_item_fields(Item& item, const Json& value, const std::string& path);
  void load_matrix_rows(std::uint32_t matrix, const Json& value, const std::string& path);
  std::optional<Text> load_text(const Json& value, const std::string& path, const std::string& item,
                                bool required);
  std::optional<std::string> load_string(const Json& object, std::string_view key,
                                         const std::string& path, const std::string& item,
                                         bool required);
  bool load_id(const Json& object, const std::string& path, std::string& out);
  void expression_field(const Json& object, std::string_view key, const std::string& path,
                        const std::string& item, std::optional<Expression>* target,
                        bool allow_self);
  void load_required(Item& item, const Json& value, const std::string& path);
  void load_notes(const Json& doc);
  void load_messages(const Json& doc);
  void compile_pending();
  void check_text_references();

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
