#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/estimate.hpp"

namespace sipas::analysis {

// Rows an estimate covers: a domain (subpopulation) and rows without a
// missing value. Domains are estimated on the whole design: rows outside get
// weight 0 in the estimate and 0 in the influence values, so the PSU counts
// and fpc stay the sample's (R: svyby, svymean(..., na.rm = TRUE)).
using RowMask = std::vector<bool>;

// Weighted estimators with Taylor-linearized standard errors (R's svytotal,
// svymean, svyratio on a survey.design2). Missing values (NaN) are left out.
// The influence values (x in svyrecvar) can be returned for composites.
struct Linearized {
  Estimate estimate;
  Eigen::VectorXd influence;  // per row, weighted: the variance is design.variance(influence)
};

Linearized total(const Design& design, const std::vector<double>& y, const RowMask& domain = {});
Linearized mean(const Design& design, const std::vector<double>& y, const RowMask& domain = {});
Linearized ratio(const Design& design, const std::vector<double>& numerator,
                 const std::vector<double>& denominator, const RowMask& domain = {});

// The weighted population variance of y with R's n/(n-1) (svyvar), over the
// rows in `used`.
double weighted_variance(const Design& design, const std::vector<double>& y, const RowMask& used);

}  // namespace sipas::analysis
