# Reference values for sipas's estimation code, computed with R's `survey` package on the api samples.
#
# Run from the repository root:
#   Rscript tests/reference/analysis_reference.R [DATA_DIR]
# DATA_DIR defaults to ../../../shared/data/api relative to this script (/work/shared/data/api).
# Writes, next to this script:
#   analysis_reference.json           every value with the R expression that produced it
#   repweights_<design>.csv           the replicate weights of each replicate design
#   calibration_weights_dclus1.csv    the calibrated weights of dclus1, unit by unit
# The bootstrap replicates use set.seed(42) right before as.svrepdesign(), so re-running gives the same files.

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
options(survey.lonely.psu = "fail", survey.replicates.mse = FALSE, survey.drop.replicates = TRUE,
        survey.adjust.domain.lonely = FALSE, survey.ultimate.cluster = FALSE)

# Everything the recorded expressions refer to lives in E.
E <- new.env()
for (nm in c("apipop", "apisrs", "apistrat", "apiclus1", "apiclus2"))
  assign(nm, read_api(paths$data_dir, nm), envir = E)

R <- function(expr) rec(expr, E)
run <- function(code) eval(parse(text = code), envir = E)
# Records a definition (assignment code) after running it.
define <- function(code) { run(code); code }
# sprintf with the design name substituted for every %s
f <- function(fmt, d) gsub("%s", d, fmt, fixed = TRUE)

out <- list()
out$meta <- session_meta("analysis_reference.R", paths$data_dir,
                         c("apipop.csv", "apisrs.csv", "apistrat.csv", "apiclus1.csv", "apiclus2.csv"))
out$meta$reading <- paste(
  "read.csv(file, colClasses = c(cds = \"character\"), na.strings = \"\", stringsAsFactors = FALSE):",
  "text columns (stype, sch.wide, ...) stay character, which survey treats like factors with sorted levels.",
  "The values read were checked to be identical to data(api) of the survey package.")
out$meta$options <- paste(
  "options(survey.lonely.psu = \"fail\", survey.replicates.mse = FALSE, survey.drop.replicates = TRUE,",
  "survey.adjust.domain.lonely = FALSE, survey.ultimate.cluster = FALSE)  (the package defaults),",
  "except inside 'lonely_psu' where survey.lonely.psu is set per entry.")

# ---- designs ----------------------------------------------------------------------------------------
designs <- list(
  dsrs = define("dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)"),
  dstrat = define("dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)"),
  dclus1 = define("dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)"),
  dclus2 = define("dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)"),
  dclus2_nofpc = define("dclus2_nofpc <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)")
)
out$designs <- designs

# ---- per-design estimates -----------------------------------------------------------------------------
svystat_block <- function(fun, var, d, narm) {
  call <- sprintf("%s(~%s, %s%s", fun, var, d, if (narm) ", na.rm = TRUE" else "")
  list(
    estimate = R(sprintf("coef(%s))", call)),
    SE = R(sprintf("SE(%s))", call)),
    deff = R(sprintf("deff(%s, deff = TRUE))", call)),
    deff_replace = R(sprintf("deff(%s, deff = \"replace\"))", call))
  )
}

estimates <- list()
for (d in names(designs)) {
  e <- list()
  e$degf <- R(f("degf(%s)", d))
  e$n <- R(f("nrow(%s)", d))
  e$sum_weights <- R(f("sum(weights(%s))", d))
  for (v in c("api00", "enroll", "api99")) {
    narm <- v == "enroll"
    e[[paste0("mean_", v)]] <- svystat_block("svymean", v, d, narm)
    e[[paste0("total_", v)]] <- svystat_block("svytotal", v, d, narm)
  }
  e$ratio_api00_api99 <- list(
    ratio = R(f("coef(svyratio(~api00, ~api99, %s))", d)),
    SE = R(f("SE(svyratio(~api00, ~api99, %s))", d))
  )
  e$quantile_api00 <- list(
    settings = paste(
      "survey 4.1 defaults: qrule = \"math\" (the inverse of the weighted empirical CDF: smallest x with",
      "F(x) >= p), interval.type = \"mean\" (Woodruff: a confidence interval for the CDF at the quantile from",
      "svymean of the indicator, mapped back through the quantile rule), alpha = 0.05, ci = TRUE,",
      "se = ci, df = degf(design) so the critical value is qt(0.975, degf). se = (upper - lower) / (2 * qt(0.975, degf))."),
    table = R(f("svyquantile(~api00, %s, quantiles = c(0.25, 0.5))$api00", d)),
    table_ci_true = R(f("svyquantile(~api00, %s, quantiles = c(0.25, 0.5), ci = TRUE)$api00", d)),
    quantile = R(f("coef(svyquantile(~api00, %s, quantiles = c(0.25, 0.5)))", d)),
    SE = R(f("SE(svyquantile(~api00, %s, quantiles = c(0.25, 0.5)))", d)),
    confint = R(f("confint(svyquantile(~api00, %s, quantiles = c(0.25, 0.5)))", d)),
    quantile_ci_false = R(f("coef(svyquantile(~api00, %s, quantiles = c(0.25, 0.5), ci = FALSE))", d)),
    critical_value = R(f("qt(0.975, degf(%s))", d))
  )
  e$by_stype_mean_api00 <- list(
    estimate = R(f("coef(svyby(~api00, ~stype, %s, svymean))", d)),
    SE = R(f("{ b <- svyby(~api00, ~stype, %s, svymean); setNames(SE(b), names(coef(b))) }", d))
  )
  e$by_stype_total_api00 <- list(
    estimate = R(f("coef(svyby(~api00, ~stype, %s, svytotal))", d)),
    SE = R(f("{ b <- svyby(~api00, ~stype, %s, svytotal); setNames(SE(b), names(coef(b))) }", d))
  )
  e$by_stype_total_enroll <- list(
    estimate = R(f("coef(svyby(~enroll, ~stype, %s, svytotal, na.rm = TRUE))", d)),
    SE = R(f("{ b <- svyby(~enroll, ~stype, %s, svytotal, na.rm = TRUE); setNames(SE(b), names(coef(b))) }", d))
  )
  cp <- list(note = paste(
    "svyciprop(..., level = 0.95) with its default df = degf(design). 'SE' is SE() of the svyciprop object:",
    "the linearization SE of the proportion (svymean of the indicator), the same for every method.",
    "logit: svyglm(I(...) ~ 1, family = quasibinomial), estimate expit(coef), CI expit(Wald CI on the logit",
    "scale with qt(., df)); its estimate comes out of an IRLS fit, so it differs from the exact weighted",
    "proportion in about the 10th digit (compare with 'mean'/'xlogit'). xlogit: expit(logit(p) +- qt * SE(p) /",
    "(p (1 - p))), closed form. mean: p +- qt * SE(p). beta: Korn-Graubard, n.eff = p (1 - p) / var(p) *",
    "(qt(alpha/2, nrow(design) - 1) / qt(alpha/2, degf))^2, CI = (qbeta(alpha/2, n.eff p, n.eff (1 - p) + 1),",
    "qbeta(1 - alpha/2, n.eff p + 1, n.eff (1 - p)))."))
  for (m in c("logit", "xlogit", "beta", "mean")) {
    call <- sprintf("svyciprop(~I(sch.wide == \"Yes\"), %s, method = \"%s\", level = 0.95)", d, m)
    cp[[m]] <- list(
      estimate = R(sprintf("coef(%s)", call)),
      ci = R(sprintf("confint(%s)", call)),
      SE = R(sprintf("SE(%s)", call))
    )
  }
  e$ciprop_sch_wide_yes <- cp
  e$mean_sch_wide_yes <- list(
    estimate = R(f("coef(svymean(~as.numeric(sch.wide == \"Yes\"), %s))", d)),
    SE = R(f("SE(svymean(~as.numeric(sch.wide == \"Yes\"), %s))", d)),
    estimate_two_columns = R(f("coef(svymean(~I(sch.wide == \"Yes\"), %s))", d)),
    SE_two_columns = R(f("SE(svymean(~I(sch.wide == \"Yes\"), %s))", d))
  )
  e$confint_mean_api00 <- list(
    t = R(f("confint(svymean(~api00, %s), df = degf(%s))", d)),
    normal = R(f("confint(svymean(~api00, %s))", d))
  )
  estimates[[d]] <- e
}
out$estimates <- estimates

out$deff_mean_api00 <- lapply(setNames(names(designs), names(designs)),
                              function(d) R(f("deff(svymean(~api00, %s, deff = TRUE))", d)))
out$deff_note <- paste(
  "deff = TRUE: v / v_srswor with v_srswor = svyvar(x) * (Nhat - n) / (Nhat * n), Nhat = sum of weights,",
  "n = number of nonzero weights; deff = \"replace\": v_srswr = svyvar(x) / n. For svytotal, the SRS variances",
  "are multiplied by Nhat^2. With na.rm = TRUE the design is first subset to the non-missing rows.")

# ---- lonely PSU ---------------------------------------------------------------------------------------
lonely <- list(
  construction = c(
    define("apistrat_lonely <- rbind(apistrat, transform(apistrat[1, ], stype = \"X\"))"),
    define("dlonely <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat_lonely)")),
  note = paste(
    "apistrat plus one extra row (a copy of apistrat's first row, api00 = 840, pw = 44.209999084472656) in a",
    "new stratum \"X\" of its own: 201 rows, strata E (100), H (50), M (50), X (1). No fpc. The option",
    "survey.lonely.psu is read when the variance is computed, so each entry sets it right before.",
    "certainty and remove both give the lonely stratum zero variance contribution (same numbers here);",
    "adjust centres the lonely PSU at the grand mean instead of the stratum mean; average gives it the",
    "average variance contribution of the other strata."),
  estimate = R("{ options(survey.lonely.psu = \"certainty\"); coef(svymean(~api00, dlonely)) }")
)
for (opt in c("adjust", "average", "certainty", "remove")) {
  lonely[[opt]] <- list(
    SE_mean_api00 = R(sprintf("{ options(survey.lonely.psu = \"%s\"); SE(svymean(~api00, dlonely)) }", opt)),
    SE_total_api00 = R(sprintf("{ options(survey.lonely.psu = \"%s\"); SE(svytotal(~api00, dlonely)) }", opt))
  )
}
options(survey.lonely.psu = "fail")
lonely$fail <- list(
  expr = "{ options(survey.lonely.psu = \"fail\"); SE(svymean(~api00, dlonely)) }",
  error = tryCatch({ SE(svymean(~api00, E$dlonely)); "no error" }, error = function(err) conditionMessage(err))
)
run("options(survey.lonely.psu = \"fail\")")
out$lonely_psu <- lonely

# ---- replicate designs ----------------------------------------------------------------------------
pairs_construction <- c(
  define(paste0("apistrat_pairs <- apistrat[order(apistrat$stype, apistrat$snum), ]; ",
                "apistrat_pairs$pair <- paste0(apistrat_pairs$stype, ",
                "sprintf(\"%02d\", ave(seq_len(nrow(apistrat_pairs)), apistrat_pairs$stype, ",
                "FUN = function(i) (seq_along(i) + 1) %/% 2)))")),
  define("dpairs <- svydesign(id = ~1, strata = ~pair, weights = ~pw, data = apistrat_pairs)"))
stopifnot(all(table(E$apistrat_pairs$pair) == 2))

rep_defs <- list(
  jk1_dclus1 = "jk1_dclus1 <- as.svrepdesign(dclus1, type = \"JK1\")",
  jkn_dstrat = "jkn_dstrat <- as.svrepdesign(dstrat, type = \"JKn\")",
  boot_dclus1 = "set.seed(42); boot_dclus1 <- as.svrepdesign(dclus1, type = \"bootstrap\", replicates = 50)",
  boot_dstrat = "set.seed(42); boot_dstrat <- as.svrepdesign(dstrat, type = \"bootstrap\", replicates = 50)",
  brr_pairs = "brr_pairs <- as.svrepdesign(dpairs, type = \"BRR\")",
  fay_pairs = "fay_pairs <- as.svrepdesign(dpairs, type = \"Fay\", fay.rho = 0.3)"
)
rep_data <- c(jk1_dclus1 = "apiclus1", jkn_dstrat = "apistrat", boot_dclus1 = "apiclus1",
              boot_dstrat = "apistrat", brr_pairs = "apistrat_pairs", fay_pairs = "apistrat_pairs")

reps <- list(
  note = paste(
    "Variance, as survey's svrVar computes it: v = scale * sum_r rscales[r] * (theta_r - centre)^2, where",
    "centre = the full-sample estimate if mse is TRUE, else the mean of the theta_r with rscales[r] > 0.",
    "theta_r uses the replicate's analysis weights (the repR columns of the CSV, = weights(design, \"analysis\")",
    "= replication factor * sampling weight); the full-sample estimate uses the column w",
    "(= weights(design, \"sampling\") = 1/prob of the source design, i.e. 1/(1/pw): it can differ from pw",
    "in the last bit, see max_abs_w_minus_pw). SE = sqrt(v). CSV numbers are written with %.17g.",
    "Bootstrap replicates come from R's RNG (set.seed(42), Mersenne-Twister/Inversion/Rejection): take them",
    "from the CSV, they cannot be regenerated outside R."),
  pairs_design = list(
    construction = pairs_construction,
    note = paste(
      "For BRR/Fay: apistrat sorted by stype then snum; within each stype consecutive schools are paired",
      "(1-2, 3-4, ...) into 100 pseudo-strata of exactly 2 PSUs (E01..E50, H01..H25, M01..M25); each school is",
      "its own PSU; weights pw, no fpc (BRR cannot use one)."),
    taylor_mean_api00 = list(estimate = R("coef(svymean(~api00, dpairs))"), SE = R("SE(svymean(~api00, dpairs))")),
    taylor_total_enroll = list(estimate = R("coef(svytotal(~enroll, dpairs))"), SE = R("SE(svytotal(~enroll, dpairs))"))
  )
)
keep_cols <- c("cds", "stype", "dnum", "snum", "api00", "api99", "enroll", "sch.wide", "pw")
for (r in names(rep_defs)) {
  warn <- character(0)
  withCallingHandlers(run(rep_defs[[r]]),
                      warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  dsg <- get(r, envir = E)
  src <- get(rep_data[[r]], envir = E)
  aw <- weights(dsg, "analysis")
  sw <- weights(dsg, "sampling")
  stopifnot(nrow(aw) == nrow(src))
  cols <- keep_cols
  if (r %in% c("brr_pairs", "fay_pairs")) cols <- c(cols, "pair")
  df <- src[, cols]
  df$w <- as.numeric(sw)
  colnames(aw) <- paste0("rep", seq_len(ncol(aw)))
  df <- cbind(df, as.data.frame(aw))
  csv <- paste0("repweights_", r, ".csv")
  write_csv_ref(df, file.path(paths$out_dir, csv))
  reps[[r]] <- list(
    definition = rep_defs[[r]],
    source_data = rep_data[[r]],
    warnings = if (length(warn)) warn else NULL,
    csv = csv,
    csv_columns = paste(c(cols, "w", "rep1..repR"), collapse = ", "),
    type = R(f("%s$type", r)),
    replicates = R(f("ncol(weights(%s, \"analysis\"))", r)),
    scale = R(f("%s$scale", r)),
    rscales = R(f("%s$rscales", r)),
    mse = R(f("%s$mse", r)),
    fay_rho = R(f("%s$rho", r)),
    degf = R(f("degf(%s)", r)),
    max_abs_w_minus_pw = R(sprintf("max(abs(weights(%s, \"sampling\") - %s$pw))", r, rep_data[[r]])),
    mean_api00 = list(
      estimate = R(f("coef(svymean(~api00, %s))", r)),
      SE = R(f("SE(svymean(~api00, %s))", r)),
      replicates = R(f("as.vector(svymean(~api00, %s, return.replicates = TRUE)$replicates)", r))
    ),
    total_enroll = list(
      estimate = R(f("coef(svytotal(~enroll, %s))", r)),
      SE = R(f("SE(svytotal(~enroll, %s))", r)),
      replicates = R(f("as.vector(svytotal(~enroll, %s, return.replicates = TRUE)$replicates)", r))
    ),
    ratio_api00_api99 = list(
      ratio = R(f("coef(svyratio(~api00, ~api99, %s))", r)),
      SE = R(f("SE(svyratio(~api00, ~api99, %s))", r))
    )
  )
  if (is.null(reps[[r]]$warnings)) reps[[r]]$warnings <- list()
  # a one-element rscales vector would be written as a number; keep it an array
  reps[[r]]$rscales$value <- I(reps[[r]]$rscales$value)
}
out$replicate_designs <- reps

# ---- calibration on dclus1 --------------------------------------------------------------------------
cal_defs <- c(
  define("pop_stype <- data.frame(stype = c(\"E\", \"H\", \"M\"), Freq = as.vector(table(apipop$stype)))"),
  define("pop_schwide <- data.frame(sch.wide = c(\"No\", \"Yes\"), Freq = as.vector(table(apipop$sch.wide)))"),
  define(paste0("pop_totals <- c(`(Intercept)` = nrow(apipop), stypeH = sum(apipop$stype == \"H\"), ",
                "stypeM = sum(apipop$stype == \"M\"), api99 = sum(apipop$api99))"))
)
cal_designs <- list(
  poststratify = "dps <- postStratify(dclus1, ~stype, pop_stype)",
  rake = "drake <- rake(dclus1, list(~stype, ~sch.wide), list(pop_stype, pop_schwide))",
  rake_tight = paste0("drake_tight <- rake(dclus1, list(~stype, ~sch.wide), list(pop_stype, pop_schwide), ",
                      "control = list(maxit = 100, epsilon = 1e-12))"),
  linear = "dlin <- calibrate(dclus1, ~stype + api99, population = pop_totals)",
  linear_bounded = "dbnd <- calibrate(dclus1, ~stype + api99, population = pop_totals, bounds = c(0.5, 2))"
)
cal_names <- c(poststratify = "dps", rake = "drake", rake_tight = "drake_tight", linear = "dlin",
               linear_bounded = "dbnd")

# rake() does not return its iteration count. This re-runs rake's own loop (survey 4.1 rake(): postStratify
# on each margin in turn, stop when the largest change of the joint weighted table svytable(~stype+sch.wide)
# is below epsilon) and counts the passes; the weights are checked to be identical to rake()'s.
E$rake_passes <- function(design, sample.margins, population.margins, maxit = 10, epsilon = 1) {
  if (epsilon < 1) epsilon <- epsilon * sum(weights(design, "sampling"))
  strata <- lapply(sample.margins, function(m) model.frame(m, data = design$variables, na.action = na.fail))
  ff <- formula(paste("~", paste(unlist(lapply(sample.margins, all.vars)), collapse = "+")))
  oldtable <- svytable(ff, design)
  passes <- 0; deltas <- numeric(0); converged <- FALSE
  while (passes < maxit) {
    design$postStrata <- NULL
    for (i in seq_along(sample.margins))
      design <- postStratify(design, strata[[i]], population.margins[[i]], compress = FALSE)
    passes <- passes + 1
    newtable <- svytable(ff, design)
    delta <- max(abs(oldtable - newtable)); deltas <- c(deltas, delta)
    if (delta < epsilon) { converged <- TRUE; break }
    oldtable <- newtable
  }
  list(passes = passes, deltas = deltas, converged = converged, weights = weights(design))
}

cal <- list(
  population = list(definitions = cal_defs,
                    stype = R("setNames(pop_stype$Freq, pop_stype$stype)"),
                    sch_wide = R("setNames(pop_schwide$Freq, pop_schwide$sch.wide)"),
                    totals = R("pop_totals")),
  note = paste(
    "All on dclus1. g = weights(calibrated) / weights(dclus1). The SEs are survey's: the calibration",
    "residuals of the linearised estimator go through the dclus1 cluster variance (postStratify and rake:",
    "the post-stratification / raking adjustment of the influence functions). calibrate()'s default",
    "calfun is \"linear\"; with bounds = c(0.5, 2) it iterates the truncated linear (bounded) calibration.",
    "Units' weights are in calibration_weights_dclus1.csv.")
)
for (k in names(cal_designs)) {
  run(cal_designs[[k]])
  dn <- cal_names[[k]]
  entry <- list(
    definition = cal_designs[[k]],
    mean_api00 = list(estimate = R(f("coef(svymean(~api00, %s))", dn)), SE = R(f("SE(svymean(~api00, %s))", dn))),
    total_enroll = list(estimate = R(f("coef(svytotal(~enroll, %s))", dn)), SE = R(f("SE(svytotal(~enroll, %s))", dn))),
    weight_min = R(f("min(weights(%s))", dn)),
    weight_max = R(f("max(weights(%s))", dn)),
    g_min = R(f("min(weights(%s) / weights(dclus1))", dn)),
    g_max = R(f("max(weights(%s) / weights(dclus1))", dn)),
    sum_weights = R(f("sum(weights(%s))", dn)),
    check_total_stype = R(f("coef(svytotal(~stype, %s))", dn))
  )
  if (k %in% c("rake", "rake_tight", "linear", "linear_bounded"))
    entry$check_total_sch_wide <- R(f("coef(svytotal(~sch.wide, %s))", dn))
  if (k %in% c("linear", "linear_bounded"))
    entry$check_total_api99 <- R(f("coef(svytotal(~api99, %s))", dn))
  if (k == "rake" || k == "rake_tight") {
    ctl <- if (k == "rake") "" else ", maxit = 100, epsilon = 1e-12"
    rp_expr <- sprintf("rake_passes(dclus1, list(~stype, ~sch.wide), list(pop_stype, pop_schwide)%s)", ctl)
    rp <- run(rp_expr)
    stopifnot(identical(unname(rp$weights), unname(weights(get(dn, envir = E)))))
    entry$iterations <- list(
      expr = paste0(rp_expr, "$passes"),
      value = rp$passes,
      deltas = I(rp$deltas),
      converged = rp$converged,
      note = paste(
        "Passes of the raking loop (each pass post-stratifies on stype, then on sch.wide), counted by",
        "re-running rake()'s loop (rake() itself does not return the count); the resulting weights are",
        "identical to rake()'s. deltas: max absolute change of the weighted stype x sch.wide table after",
        "each pass; rake stops when it is below epsilon (1 by default: an absolute count;",
        "epsilon < 1 is relative to the sum of the weights).")
    )
  }
  cal[[k]] <- entry
}
out$calibration <- cal

cw <- E$apiclus1[, keep_cols]
cw$w_dclus1 <- weights(E$dclus1)
for (k in names(cal_names)) cw[[paste0("w_", k)]] <- as.numeric(weights(get(cal_names[[k]], envir = E)))
write_csv_ref(cw, file.path(paths$out_dir, "calibration_weights_dclus1.csv"))

# ---- known results from the package documentation, as a check -------------------------------------
chk <- list(
  mean_api00_dstrat = R("c(estimate = coef(svymean(~api00, dstrat))[[1]], SE = SE(svymean(~api00, dstrat))[[1]])"),
  total_enroll_dclus1 = R("c(estimate = coef(svytotal(~enroll, dclus1))[[1]], SE = SE(svytotal(~enroll, dclus1))[[1]])")
)
stopifnot(round(chk$mean_api00_dstrat$value[["estimate"]], 2) == 662.29,
          round(chk$mean_api00_dstrat$value[["SE"]], 2) == 9.41,
          round(chk$total_enroll_dclus1$value[["estimate"]]) == 3404940,
          round(chk$total_enroll_dclus1$value[["SE"]]) == 932235)
chk$expected <- "662.29 (SE 9.41) and 3,404,940 (SE 932,235), rounded, from the survey documentation: both match"
out$documented_checks <- chk

path <- file.path(paths$out_dir, "analysis_reference.json")
write_json_ref(out, path)
cat("wrote", path, "\n")
