#pragma once

// The skip logic of a questionnaire as JSON, for clients that evaluate it
// themselves: the web form's script (survey_server/assets/form.js) hides the
// items that do not apply as the respondent answers. The server validates
// every answer again; this export only has to let a client agree with it.
//
// An expression is a tree of objects, each with "op" and, for operators and
// functions, "args" (the operands, in order):
//
//   {"op": "number", "value": 2.5}        {"op": "string", "value": "b"}
//   {"op": "ref", "item": "q8_4"}         {"op": "self"}
//   {"op": "true"}, {"op": "false"}
//   or and eq ne lt le gt ge add sub mul div mod neg not if coalesce int round
//   abs string-length count-selected: {"op": ..., "args": [...]}
//     (round always has two args: round(x) is exported as round(x, 0))
//   {"op": "selected", "args": [ref], "code": 5}
//     a multiple-choice answer includes the choice `code` (a number or string,
//     as typed in the questionnaire)
//   {"op": "selected-value", "args": [ref, literal]}
//     selected() on a single choice: the answer equals the literal and is not
//     empty
//   {"op": "regex", "args": [subject]}
//     the RE2 pattern is not exported: a browser's RegExp reads another
//     syntax ((?i), \pL, (?P<name>...)) with a backtracking matcher, so it
//     cannot match it the same way; a client treats the result as unknown
//     (and shows the item)
//
// The semantics of every op are those of expression.cpp (FORMAT.md,
// "Expressions").

#include <nlohmann/json.hpp>

#include "questionnaires/expression.hpp"
#include "questionnaires/questionnaire.hpp"

namespace sipas::questionnaires {

// One compiled expression of `q` as a JSON tree (above). `e` must belong to `q`
// (its references are slots of q's items).
nlohmann::json expression_to_json(const Questionnaire& q, const Expression& e);

// What a client needs to evaluate the skip logic of `q`:
//
//   {"questionnaire": id, "version": v,
//    "sections": [{"id", "relevant"?: tree, "depends"?: [item ids]}],
//    "items": [...]}
//
// "items" lists every item and matrix row in evaluation order (an item comes
// after every item its relevance or calculation reads), each as
//
//   {"id", "type" (FORMAT.md's name), "section": section id,
//    "parent"?: the matrix of a row, "relevant"?: tree, "calculation"?: tree,
//    "required"?: true or tree, "depends"?: ids whose values decide its
//    relevance or calculation (its own, its matrix's and its section's),
//    "preload"?: true, "codes"?: [the scale's codes, typed] (choice items),
//    "min"?, "max"? (numbers; "YYYY-MM-DD" for dates), "max_length"?,
//    "min_selections"?, "max_selections"?}
//
// The limits let a client tell a valid answer from an invalid one: like the
// validator, it should not judge conditions that read an invalid answer.
nlohmann::json form_logic_to_json(const Questionnaire& q);

}  // namespace sipas::questionnaires
