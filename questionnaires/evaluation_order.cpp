// The order in which item values are computed during validation, and the check
// that no item's relevance or calculation depends on its own value.

#include <algorithm>

#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {

void QuestionnaireLoader::compute_evaluation_order() {
  const auto& items = q_.items_;
  const std::size_t n = items.size();
  // value(X) reads relevant(X) (with its section's and its matrix's) and, for
  // calculate items, the calculation. required and constraint read values but
  // feed none, so they cannot close a cycle.
  std::vector<std::vector<std::uint32_t>> depends(n);
  for (const auto& item : items) {
    auto add = [&](const std::optional<Expression>& e) {
      if (e)
        depends[item.slot].insert(depends[item.slot].end(), e->references().begin(),
                                  e->references().end());
    };
    add(item.relevant);
    add(item.calculation);
    if (item.is_matrix_row()) add(items[item.parent].relevant);
    if (item.section < q_.sections_.size()) add(q_.sections_[item.section].relevant);
  }

  // Iterative depth-first search: a form with thousands of chained items must
  // not recurse thousands deep.
  enum class Mark : std::uint8_t { New, Active, Done };
  std::vector<Mark> mark(n, Mark::New);
  std::vector<std::uint32_t> order;
  order.reserve(n);
  struct Frame {
    std::uint32_t slot;
    std::size_t next;
  };
  std::vector<Frame> stack;
  bool reported = false;
  for (std::uint32_t start = 0; start < n; ++start) {
    if (mark[start] != Mark::New) continue;
    stack.push_back({start, 0});
    mark[start] = Mark::Active;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next < depends[top.slot].size()) {
        std::uint32_t dep = depends[top.slot][top.next++];
        if (mark[dep] == Mark::New) {
          mark[dep] = Mark::Active;
          stack.push_back({dep, 0});
        } else if (mark[dep] == Mark::Active && !reported) {
          std::string cycle;
          bool in_cycle = false;
          for (const auto& frame : stack) {
            if (frame.slot == dep) in_cycle = true;
            if (in_cycle) cycle += items[frame.slot].id + " -> ";
          }
          cycle += items[dep].id;
          problem("questionnaire.cycle", item_paths_[dep], items[dep].id,
                  "items depend on each other's answers in a cycle: " + cycle);
          reported = true;
        }
      } else {
        mark[top.slot] = Mark::Done;
        order.push_back(top.slot);
        stack.pop_back();
      }
    }
  }
  q_.evaluation_order_ = std::move(order);
  for (auto& d : depends) {
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
  }
  q_.value_dependencies_ = std::move(depends);
}

}  // namespace sipas::questionnaires
