#include "questionnaires/messages.hpp"

#include <array>

namespace sipas::questionnaires {
namespace {

using Catalog = std::map<std::string, std::string, std::less<>>;

constexpr std::array<std::string_view, 24> keys = {
    "required_missing",
    "not_relevant",
    "wrong_type",
    "type.choice",
    "type.choices",
    "type.integer",
    "type.number",
    "type.date",
    "type.text",
    "unknown_code",
    "duplicate_selection",
    "too_few_selections",
    "too_many_selections",
    "out_of_range_min",
    "out_of_range_max",
    "invalid_date",
    "too_long",
    "invalid_utf8",
    "unknown_item",
    "not_answerable",
    "questionnaire_mismatch",
    "unknown_language",
    "too_many_errors",
    "constraint_failed",
};

const Catalog vietnamese = {
    {"required_missing", "Vui lòng trả lời câu hỏi này."},
    {"not_relevant", "Câu hỏi này không áp dụng theo các câu trả lời trước, xin để trống."},
    {"wrong_type", "Câu trả lời không đúng dạng: cần {expected}."},
    {"type.choice", "một lựa chọn"},
    {"type.choices", "danh sách các lựa chọn"},
    {"type.integer", "một số nguyên"},
    {"type.number", "một số"},
    {"type.date", "một ngày (YYYY-MM-DD)"},
    {"type.text", "văn bản"},
    {"unknown_code", "Lựa chọn '{code}' không có trong danh sách."},
    {"duplicate_selection", "Lựa chọn '{code}' được chọn hai lần."},
    {"too_few_selections", "Vui lòng chọn ít nhất {min} mục."},
    {"too_many_selections", "Chỉ được chọn nhiều nhất {max} mục."},
    {"out_of_range_min", "Giá trị phải lớn hơn hoặc bằng {min}."},
    {"out_of_range_max", "Giá trị phải nhỏ hơn hoặc bằng {max}."},
    {"invalid_date", "Ngày không hợp lệ, xin nhập theo dạng YYYY-MM-DD."},
    {"too_long", "Câu trả lời dài quá {max} ký tự."},
    {"invalid_utf8", "Văn bản chứa ký tự không hợp lệ."},
    {"unknown_item", "Phiếu không có câu hỏi '{item}'."},
    {"not_answerable", "Mục này không nhận câu trả lời."},
    {"questionnaire_mismatch",
     "Câu trả lời dành cho phiếu '{got}', không phải phiếu '{expected}'."},
    {"unknown_language", "Phiếu không có ngôn ngữ '{language}'."},
    {"too_many_errors", "Có quá nhiều lỗi; chỉ hiển thị {max} lỗi đầu tiên."},
    {"constraint_failed", "Câu trả lời không hợp lệ."},
};

const Catalog english = {
    {"required_missing", "Please answer this question."},
    {"not_relevant",
     "This question does not apply given your earlier answers; please leave it empty."},
    {"wrong_type", "Wrong kind of answer: expected {expected}."},
    {"type.choice", "one of the choices"},
    {"type.choices", "a list of choices"},
    {"type.integer", "a whole number"},
    {"type.number", "a number"},
    {"type.date", "a date (YYYY-MM-DD)"},
    {"type.text", "text"},
    {"unknown_code", "'{code}' is not one of the choices."},
    {"duplicate_selection", "'{code}' is selected twice."},
    {"too_few_selections", "Please select at least {min}."},
    {"too_many_selections", "Please select at most {max}."},
    {"out_of_range_min", "The value must be at least {min}."},
    {"out_of_range_max", "The value must be at most {max}."},
    {"invalid_date", "Not a valid date; please write it as YYYY-MM-DD."},
    {"too_long", "The answer is longer than {max} characters."},
    {"invalid_utf8", "The text contains invalid characters."},
    {"unknown_item", "The questionnaire has no question '{item}'."},
    {"not_answerable", "This item does not take an answer."},
    {"questionnaire_mismatch", "The response is for questionnaire '{got}', not '{expected}'."},
    {"unknown_language", "The questionnaire has no language '{language}'."},
    {"too_many_errors", "Too many problems; only the first {max} are listed."},
    {"constraint_failed", "The answer is not valid."},
};

}  // namespace

std::span<const std::string_view> message_keys() {
  return keys;
}

const Catalog* builtin_messages(std::string_view language) {
  if (language == "vi") return &vietnamese;
  if (language == "en") return &english;
  return nullptr;
}

std::string_view shorten(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // A character has at most 3 continuation bytes (10xxxxxx) after its first.
  for (int k = 0; k < 3 && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80; ++k) {
    --end;
  }
  return text.substr(0, end);
}

std::string format_message(
    std::string_view pattern,
    std::initializer_list<std::pair<std::string_view, std::string_view>> args) {
  std::string out;
  out.reserve(pattern.size() + 16);
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      auto close = pattern.find('}', i);
      if (close != std::string_view::npos) {
        auto name = pattern.substr(i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [key, value] : args) {
          if (key == name) {
            out += value;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = close + 1;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

}  // namespace sipas::questionnaires
