// Stages 6-8 of the demo: analysis, the PAR index, exports and the report.

#include "demo/stages.hpp"

namespace sipas::demo {

void publish_results(StageContext& c) {
  c.stage(6, "Satisfaction indices and PAR survey points");
}

}  // namespace sipas::demo
