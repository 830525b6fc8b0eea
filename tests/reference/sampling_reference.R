# Reference values for sipas's sampling code (allocation, PPS inclusion probabilities, sample sizes),
# computed with R and the `sampling` package from the api population (apipop.csv).
#
# Run from the repository root:
#   Rscript tests/reference/sampling_reference.R [DATA_DIR]
# DATA_DIR defaults to ../../../shared/data/api relative to this script (/work/shared/data/api).
# Writes sampling_reference.json next to this script. No random numbers are drawn.

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

# def(): evaluate, keep the value in E under `name`, and return the record (expression + value).
def <- function(name, expr) {
  r <- rec(expr, E)
  assign(name, eval(parse(text = expr), envir = E), envir = E)
  c(list(defines = name), r)
}
R <- function(expr) rec(expr, E)

# Largest-remainder rounding (floor, then one more to the largest fractional parts; ties to the stratum that
# comes first, E < H < M). Not a package function: the rule sipas documents in sampling/allocation.hpp,
# written independently here.
E$largest_remainder <- function(target, total) {
  fl <- floor(target)
  left <- as.integer(round(total - sum(fl)))
  ord <- order(-(target - fl), seq_along(target))
  if (left > 0) fl[ord[seq_len(left)]] <- fl[ord[seq_len(left)]] + 1
  fl
}

out <- list()
out$meta <- session_meta("sampling_reference.R", paths$data_dir, "apipop.csv")

# ---- 1. population and allocation -------------------------------------------------------------------
pop <- list(
  N = def("N", "nrow(apipop)"),
  N_h = def("N_h", "c(table(apipop$stype))"),
  mean_h = def("mean_h", "tapply(apipop$api00, apipop$stype, mean)"),
  S_h_sample_sd = def("S_sd", "tapply(apipop$api00, apipop$stype, sd)"),
  S_h_population_sd = def("S_pop", "tapply(apipop$api00, apipop$stype, function(y) sqrt(sum((y - mean(y))^2) / length(y)))"),
  api00_missing = R("sum(is.na(apipop$api00))")
)
out$population <- pop

alloc <- list(
  note = paste(
    "Real-valued allocations of n = 400 over stype (E, H, M); no bounds bind (every n_h < N_h).",
    "Two SD conventions: 'sd' = R's sd(), denominator N_h - 1 (S_h in Cochran's notation);",
    "'popsd' = denominator N_h (sigma_h). 'largest_remainder' rows: integer allocations by floor +",
    "largest remainders, ties to the first stratum (E, H, M), computed by a plain R function in the script",
    "(not a package function)."),
  n = def("n", "400"),
  cost = def("cost", "c(E = 1, H = 4, M = 2)"),
  q = def("q", "0.5"),
  proportional = def("a_prop", "n * N_h / N"),
  equal = def("a_equal", "setNames(rep(n / length(N_h), length(N_h)), names(N_h))"),
  neyman_sd = def("a_ney_sd", "n * N_h * S_sd / sum(N_h * S_sd)"),
  neyman_popsd = def("a_ney_pop", "n * N_h * S_pop / sum(N_h * S_pop)"),
  optimal_sd = def("a_opt_sd", "n * (N_h * S_sd / sqrt(cost)) / sum(N_h * S_sd / sqrt(cost))"),
  optimal_popsd = def("a_opt_pop", "n * (N_h * S_pop / sqrt(cost)) / sum(N_h * S_pop / sqrt(cost))"),
  power_cv_sd = def("a_pow_sd", "n * (S_sd / mean_h * N_h^q) / sum(S_sd / mean_h * N_h^q)"),
  power_cv_popsd = def("a_pow_pop", "n * (S_pop / mean_h * N_h^q) / sum(S_pop / mean_h * N_h^q)"),
  power_nocv = def("a_pow_nocv", "n * N_h^q / sum(N_h^q)")
)
for (k in c("proportional", "equal", "neyman_sd", "neyman_popsd", "optimal_sd", "optimal_popsd",
            "power_cv_sd", "power_cv_popsd", "power_nocv")) {
  alloc[[paste0(k, "_largest_remainder")]] <-
    R(sprintf("largest_remainder(%s, n)", c(proportional = "a_prop", equal = "a_equal", neyman_sd = "a_ney_sd",
      neyman_popsd = "a_ney_pop", optimal_sd = "a_opt_sd", optimal_popsd = "a_opt_pop",
      power_cv_sd = "a_pow_sd", power_cv_popsd = "a_pow_pop", power_nocv = "a_pow_nocv")[[k]]))
}
alloc$variables <- paste(
  "Expressions refer to: N = nrow(apipop); N_h = c(table(apipop$stype)); mean_h, S_sd, S_pop as in",
  "'population'; n = 400; cost = c(E=1, H=4, M=2); q = 0.5; a_* = the allocation with that expression.")
out$allocation <- alloc

# ---- 2. PPS inclusion probabilities (sampling::inclusionprobabilities) -------------------------------
E$pps <- E$apipop[!is.na(E$apipop$enroll), ]
pps <- list(
  note = paste(
    "Size measure: enroll. Rows of apipop with NA enroll are dropped before computing (count below); no",
    "enroll is zero. pi vectors are keyed by cds (14-digit school id, text) in apipop file order.",
    "'certainty' counts units with pi == 1 exactly (inclusionprobabilities sets them to 1)."),
  enroll_missing = R("sum(is.na(apipop$enroll))"),
  enroll_missing_by_stype = R("tapply(is.na(apipop$enroll), apipop$stype, sum)"),
  N_h_used = R("c(table(pps$stype))"),
  N_used = R("nrow(pps)")
)
E$n_pps <- c(E = 100, H = 40, M = 60)
pps$stratified <- list(n_h = R("n_pps"))
for (h in c("E", "H", "M")) {
  E$pik <- inclusionprobabilities(E$pps$enroll[E$pps$stype == h], E$n_pps[[h]])
  pexpr <- sprintf("inclusionprobabilities(pps$enroll[pps$stype == \"%s\"], %d)", h, E$n_pps[[h]])
  names(E$pik) <- E$pps$cds[E$pps$stype == h]
  pps$stratified[[h]] <- list(
    expr = paste0("pik <- ", pexpr, "; names(pik) <- pps$cds[pps$stype == \"", h, "\"]"),
    n_h = E$n_pps[[h]],
    units = R("length(pik)"),
    certainty = R("sum(pik == 1)"),
    sum = R("sum(pik)"),
    min = R("min(pik)"),
    max = R("max(pik)"),
    max_noncertainty = R("max(pik[pik < 1])"),
    pi = E$pik
  )
}
E$pik <- inclusionprobabilities(E$pps$enroll, 400)
names(E$pik) <- E$pps$cds
pps$unstratified <- list(
  expr = "pik <- inclusionprobabilities(pps$enroll, 400); names(pik) <- pps$cds",
  n = 400,
  units = R("length(pik)"),
  certainty = R("sum(pik == 1)"),
  certainty_by_stype = R("tapply(pik == 1, pps$stype, sum)"),
  sum = R("sum(pik)"),
  sum_by_stype = R("tapply(pik, pps$stype, sum)"),
  min = R("min(pik)"),
  max = R("max(pik)"),
  max_noncertainty = R("max(pik[pik < 1])"),
  pi = E$pik
)
# The allocations above give no certainty units on apipop (the largest pi is 0.43), so two larger
# samples are added where certainty units do appear and the iteration of inclusionprobabilities matters.
pps_details <- function(expr_pik, keys_expr, n) {
  E$pik <- eval(parse(text = expr_pik), envir = E)
  names(E$pik) <- eval(parse(text = keys_expr), envir = E)
  list(
    expr = paste0("pik <- ", expr_pik, "; names(pik) <- ", keys_expr),
    n = n,
    units = R("length(pik)"),
    certainty = R("sum(pik == 1)"),
    sum = R("sum(pik)"),
    min = R("min(pik)"),
    max = R("max(pik)"),
    max_noncertainty = R("max(pik[pik < 1])"),
    pi = E$pik
  )
}
pps$certainty_H_400 <- pps_details("inclusionprobabilities(pps$enroll[pps$stype == \"H\"], 400)",
                                   "pps$cds[pps$stype == \"H\"]", 400)
pps$certainty_all_2000 <- pps_details("inclusionprobabilities(pps$enroll, 2000)", "pps$cds", 2000)

pps$small_example <- list(
  sizes = I(c(1, 2, 3, 4, 50, 60, 100)),
  n3 = R("inclusionprobabilities(c(1, 2, 3, 4, 50, 60, 100), 3)"),
  n3_sum = R("sum(inclusionprobabilities(c(1, 2, 3, 4, 50, 60, 100), 3))"),
  n3_certainty = R("sum(inclusionprobabilities(c(1, 2, 3, 4, 50, 60, 100), 3) == 1)"),
  n4 = R("inclusionprobabilities(c(1, 2, 3, 4, 50, 60, 100), 4)"),
  n4_sum = R("sum(inclusionprobabilities(c(1, 2, 3, 4, 50, 60, 100), 4))"),
  n4_certainty = R("sum(inclusionprobabilities(c(1, 2, 3, 4, 50, 60, 100), 4) == 1)")
)
pps$small_example$n3$value <- I(pps$small_example$n3$value)
pps$small_example$n4$value <- I(pps$small_example$n4$value)
out$pps <- pps

# ---- 3. sample sizes ---------------------------------------------------------------------------------
E$Ns <- c(500, 1000, 10000, 100000)
E$e <- 0.05
E$p <- 0.5
E$z <- qnorm(0.975)
E$n0 <- E$z^2 * E$p * (1 - E$p) / E$e^2
ss <- list(
  note = paste(
    "Real values before rounding; the *_ceiling entries are ceiling() of them. Vectors are in the order",
    "N = 500, 1000, 10000, 100000. e = 0.05, p = 0.5, z = qnorm(0.975), deff = 1.5, response rate 0.8."),
  N = list(expr = "Ns <- c(500, 1000, 10000, 100000)", value = I(E$Ns)),
  slovin = R("I(Ns / (1 + Ns * e^2))"),
  z = R("qnorm(0.975)"),
  cochran_n0 = R("z^2 * p * (1 - p) / e^2"),
  cochran_fpc = R("I(n0 / (1 + (n0 - 1) / Ns))"),
  cochran_fpc_deff_response = R("I(n0 * 1.5 / (1 + (n0 * 1.5 - 1) / Ns) / 0.8)"),
  slovin_ceiling = R("I(ceiling(Ns / (1 + Ns * e^2)))"),
  cochran_n0_ceiling = R("ceiling(z^2 * p * (1 - p) / e^2)"),
  cochran_fpc_ceiling = R("I(ceiling(n0 / (1 + (n0 - 1) / Ns)))"),
  cochran_fpc_deff_response_ceiling = R("I(ceiling(n0 * 1.5 / (1 + (n0 * 1.5 - 1) / Ns) / 0.8))"),
  qnorm = R("c(`0.90` = qnorm(0.95), `0.95` = qnorm(0.975), `0.99` = qnorm(0.995))"),
  qnorm_from_conf = R("sapply(c(`0.90` = 0.90, `0.95` = 0.95, `0.99` = 0.99), function(conf) qnorm(1 - (1 - conf) / 2))"),
  qnorm_from_conf_plus = R("sapply(c(`0.90` = 0.90, `0.95` = 0.95, `0.99` = 0.99), function(conf) qnorm((1 + conf) / 2))")
)
out$sample_size <- ss

out$not_produced <- list(
  joint_inclusion_probabilities = "not needed (UPsampford / UPsystematicpi2 were left out on purpose)",
  random_draws = "none: R's random number generator cannot be matched by the C++ code"
)

path <- file.path(paths$out_dir, "sampling_reference.json")
write_json_ref(out, path)
cat("wrote", path, "\n")
