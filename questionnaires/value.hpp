#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sipas::questionnaires {

// The value of an expression or of an item's answer. Strings are views: into
// the response being validated or into the expression's own constants, so an
// evaluation never allocates.
struct Value {
  enum class Kind : std::uint8_t { Empty, Number, String, Boolean, Selection };

  Kind kind = Kind::Empty;
  bool boolean = false;
  double number = 0;
  std::string_view string;
  std::span<const std::uint16_t> selection;  // choice indices of a multiple-choice answer

  static Value empty() { return {}; }
  static Value of_number(double n) {
    Value v;
    v.kind = Kind::Number;
    v.number = n;
    return v;
  }
  static Value of_string(std::string_view s) {
    Value v;
    v.kind = Kind::String;
    v.string = s;
    return v;
  }
  static Value of_boolean(bool b) {
    Value v;
    v.kind = Kind::Boolean;
    v.boolean = b;
    return v;
  }
  static Value of_selection(std::span<const std::uint16_t> s) {
    Value v;
    v.kind = Kind::Selection;
    v.selection = s;
    return v;
  }

  bool is_empty() const { return kind == Kind::Empty; }
  // Truth as a condition: empty, 0, NaN, '' and false() are false.
  bool truthy() const;
};

}  // namespace sipas::questionnaires
