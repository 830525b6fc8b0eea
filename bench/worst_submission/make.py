#!/usr/bin/env python3
"""Writes the worst submission of bench/worst_submission/README.md.

The questionnaire has 15 long-text items. Each item's constraint is
`regex(., DFA) and (regex(., BT) or regex(., BT) or ...)` up to the
8,192-byte limit of an expression:

- BT, (\\p{L}+\\s?)*\\d, takes a backtracking engine (PCRE2) exponential time
  to fail; PCRE2 gave up on each call at its match limit, after about 10 ms.
- DFA, [\\s\\S]*a[\\s\\S]{1000}, has a DFA too large for RE2's 1 MiB, so RE2
  falls back to its NFA: the slowest match per step of the budget, and the
  answers are as long as lets one such match fit in 20 million steps.

The response answers every item with ANSWER_LENGTH - 1 letters 'a' and a '!',
which both patterns almost match.

    python3 bench/worst_submission/make.py [OUT_DIR]
"""

import json
import os
import sys

ITEMS = 15
ANSWER_LENGTH = 2800
BACKTRACKING = r"(\p{L}+\s?)*\d"
NFA = r"[\s\S]*a[\s\S]{1000}"
EXPRESSION_LIMIT = 8192  # Expression::max_length


def balanced_or(call, count):
    """`count` calls joined by `or` as a balanced tree, so that the expression
    stays within the limit of 256 nested operations."""
    if count == 1:
        return call
    half = count // 2
    return "(%s or %s)" % (balanced_or(call, half), balanced_or(call, count - half))


def constraint():
    head = "regex(., '%s') and " % NFA
    call = "regex(., '%s')" % BACKTRACKING
    count = 1
    while len(head) + len(balanced_or(call, count + 1)) <= EXPRESSION_LIMIT:
        count += 1
    return head + balanced_or(call, count)


def text(s):
    return {"vi": s, "en": s}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    answer = "a" * (ANSWER_LENGTH - 1) + "!"
    items = [
        {
            "id": "t%02d" % i,
            "type": "long_text",
            "text": text("Answer %d" % i),
            "max_length": ANSWER_LENGTH,
            "constraint": constraint(),
            "constraint_message": text("Letters, then a digit"),
        }
        for i in range(1, ITEMS + 1)
    ]
    questionnaire = {
        "format": "sipas-questionnaire/1",
        "id": "worst-submission",
        "version": "1",
        "languages": ["vi", "en"],
        "title": text("Worst submission"),
        "sections": [{"id": "s", "title": text("Texts"), "items": items}],
    }
    response = {
        "questionnaire": "worst-submission",
        "version": "1",
        "answers": {item["id"]: answer for item in items},
    }
    with open(os.path.join(out, "questionnaire.json"), "w") as f:
        json.dump(questionnaire, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(out, "response.json"), "w") as f:
        json.dump(response, f)
        f.write("\n")


if __name__ == "__main__":
    main()
