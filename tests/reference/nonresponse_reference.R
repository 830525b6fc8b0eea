# Reference values for `sipas weights` (analysis/nonresponse.*): a fieldwork sample with dispositions,
# weighted in steps (design weight, eligibility, weighting-class nonresponse adjustment with collapsing,
# raking) and replicate weights re-adjusted inside every replicate, computed by hand in R (class sums with
# tapply) and with R's `survey` package (as.svrepdesign for the replicate factors, rake for the
# calibration, svrepdesign + svymean for the standard errors).
#
# Run from the repository root:
#   Rscript tests/reference/nonresponse_reference.R [DATA_DIR]
# DATA_DIR defaults to ../../../shared/data/api relative to this script (/work/shared/data/api).
# Writes, next to this script:
#   nonresponse_sample.csv       the test fixture: apistrat as a `sipas sample` file, reserves drawn from
#                                apipop, and a disposition column (set.seed(17): the same file every run)
#   nonresponse_margins.csv      population counts of stype and awards (apipop), as margins.csv
#   nonresponse_reference.json   every weight, class, collapse, spread and standard error below
#   nonresponse_repweights_<case>.csv  the respondents' re-adjusted JKn replicate weights, per case
#
# The rules computed here (analysis/README.md, "Nonresponse adjustment"):
#   w_design     design_weight, times m/(m + k) in a reserve group (the stratum, here) where k reserves were
#                activated beside m main units: main units and activated reserves together are an SRS of
#                m + k (the reserves are an SRS of the rest, in random order)
#   w_eligible   known-eligibility cases times (R + N + I + U) / (R + N + I) in their class (the unknowns'
#                weight shared in the class's known proportions), unknowns 0
#   w_nonresponse  respondents times (R + N) / R of the eligibility-adjusted weights in their class
#   classes      collapsed while one has fewer than 20 respondents (10 in stype_awards), no respondent, or a
#                factor above 2 (3 in stype_awards):
#                the failing class with the fewest respondents (the first in order on a tie) joins the
#                neighbour in class order (previous or next) with the closer weighted response rate
#                R / (R + N); on a tie or an undefined rate, the neighbour with fewer respondents, then the
#                previous one
#   w_calibrated raking of the respondents' w_nonresponse to the stype and awards counts of apipop
#   replicates   as.svrepdesign(type = "JKn") of all fielded cases (strata = stratum, PSU = the unit, weights
#                w_design, no fpc); every replicate column goes through the same steps with the full
#                sample's classes
#   linearization  the respondents' design (strata, PSUs, w_eligible) post-stratified on the classes to their
#                eligible totals, then raked: svymean's SE treats the adjustment as a calibration step

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
apipop <- read_api(paths$data_dir, "apipop")

# write_csv_ref re-reads with colClasses = c(cds = "character"); these files have no cds column.
quiet_csv <- function(df, path) withCallingHandlers(write_csv_ref(df, path), warning = function(w) {
  if (grepl("colClasses", conditionMessage(w))) invokeRestart("muffleWarning")
})

# ---- the fixture -------------------------------------------------------------------------------------
as_sample <- function(d, pw, role, rank) {
  data.frame(id = d$cds, stratum = d$stype, psu = d$cds, inclusion_probability = 1 / pw,
             design_weight = pw, role = role, reserve_rank = rank, pi_rows = 1 / pw,
             stype = d$stype, awards = d$awards, sch_wide = d$sch.wide, api00 = d$api00,
             stringsAsFactors = FALSE)
}
strata <- c("E", "H", "M")
n_h <- c(E = 100, H = 50, M = 50)
N_h <- table(apipop$stype)[strata]
set.seed(17)
reserves_per_stratum <- 4
activated <- c(E = 2, H = 3, M = 0)
parts <- list()
for (h in strata) {
  main <- apistrat[apistrat$stype == h, ]
  pw <- as.numeric(N_h[h]) / n_h[[h]]
  rest <- apipop[apipop$stype == h & !(apipop$cds %in% apistrat$cds), ]
  reserve <- rest[sample(nrow(rest), reserves_per_stratum), ]
  parts[[h]] <- rbind(as_sample(main, rep(pw, nrow(main)), "main", NA),
                      as_sample(reserve, rep(pw, nrow(reserve)), "reserve", seq_len(nrow(reserve))))
}
sample <- do.call(rbind, parts)
rownames(sample) <- NULL
fielded <- sample$role == "main" |
  (sample$role == "reserve" & sample$reserve_rank <= activated[sample$stratum])
# Dispositions of the fielded cases: a few ineligible and unknown, response depending on school type.
response_rate <- c(E = 0.8, H = 0.35, M = 0.75)
u <- runif(nrow(sample))
disposition <- ifelse(u < response_rate[sample$stratum], "respondent", "nonrespondent")
which_fielded <- which(fielded)
special <- sample(which_fielded, 16)
disposition[special[1:6]] <- "ineligible"
disposition[special[7:16]] <- "unknown"
disposition[!fielded] <- NA
sample$disposition <- disposition
quiet_csv(sample, file.path(paths$out_dir, "nonresponse_sample.csv"))

margins <- rbind(
  data.frame(variable = "stype", level = names(table(apipop$stype)),
             total = as.numeric(table(apipop$stype)), stringsAsFactors = FALSE),
  data.frame(variable = "awards", level = names(table(apipop$awards)),
             total = as.numeric(table(apipop$awards)), stringsAsFactors = FALSE))
quiet_csv(margins, file.path(paths$out_dir, "nonresponse_margins.csv"))

# Read back exactly as the C++ test reads it.
S <- read.csv(file.path(paths$out_dir, "nonresponse_sample.csv"), colClasses = c(id = "character",
              psu = "character"), na.strings = "", stringsAsFactors = FALSE)
S <- S[!is.na(S$disposition), ]  # reserves never activated are not in the sample
rownames(S) <- NULL

# ---- w_design: reserve substitution ------------------------------------------------------------------
# The reserve group is the stratum here: every PSU of the sample file holds one row.
all_rows <- read.csv(file.path(paths$out_dir, "nonresponse_sample.csv"), colClasses = c(psu = "character"),
                     na.strings = "", stringsAsFactors = FALSE)
stopifnot(!any(duplicated(paste(all_rows$stratum, all_rows$psu))))
m_g <- tapply(S$role == "main", S$stratum, sum)
k_g <- tapply(S$role == "reserve", S$stratum, sum)
S$w_design <- S$design_weight * as.numeric(m_g[S$stratum] / (m_g[S$stratum] + k_g[S$stratum]))

# ---- the steps ---------------------------------------------------------------------------------------
# Class sums by disposition of weights w; cls: each case's class (a label of the collapsed classes).
class_sums <- function(w, disp, cls, labels) {
  s <- function(d) { x <- tapply(w * (disp == d), factor(cls, levels = labels), sum); x[is.na(x)] <- 0; x }
  list(R = s("respondent"), N = s("nonrespondent"), I = s("ineligible"), U = s("unknown"))
}
eligibility_step <- function(w, disp, cls, labels) {
  s <- class_sums(w, disp, cls, labels)
  known <- s$R + s$N + s$I
  factor <- ifelse(s$U > 0, (known + s$U) / known, 1)
  out <- w * as.numeric(factor[cls])
  out[disp == "unknown"] <- 0
  list(w = out, factor = factor)
}
nonresponse_step <- function(w, disp, cls, labels) {
  s <- class_sums(w, disp, cls, labels)
  factor <- ifelse(s$R + s$N > 0, (s$R + s$N) / s$R, 1)
  out <- w * as.numeric(factor[cls])
  out[disp == "nonrespondent" | disp == "unknown"] <- 0
  list(w = out, factor = factor)
}

# Classes in order: by each column's values, numerically where a column is all numbers (not here).
collapse_classes <- function(key, disp, w, min_resp, max_factor) {
  labels <- sort(unique(key), method = "radix")  # byte order
  groups <- as.list(labels)
  collapsed <- list()
  stats_of <- function(g) {
    inc <- key %in% g
    r <- sum(inc & disp == "respondent")
    R <- sum(w[inc & disp == "respondent"]); N <- sum(w[inc & disp == "nonrespondent"])
    list(r = r, R = R, N = N, f = if (R + N == 0) 1 else (R + N) / R,
         rate = if (R + N == 0) NA else R / (R + N))
  }
  fails <- function(s) s$r == 0 || s$r < min_resp || s$f > max_factor
  repeat {
    st <- lapply(groups, stats_of)
    bad <- which(vapply(st, fails, logical(1)))
    if (length(groups) == 1 || length(bad) == 0) break
    k <- bad[which.min(vapply(st[bad], function(s) s$r, numeric(1)))]
    nb <- c(k - 1, k + 1)
    nb <- nb[nb >= 1 & nb <= length(groups)]
    j <- nb[1]
    if (length(nb) == 2) {
      d <- vapply(nb, function(x) abs(st[[k]]$rate - st[[x]]$rate), numeric(1))
      if (any(is.na(d)) || d[1] == d[2]) {
        if (st[[nb[2]]]$r < st[[nb[1]]]$r) j <- nb[2]
      } else if (d[2] < d[1]) j <- nb[2]
    }
    reason <- if (st[[k]]$r == 0) "no respondent" else if (st[[k]]$r < min_resp)
      sprintf("%d respondents, fewer than %d", st[[k]]$r, min_resp) else
      sprintf("adjustment factor %.4f, above %g", st[[k]]$f, max_factor)
    collapsed[[length(collapsed) + 1]] <- list(class = paste(groups[[k]], collapse = " + "),
                                               into = paste(groups[[j]], collapse = " + "),
                                               respondents = st[[k]]$r, factor = st[[k]]$f,
                                               reason = reason)
    a <- min(k, j); b <- max(k, j)
    groups[[a]] <- c(groups[[a]], groups[[b]])
    groups[[b]] <- NULL
  }
  label <- vapply(groups, paste, character(1), collapse = " + ")
  cls <- character(length(key))
  for (g in seq_along(groups)) cls[key %in% groups[[g]]] <- label[g]
  list(labels = label, members = groups, cls = cls, collapsed = collapsed)
}

rake_weights <- function(w, data, margins) {
  keep <- w > 0
  d <- svydesign(ids = ~1, weights = w[keep], data = data[keep, ])
  pop_stype <- data.frame(stype = margins$level[margins$variable == "stype"],
                          Freq = margins$total[margins$variable == "stype"])
  pop_awards <- data.frame(awards = margins$level[margins$variable == "awards"],
                           Freq = margins$total[margins$variable == "awards"])
  r <- rake(d, list(~stype, ~awards), list(pop_stype, pop_awards),
            control = list(maxit = 100, epsilon = 1e-14, verbose = FALSE))
  out <- numeric(length(w))
  out[keep] <- weights(r)
  out
}

spread <- function(w) {
  cv <- sqrt(mean((w - mean(w))^2)) / mean(w)
  list(n = length(w), sum = sum(w), min = min(w), max = max(w), mean = mean(w), cv = cv,
       deff = 1 + cv^2, deff_check = length(w) * sum(w^2) / sum(w)^2)
}

weight_all <- function(S, key, margins, min_resp, max_factor) {
  cc <- collapse_classes(key, S$disposition, S$w_design, min_resp, max_factor)
  el <- eligibility_step(S$w_design, S$disposition, cc$cls, cc$labels)
  nr <- nonresponse_step(el$w, S$disposition, cc$cls, cc$labels)
  cal <- if (is.null(margins)) NULL else {
    resp <- S$disposition == "respondent"
    x <- numeric(nrow(S)); x[resp] <- rake_weights(nr$w[resp], S[resp, ], margins); x
  }
  list(classes = cc, eligibility = el, nonresponse = nr, calibrated = cal,
       final = if (is.null(cal)) nr$w else cal)
}

# Replicates: JKn factors of all fielded cases; each column re-adjusted with the full sample's classes.
replicate_all <- function(S, full, margins) {
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w_design, data = S)
  rep <- as.svrepdesign(des, type = "JKn")
  W <- weights(rep, "analysis")
  cc <- full$classes
  resp <- S$disposition == "respondent"
  out <- matrix(0, nrow = sum(resp), ncol = ncol(W))
  for (r in seq_len(ncol(W))) {
    el <- eligibility_step(W[, r], S$disposition, cc$cls, cc$labels)
    nr <- nonresponse_step(el$w, S$disposition, cc$cls, cc$labels)
    out[, r] <- if (is.null(margins)) nr$w[resp] else rake_weights(nr$w[resp], S[resp, ], margins)
  }
  list(weights = out, rscales = rep$rscales, scale = rep$scale, factors = W / S$w_design)
}

standard_errors <- function(S, full, reps) {
  resp <- S$disposition == "respondent"
  D <- S[resp, ]
  D$weight <- full$final[resp]
  d <- svrepdesign(data = D, repweights = reps$weights, weights = ~weight, type = "JKn",
                   scale = reps$scale, rscales = reps$rscales, combined.weights = TRUE, mse = FALSE)
  m <- svymean(~api00, d)
  p <- svymean(~I(sch_wide == "Yes"), d)
  list(mean_api00 = list(estimate = unname(coef(m)), SE = unname(SE(m))),
       prop_sch_wide_yes = list(estimate = unname(coef(p)[2]), SE = unname(SE(p)[2])),
       degf = degf(d))
}

# Linearization: the respondents' design with w_eligible, post-stratified on the weighting classes to the
# classes' eligible totals (the nonresponse adjustment as a calibration step: Sarndal and Lundstrom 2005,
# ch. 7-8), then raked to the margins; svyrecvar takes the residuals of both steps in that order.
linearized <- function(S, full, margins) {
  resp <- S$disposition == "respondent"
  D <- S[resp, ]
  D$w_eligible <- full$eligibility$w[resp]
  D$cls <- full$classes$cls[resp]
  totals <- tapply(full$nonresponse$w[resp], D$cls, sum)
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w_eligible, data = D)
  d <- postStratify(d, ~cls, data.frame(cls = names(totals), Freq = as.numeric(totals)))
  if (!is.null(margins)) {
    pop <- function(v) {
      x <- data.frame(margins$level[margins$variable == v], margins$total[margins$variable == v])
      names(x) <- c(v, "Freq")
      x
    }
    d <- rake(d, list(~stype, ~awards), list(pop("stype"), pop("awards")),
              control = list(maxit = 100, epsilon = 1e-14, verbose = FALSE))
  }
  m <- svymean(~api00, d)
  p <- svymean(~I(sch_wide == "Yes"), d)
  list(mean_api00 = list(estimate = unname(coef(m)), SE = unname(SE(m))),
       prop_sch_wide_yes = list(estimate = unname(coef(p)[2]), SE = unname(SE(p)[2])),
       degf = degf(d),
       max_weight_difference = max(abs(weights(d) - full$final[resp]) / full$final[resp]))
}

record_case <- function(name, S, key_columns, margins, min_resp = 20, max_factor = 2) {
  key <- if (length(key_columns) == 1) S[[key_columns]] else do.call(paste, c(S[key_columns], sep = "|"))
  full <- weight_all(S, key, margins, min_resp, max_factor)
  reps <- replicate_all(S, full, margins)
  resp <- S$disposition == "respondent"
  cc <- full$classes
  sums <- class_sums(S$w_design, S$disposition, cc$cls, cc$labels)
  classes <- lapply(seq_along(cc$labels), function(g) {
    lab <- cc$labels[g]; inc <- cc$cls == lab
    list(label = lab, members = I(cc$members[[g]]),
         respondents = sum(inc & S$disposition == "respondent"),
         nonrespondents = sum(inc & S$disposition == "nonrespondent"),
         ineligible = sum(inc & S$disposition == "ineligible"),
         unknown = sum(inc & S$disposition == "unknown"),
         sum_respondents = unname(sums$R[lab]), sum_nonrespondents = unname(sums$N[lab]),
         sum_ineligible = unname(sums$I[lab]), sum_unknown = unname(sums$U[lab]),
         eligibility_factor = unname(full$eligibility$factor[lab]),
         nonresponse_factor = unname(full$nonresponse$factor[lab]))
  })
  ids <- S$id[resp]
  by_id <- function(w) { v <- w[resp]; names(v) <- ids; v }
  weights <- list(w_design = by_id(S$w_design), w_eligible = by_id(full$eligibility$w),
                  w_nonresponse = by_id(full$nonresponse$w))
  if (!is.null(full$calibrated)) weights$w_calibrated <- by_id(full$calibrated)
  weights$weight <- by_id(full$final)
  rw <- data.frame(id = ids, stringsAsFactors = FALSE)
  for (r in seq_len(ncol(reps$weights))) rw[[paste0("rw", r)]] <- reps$weights[, r]
  quiet_csv(rw, file.path(paths$out_dir, paste0("nonresponse_repweights_", name, ".csv")))
  list(
    classes_by = I(key_columns),
    min_respondents = min_resp,
    max_factor = max_factor,
    calibration = if (is.null(margins)) NULL else "rake(~stype, ~awards), epsilon 1e-14",
    respondents = sum(resp),
    classes = classes,
    collapsed = cc$collapsed,
    weights = weights,
    spread = lapply(weights, spread),
    replicates = list(type = "JKn", count = ncol(reps$weights), scale = reps$scale,
                      rscales = I(unname(reps$rscales)),
                      csv = paste0("nonresponse_repweights_", name, ".csv")),
    estimates = standard_errors(S, full, reps),
    linearization = linearized(S, full, margins)
  )
}

margins_read <- read.csv(file.path(paths$out_dir, "nonresponse_margins.csv"), stringsAsFactors = FALSE)
out <- list()
out$meta <- session_meta("nonresponse_reference.R", paths$data_dir, c("apistrat.csv", "apipop.csv"))
out$meta$fixture <- paste(
  "nonresponse_sample.csv: apistrat (200 schools, strata E 100, H 50, M 50, pw = N_h/n_h) as sipas sample",
  "writes it (id = psu = cds, single stage), 4 reserves per stratum drawn from the rest of apipop",
  "(set.seed(17)), of which 2 (E), 3 (H), 0 (M) were activated; dispositions of the fielded cases:",
  "respondent with probability E 0.8, H 0.35, M 0.75, then 6 made ineligible and 10 unknown.")
out$fixture <- list(
  rows = nrow(sample), fielded = sum(fielded),
  dispositions = as.list(table(factor(S$disposition, levels = c("respondent", "nonrespondent",
                                                                  "ineligible", "unknown")))),
  by_stratum = lapply(split(S$disposition, S$stratum), function(x) as.list(table(factor(x,
    levels = c("respondent", "nonrespondent", "ineligible", "unknown"))))),
  w_design_by_stratum = tapply(S$w_design, S$stratum, function(x) x[1]))
out$stratum_rake <- record_case("stratum_rake", S, "stratum", margins_read)
out$stype_awards <- record_case("stype_awards", S, c("stype", "awards"), NULL, min_resp = 10, max_factor = 3)
write_json_ref(out, file.path(paths$out_dir, "nonresponse_reference.json"))
cat("wrote nonresponse_reference.json\n")
