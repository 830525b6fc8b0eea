# Reference values for sipas's maximum-entropy (conditional Poisson) πps design, computed with R's
# `sampling` package (Tillé and Matei) from the api population (apipop.csv).
#
# Run from the repository root:
#   Rscript tests/reference/max_entropy_reference.R [DATA_DIR]
# DATA_DIR defaults to ../../../shared/data/api relative to this script (/work/shared/data/api).
# Writes max_entropy_reference.json next to this script. No random numbers are drawn. Takes about
# 10 seconds (most of it the last record, R's q table for 1,803 of 5,960 schools).

suppressPackageStartupMessages({
  library(sampling)
  library(jsonlite)
})

local({
  all_args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
  source(file.path(if (length(f) == 1) dirname(normalizePath(f)) else ".", "reference_common.R"))
}, envir = globalenv())

paths <- ref_paths()
E <- new.env()
E$apipop <- read_api(paths$data_dir, "apipop")
E$pps <- E$apipop[!is.na(E$apipop$enroll), ]
R <- function(expr) rec(expr, E)
keyed <- function(values, keys) {
  names(values) <- keys
  values
}

out <- list()
out$meta <- session_meta("max_entropy_reference.R", paths$data_dir, "apipop.csv")
out$note <- paste(
  "Frames are the first N schools of apipop that have an enrolment (NA enroll dropped, file order), sizes",
  "= enroll. pik = inclusionprobabilities(enroll, n); the maximum-entropy design draws the units with",
  "pik < 1 ('drawable', m = their sum). piktilde = UPMEpiktildefrompik(drawable pik, eps): Tille's",
  "fixed point p <- p + pik - pi(p), which keeps sum(p) = m; odds = piktilde / (1 - piktilde) are the",
  "working odds w of P(s) proportional to prod w_i, unique up to a common factor. pi_of_odds =",
  "UPMEpikfromq(UPMEqfromw(odds, m)): the design's first-order inclusion probabilities, which must equal",
  "the drawable pik. Vectors are keyed by cds.")

# One frame: its inclusion probabilities, the drawable units' working odds and what they give.
frame_record <- function(N, n, eps) {
  E$frame <- head(E$pps, N)
  E$pik <- keyed(inclusionprobabilities(E$frame$enroll, n), E$frame$cds)
  E$drawable <- E$pik[E$pik < 1]
  E$m <- round(sum(E$drawable))
  E$piktilde <- UPMEpiktildefrompik(E$drawable, eps = eps)
  E$odds <- keyed(E$piktilde / (1 - E$piktilde), names(E$drawable))
  E$pi_of_odds <- keyed(UPMEpikfromq(UPMEqfromw(E$odds, E$m)), names(E$drawable))
  # Any odds, not a fixed point: the inclusion probabilities of the CPS design they define.
  E$some_odds <- keyed(E$frame$enroll[E$pik < 1] / 500, names(E$drawable))
  E$pi_of_some_odds <- keyed(UPMEpikfromq(UPMEqfromw(E$some_odds, E$m)), names(E$drawable))
  list(
    frame = sprintf("frame <- head(pps, %d)   (pps = apipop[!is.na(apipop$enroll), ])", N),
    n = n,
    eps = eps,
    pik = list(expr = sprintf("pik <- inclusionprobabilities(frame$enroll, %d)", n), value = E$pik),
    certainty = R("sum(pik == 1)"),
    m = R("m <- round(sum(pik[pik < 1]))"),
    odds = list(expr = sprintf(paste0("piktilde <- UPMEpiktildefrompik(pik[pik < 1], eps = %g); ",
                                      "odds <- piktilde / (1 - piktilde)"), eps),
                value = E$odds),
    sum_piktilde = R("sum(piktilde)"),
    pi_of_odds = list(expr = "UPMEpikfromq(UPMEqfromw(odds, m))", value = E$pi_of_odds),
    max_abs_pi_of_odds_minus_pik = R("max(abs(pi_of_odds - pik[pik < 1]))"),
    some_odds = list(expr = "some_odds <- frame$enroll[pik < 1] / 500", value = E$some_odds),
    pi_of_some_odds = list(expr = "UPMEpikfromq(UPMEqfromw(some_odds, m))", value = E$pi_of_some_odds)
  )
}

out$small <- frame_record(30, 10, 1e-13)
out$commune <- frame_record(300, 100, 1e-13)

# The whole population, n = 2000: the sample of issue 16. R's UPmaxentropy computes the elementary
# symmetric polynomials themselves (UPMEqfromw's expa table), which overflow a double at this size, so
# it cannot draw this sample; sipas works with their ratios.
E$pik <- inclusionprobabilities(E$pps$enroll, 2000)
E$drawable <- E$pik[E$pik < 1]
E$m <- round(sum(E$drawable))
out$api_2000 <- list(
  pik = "pik <- inclusionprobabilities(pps$enroll, 2000)   (all 6,157 schools with an enrolment)",
  units = R("length(pik)"),
  certainty = R("sum(pik == 1)"),
  sum = R("sum(pik)"),
  drawable = R("sum(pik < 1)"),
  m = R("m <- round(sum(pik[pik < 1]))"),
  sum_drawable = R("sum(pik[pik < 1])"),
  upmeqfromw_not_finite = R("q <- UPMEqfromw(pik[pik < 1] / (1 - pik[pik < 1]), m); sum(!is.finite(q))"),
  upmeqfromw_cells = R("length(q)")
)

path <- file.path(paths$out_dir, "max_entropy_reference.json")
write_json_ref(out, path)
cat("wrote", path, "\n")
