# Reference values for `sipas compare` (analysis/compare.*, analysis/multiple_testing.*,
# analysis/year_on_year.*): differences between domains of one design, each domain against the whole
# population, p-values adjusted by Holm and Benjamini-Hochberg, and year-on-year changes across a
# reorganisation of the units, computed with R's `survey` package and by hand from the formulas.
#
# Run from the repository root:
#   Rscript tests/reference/compare_reference.R [DATA_DIR]
# DATA_DIR defaults to ../../../shared/data/api relative to this script (/work/shared/data/api).
# Writes, next to this script:
#   compare_reference.json     every value below, with the R expression that gave it
#   compare_margins.csv        apipop's counts by stype (the calibrated case, as margins.csv)
#   compare_last_year.csv      "last year": apistrat, its counties as the old units (unit), api99 as score
#   compare_this_year.csv      "this year": apisrs, its counties mapped to the new units (unit, and the
#                              county as it was in county), api00 as score
#   compare_unit_map.csv       the reorganisation: old_unit,new_unit,date
#
# The formulas (analysis/README.md, "Comparisons"):
#   pairs         a - b with var = V_aa + V_bb - 2 V_ab: svycontrast(svyby(..., covmat = TRUE), c(1, -1))
#   each vs all   ybar_d - ybar with var = V_dd + V_00 - 2 V_d0; here independently as the SE of
#                 svytotal(~u) with the influence variable u_i = 1_d(i)(y_i - ybar_d)/N_d - (y_i - ybar)/N,
#                 checked against the delta method on the four totals (svycontrast of an expression), and
#                 with replicate designs from the replicates of the two estimates (svrVar)
#   p             2 pt(-|difference / se|, degf(design)); intervals difference -/+ qt(1 - alpha/2, degf) se
#   adjustment    p.adjust(p, "holm"), p.adjust(p, "BH")
#   year on year  this - last, var = se_this^2 + se_last^2 (independent samples), normal reference;
#                 a new unit made of old units k: sum_k N_k ybar_k / sum_k N_k with N_k the old units'
#                 estimated counts, var = sum_k (N_k / sum N)^2 se_k^2 (old units' estimates taken as
#                 independent); or, from last year's answers, svyby on the old design with the mapped unit

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

local({
  all_args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
  source(file.path(if (length(f) == 1) dirname(normalizePath(f)) else ".", "reference_common.R"))
}, envir = globalenv())

paths <- ref_paths()
options(survey.lonely.psu = "fail", survey.replicates.mse = FALSE)
apistrat <- read_api(paths$data_dir, "apistrat")
apiclus1 <- read_api(paths$data_dir, "apiclus1")
apisrs <- read_api(paths$data_dir, "apisrs")
apipop <- read_api(paths$data_dir, "apipop")

# write_csv_ref re-reads with colClasses = c(cds = "character"); the margins file has no cds column.
quiet_csv <- function(df, path) withCallingHandlers(write_csv_ref(df, path), warning = function(w) {
  if (grepl("colClasses", conditionMessage(w))) invokeRestart("muffleWarning")
})

level <- 0.95
out <- list()

# ---- designs ------------------------------------------------------------------------------------------
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
pop_stype <- table(apipop$stype)
margins <- data.frame(variable = "stype", level = names(pop_stype), total = as.numeric(pop_stype),
                      stringsAsFactors = FALSE)
quiet_csv(margins, file.path(paths$out_dir, "compare_margins.csv"))
dclus1_ps <- postStratify(dclus1, ~stype, data.frame(stype = names(pop_stype),
                                                     Freq = as.numeric(pop_stype)))
rep_dstrat <- as.svrepdesign(dstrat, type = "JKn")
rep_dclus1 <- as.svrepdesign(dclus1, type = "JK1")

designs <- list(
  dstrat = list(design = dstrat, expr = "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)"),
  dclus1 = list(design = dclus1, expr = "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)"),
  dclus1_ps = list(design = dclus1_ps, expr = "postStratify(dclus1, ~stype, apipop's counts by stype)"),
  jkn_dstrat = list(design = rep_dstrat, expr = "as.svrepdesign(dstrat, type = \"JKn\")"),
  jk1_dclus1 = list(design = rep_dclus1, expr = "as.svrepdesign(dclus1, type = \"JK1\")"))

# The variable of a statistic: api00, or the 0/1 indicator of sch.wide == "Yes".
with_variable <- function(design, statistic) {
  if (statistic == "mean") return(list(design = design, formula = ~api00, name = "api00"))
  d <- update(design, yes = as.numeric(sch.wide == "Yes"))
  list(design = d, formula = ~yes, name = "yes")
}

p_of <- function(difference, se, df) 2 * pt(-abs(difference / se), df = df)

# One case: the domain estimates by `by`, then the pairs (svycontrast) and each domain against all.
compare_case <- function(design_name, statistic, by, pairs) {
  spec <- designs[[design_name]]
  v <- with_variable(spec$design, statistic)
  d <- v$design
  df <- degf(d)
  t <- qt(1 - (1 - level) / 2, df = df)
  replicated <- inherits(d, "svyrep.design")
  calibrated <- !is.null(d$postStrata)
  byf <- as.formula(paste0("~", by))
  # survey 4.1's svyby(covmat = TRUE) stops with an error on a post-stratified design ("number of items
  # to replace is not a multiple of replacement length"): there the covariances come from the joint
  # influence variables below, which svytotal residualises for the calibration.
  est <- svyby(v$formula, byf, d, svymean, covmat = !calibrated)
  # (svycontrast stops on an svyby that also returns its replicates: asked for apart)
  est_reps <- if (replicated) svyby(v$formula, byf, d, svymean, return.replicates = TRUE)
  all <- svymean(v$formula, d, return.replicates = replicated)
  levels <- as.character(est[[by]])
  case <- list(
    design = spec$expr, statistic = statistic,
    variable = if (statistic == "mean") "api00" else "sch.wide=Yes", by = by,
    df = list(expr = "degf(d)", value = df),
    estimates = list(expr = paste0("svyby(", deparse(v$formula), ", ~", by, ", d, svymean, covmat = TRUE)"),
                     value = setNames(as.numeric(coef(est)), levels)),
    se = list(expr = "SE(svyby(...))", value = setNames(as.numeric(SE(est)), levels)),
    overall = list(expr = paste0("svymean(", deparse(v$formula), ", d)"),
                   value = c(estimate = as.numeric(coef(all)), se = as.numeric(SE(all)))))

  # The influence variable of a domain's mean (or of the whole population's, "all"):
  # 1_d(i) (y_i - ybar_d) / N_d (Binder 1983: an estimator linearized through its influence function).
  y <- d$variables[[v$name]]
  g <- d$variables[[by]]
  w <- weights(d, "sampling")
  ok <- !is.na(y)
  member <- function(l) if (l == "all") ok else ok & !is.na(g) & g == l
  mean_of <- function(l) sum(w[member(l)] * y[member(l)]) / sum(w[member(l)])
  influence <- function(l) {
    m <- member(l)
    ifelse(m, (y - mean_of(l)) / sum(w[m]), 0)
  }
  # The SE of ybar_a - ybar_b from the estimated total of the difference of their influence variables
  # (svytotal applies the calibration residuals), checked against the delta method on the four totals
  # (svycontrast of an expression).
  linearized_se <- function(a, b) {
    du <- update(d, u_ = influence(a) - influence(b))
    se <- as.numeric(SE(svytotal(~u_, du)))
    dt <- update(d, ya_ = ifelse(member(a), y, 0), na_ = as.numeric(member(a)),
                 yb_ = ifelse(member(b), y, 0), nb_ = as.numeric(member(b)))
    delta <- svycontrast(svytotal(~ya_ + na_ + yb_ + nb_, dt), quote(ya_ / na_ - yb_ / nb_))
    stopifnot(abs(as.numeric(SE(delta)) - se) < 1e-9 * se,
              abs(as.numeric(coef(delta)) - (mean_of(a) - mean_of(b))) < 1e-9 * max(1, abs(coef(delta))))
    se
  }
  replicate_se <- function(a, b) {
    ra <- if (a == "all") all$replicates else attr(est_reps, "replicates")[, a]
    rb <- if (b == "all") all$replicates else attr(est_reps, "replicates")[, b]
    sqrt(as.numeric(svrVar(ra - rb, d$scale, d$rscales, mse = d$mse, coef = mean_of(a) - mean_of(b))))
  }
  influence_expr <- "SE(svytotal(~u, d)), u = 1_a (y - ybar_a) / N_a - 1_b (y - ybar_b) / N_b"
  replicate_expr <- "sqrt(svrVar(replicates of a - replicates of b, scale, rscales)): svyby(..., return.replicates = TRUE), svymean(..., return.replicates = TRUE)"

  # Pairs: the contrast a - b of svyby's estimates with their covariance matrix.
  pair_rows <- lapply(pairs, function(p) {
    if (calibrated) {
      difference <- mean_of(p[1]) - mean_of(p[2])
      se <- linearized_se(p[1], p[2])
      expr <- influence_expr
      covariance <- NULL  # (svyby's covariance matrix is not available here)
    } else {
      w <- setNames(numeric(length(levels)), levels)
      w[p[1]] <- 1
      w[p[2]] <- -1
      con <- svycontrast(est, w)
      difference <- as.numeric(coef(con))
      se <- as.numeric(SE(con))
      expr <- paste0("svycontrast(svyby(..., covmat = TRUE), c(", p[1], " = 1, ", p[2], " = -1))")
      covariance <- vcov(est)[p[1], p[2]]
      check <- if (replicated) replicate_se(p[1], p[2]) else linearized_se(p[1], p[2])
      stopifnot(abs(check - se) < 1e-9 * se)
    }
    row <- list(a = p[1], b = p[2], expr = expr, difference = difference, se = se)
    row$covariance <- covariance
    c(row, list(ci_low = difference - t * se, ci_high = difference + t * se, p = p_of(difference, se, df)))
  })
  if (length(pairs) > 0) {
    pv <- vapply(pair_rows, function(r) r$p, numeric(1))
    case$pairs <- pair_rows
    case$pairs_holm <- rec("p.adjust(pv, \"holm\")")
    case$pairs_BH <- rec("p.adjust(pv, \"BH\")")
  }

  # Each domain against the whole population it is part of.
  each <- lapply(levels, function(l) {
    difference <- mean_of(l) - mean_of("all")
    se <- if (replicated) replicate_se(l, "all") else linearized_se(l, "all")
    list(a = l, b = "all", expr = if (replicated) replicate_expr else influence_expr,
         difference = difference, se = se, ci_low = difference - t * se, ci_high = difference + t * se,
         p = p_of(difference, se, df))
  })
  pe <- vapply(each, function(r) r$p, numeric(1))
  case$each_vs_all <- each
  case$each_holm <- rec("p.adjust(pe, \"holm\")")
  case$each_BH <- rec("p.adjust(pe, \"BH\")")
  case
}

out$cases <- list(
  dstrat_mean = compare_case("dstrat", "mean", "stype", list(c("E", "H"), c("E", "M"), c("H", "M"))),
  dstrat_prop = compare_case("dstrat", "prop", "stype", list(c("E", "H"), c("M", "H"))),
  dclus1_mean = compare_case("dclus1", "mean", "stype", list(c("E", "H"), c("E", "M"), c("H", "M"))),
  dclus1_ps_mean = compare_case("dclus1_ps", "mean", "awards", list(c("Yes", "No"))),
  jkn_dstrat_mean = compare_case("jkn_dstrat", "mean", "stype", list(c("E", "H"), c("E", "M"), c("H", "M"))),
  jkn_dstrat_prop = compare_case("jkn_dstrat", "prop", "stype", list(c("E", "H"))),
  jk1_dclus1_mean = compare_case("jk1_dclus1", "mean", "stype", list(c("E", "M"))))

# ---- p.adjust on its own: ties, a missing p, values that the cap and the running max/min change -------
pvec <- c(0.01, 0.04, NA, 0.03, 0.03, 0.5, 0.002, 0.9, 0.04)
missing <- which(is.na(pvec))
# JSON has no NA that reads back as a number: the p-values and results are written without the missing
# one, whose place is `missing` (1-based); p.adjust ran on the whole vector, NA included.
out$p_adjust <- list(
  p = pvec[-missing], missing = missing,
  holm = list(expr = "p.adjust(pvec, \"holm\")[-missing]", value = p.adjust(pvec, "holm")[-missing]),
  BH = list(expr = "p.adjust(pvec, \"BH\")[-missing]", value = p.adjust(pvec, "BH")[-missing]),
  one_holm = rec("p.adjust(0.3, \"holm\")"),
  capped_holm = rec("p.adjust(c(0.4, 0.6, 0.7), \"holm\")"),
  capped_BH = rec("p.adjust(c(0.9, 0.95, 0.99), \"BH\")"))

# ---- year on year -------------------------------------------------------------------------------------
# The reorganisation: old counties merged into new units (2025-07-01). Los Angeles and Orange did not
# change (listed with old = new); Sacramento was renamed; Santa Clara was split between Bay West and
# Silicon Valley (so neither has a comparable past); the other counties are not in the map (this year's
# unit of that name has no past, whatever last year's namesake).
unit_map <- data.frame(
  old_unit = c("Los Angeles", "Orange", "Alameda", "Contra Costa", "San Diego", "Riverside",
               "San Bernardino", "Fresno", "Kern", "Tulare", "Kings", "Sacramento",
               "San Mateo", "San Francisco", "Santa Clara", "Santa Clara"),
  new_unit = c("Los Angeles", "Orange", "East Bay", "East Bay", "Southland", "Southland",
               "Southland", "Valley", "Valley", "Valley", "Valley", "Capital",
               "Bay West", "Bay West", "Bay West", "Silicon Valley"),
  date = "2025-07-01", stringsAsFactors = FALSE)
write.csv(unit_map, file.path(paths$out_dir, "compare_unit_map.csv"), row.names = FALSE,
          quote = FALSE, fileEncoding = "UTF-8")

last_year <- data.frame(cds = apistrat$cds, stype = apistrat$stype, pw = apistrat$pw,
                        fpc = apistrat$fpc, unit = apistrat$cname, score = apistrat$api99,
                        stringsAsFactors = FALSE)
write_csv_ref(last_year, file.path(paths$out_dir, "compare_last_year.csv"))
# This year's unit: the county's new unit, or the county where the map does not list it; Santa Clara's
# schools alternate between its two new units.
new_of <- function(county, i) {
  if (county == "Santa Clara") return(if (i %% 2 == 1) "Bay West" else "Silicon Valley")
  hit <- unit_map$new_unit[unit_map$old_unit == county]
  if (length(hit) == 0) county else hit[1]
}
this_unit <- vapply(seq_len(nrow(apisrs)), function(i) new_of(apisrs$cname[i], i), character(1))
this_year <- data.frame(cds = apisrs$cds, fpc = apisrs$fpc, unit = this_unit, county = apisrs$cname,
                        score = apisrs$api00, stringsAsFactors = FALSE)
write_csv_ref(this_year, file.path(paths$out_dir, "compare_this_year.csv"))

d_last <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = last_year)
d_this <- svydesign(id = ~1, fpc = ~fpc, data = this_year)
z <- qnorm(1 - (1 - level) / 2)

by_unit <- function(design, column) {
  e <- svyby(~score, as.formula(paste0("~", column)), design, svymean)
  # The estimated count of each unit's rows with a score (results.json's weighted_n).
  n <- svyby(~one, as.formula(paste0("~", column)), update(design, one = as.numeric(!is.na(score))),
             svytotal)
  list(units = as.character(e[[column]]), estimate = as.numeric(coef(e)), se = as.numeric(SE(e)),
       weighted_n = as.numeric(coef(n)))
}
last_units <- by_unit(d_last, "unit")
this_units <- by_unit(d_this, "unit")
this_counties <- by_unit(d_this, "county")
get <- function(u, name, what) u[[what]][match(name, u$units)]

yoy_entry <- function(unit, this, last_estimate, last_se, past, from) {
  te <- get(this, unit, "estimate")
  ts <- get(this, unit, "se")
  row <- list(unit = unit, this_year = te, this_se = ts, past = past)
  if (past == "none") return(row)
  difference <- te - last_estimate
  se <- sqrt(ts^2 + last_se^2)
  row <- c(row, list(last_year = last_estimate, last_se = last_se, difference = difference, se = se,
                     ci_low = difference - z * se, ci_high = difference + z * se, from = from))
  # An SE of 0 (a unit of one school in both years) gives no test: no p, and the unit is not one of
  # the hypotheses p.adjust counts (sipas reports null; pnorm would say 0, "significant").
  if (se > 0) row$p <- 2 * pnorm(-abs(difference / se))
  row
}
with_adjusted <- function(rows) {
  has <- vapply(rows, function(r) !is.null(r[["p"]]), logical(1))
  p <- vapply(rows[has], function(r) r[["p"]], numeric(1))
  holm <- p.adjust(p, "holm")
  bh <- p.adjust(p, "BH")
  k <- 0
  for (i in which(has)) {
    k <- k + 1
    rows[[i]]$p_holm <- holm[k]
    rows[[i]]$p_BH <- bh[k]
  }
  rows
}

# (b) the old units' estimates combined with their estimated counts as weights.
split_units <- unique(unit_map$old_unit[duplicated(unit_map$old_unit)])
parts_of <- function(unit) unit_map$old_unit[unit_map$new_unit == unit]
combined <- lapply(this_units$units, function(u) {
  parts <- parts_of(u)
  if (length(parts) == 0 || any(parts %in% split_units)) return(yoy_entry(u, this_units, NA, NA, "none", NULL))
  Nk <- get(last_units, parts, "weighted_n")
  wk <- Nk / sum(Nk)
  est <- sum(wk * get(last_units, parts, "estimate"))
  se <- sqrt(sum(wk^2 * get(last_units, parts, "se")^2))
  past <- if (length(parts) == 1 && parts == u) "same" else "combined"
  yoy_entry(u, this_units, est, se, past, list(unit = parts, weight = wk, weighted_n = Nk))
})
# (a) the new unit as a domain of last year's design: each old row's county mapped to its new unit.
mapped_unit <- vapply(last_year$unit, function(county) {
  if (county %in% split_units) return(NA_character_)
  hit <- unit_map$new_unit[unit_map$old_unit == county]
  if (length(hit) == 0) NA_character_ else hit[1]
}, character(1), USE.NAMES = FALSE)
d_last_mapped <- update(d_last, new_unit = mapped_unit)
mapped_est <- svyby(~score, ~new_unit, d_last_mapped, svymean)
mapped <- lapply(this_units$units, function(u) {
  parts <- parts_of(u)
  if (length(parts) == 0 || any(parts %in% split_units)) return(yoy_entry(u, this_units, NA, NA, "none", NULL))
  i <- match(u, as.character(mapped_est$new_unit))
  past <- if (length(parts) == 1 && parts == u) "same" else "mapped"
  yoy_entry(u, this_units, as.numeric(coef(mapped_est))[i], as.numeric(SE(mapped_est))[i], past,
            list(unit = parts))
})
# Without a map: this year's counties matched to last year's by identical name.
by_code <- lapply(this_counties$units, function(u) {
  if (!(u %in% last_units$units)) return(yoy_entry(u, this_counties, NA, NA, "none", NULL))
  yoy_entry(u, this_counties, get(last_units, u, "estimate"), get(last_units, u, "se"), "same",
            list(unit = u, weight = 1))
})

out$year_on_year <- list(
  level = level,
  this_year_design = "svydesign(id = ~1, fpc = ~fpc, data = compare_this_year.csv)",
  last_year_design = "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = compare_last_year.csv)",
  last_year = list(expr = "svyby(~score, ~unit, d_last, svymean); weighted_n: svyby(~one, ~unit, ..., svytotal)",
                   units = last_units$units, estimate = last_units$estimate, se = last_units$se,
                   weighted_n = last_units$weighted_n),
  this_year = list(expr = "svyby(~score, ~unit, d_this, svymean)", units = this_units$units,
                   estimate = this_units$estimate, se = this_units$se),
  combined = list(expr = "sum(w_k ybar_k), sqrt(sum(w_k^2 se_k^2)), w_k = N_k / sum(N_k); 2 pnorm(-|d / se|)",
                  entries = with_adjusted(combined)),
  mapped = list(expr = "svyby(~score, ~new_unit, update(d_last, new_unit = map[unit]), svymean)",
                entries = with_adjusted(mapped)),
  by_code = list(expr = "this year's counties (svyby(~score, ~county, d_this)) against last year's of the same name",
                 entries = with_adjusted(by_code)))

out$meta <- session_meta("compare_reference.R", paths$data_dir,
                         c("apistrat.csv", "apiclus1.csv", "apisrs.csv", "apipop.csv"))
write_json_ref(out, file.path(paths$out_dir, "compare_reference.json"))
