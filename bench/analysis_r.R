# The computations of bench/analysis_bench.cpp in R's survey package, timed with system.time(),
# for bench/analysis_bench.sh (bench/RESULTS.md, "Analysis").
#
#   Rscript bench/analysis_r.R DATA.csv [CASES] [PREFIX]
#
# DATA.csv comes from bench/make_responses.cpp. CASES is any of "abc" (default all):
#   a  svymean() of the 20 satisfaction indicators (1 for codes 4-5, 0 for 1-3, NA for 9 = don't
#      know and for a missing answer) with na.rm = TRUE, everyone, and svyby(~domain) of the same,
#      on svydesign(id = ~psu, strata = ~stratum, weights = ~weight): 20 × 31 estimates with SEs;
#      one svymean and one svyby call per item (na.rm drops a row from the items it lacks only).
#      This is sipas's item index: Σ w 1[4, 5] / Σ w 1[1..5] with the same linearized SE.
#   b  as.svrepdesign(type = "JKn") (1,260 replicates; its construction is timed inside the case and
#      also on its own) and the same estimates on it
#   c  rake() to sex and age with N = Σ weight, sex F 0.52 N, M 0.48 N, age 0.22, 0.21, 0.20, 0.19,
#      0.18 of N; control = list(maxit = 50, epsilon = 1e-10) as sipas's defaults
# Prints lines "result<TAB>case<TAB>seconds" (elapsed) for the shell script. With PREFIX, also
# compares with the estimates sipas wrote (analysis_bench --estimates-out PREFIX): PREFIX-a.csv,
# PREFIX-b.csv (item, domain, estimate, se in percent) and PREFIX-c.csv (raked weight totals by
# sex × age and the sum of squared weights), and prints the largest relative differences.

suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript analysis_r.R DATA.csv [CASES] [PREFIX]")
path <- args[1]
cases <- if (length(args) >= 2) args[2] else "abc"
prefix <- if (length(args) >= 3) args[3] else ""
has <- function(case) grepl(case, cases, fixed = TRUE)

items <- sprintf("q%02d", 1:20)
classes <- c(stratum = "integer", psu = "integer", weight = "numeric", domain = "character",
             sex = "character", age = "character", setNames(rep("integer", 20), items))

cat(sprintf("R %s, survey %s\n", getRversion(), packageVersion("survey")))
load_time <- system.time({
  d <- read.csv(path, colClasses = classes, na.strings = c("", "NA"))
  for (item in items) {
    q <- d[[item]]
    d[[paste0("s", substring(item, 2))]] <- ifelse(is.na(q) | q == 9, NA_real_, as.numeric(q >= 4))
  }
})[["elapsed"]]
cat(sprintf("load: %.2f s (read.csv and indicators), %d rows\n", load_time, nrow(d)))
cat(sprintf("result\tload\t%.3f\n", load_time))
indicators <- paste0("s", substring(items, 2))

design_time <- system.time(
  des <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, data = d)
)[["elapsed"]]
cat(sprintf("design: %.2f s\n", design_time))
cat(sprintf("result\tdesign\t%.3f\n", design_time))

# Item shares in percent, everyone and by domain, as a data frame.
shares <- function(design) {
  out <- vector("list", length(indicators))
  for (k in seq_along(indicators)) {
    f <- as.formula(paste0("~", indicators[k]))
    all <- svymean(f, design, na.rm = TRUE)
    by <- svyby(f, ~domain, design, svymean, na.rm = TRUE, keep.var = TRUE)
    out[[k]] <- data.frame(item = items[k], domain = c("(all)", as.character(by$domain)),
                           estimate = 100 * c(coef(all), coef(by)),
                           se = 100 * c(SE(all), SE(by)))
  }
  do.call(rbind, out)
}

# |a - b| relative to the larger of the two; 0 when both are 0 (an SE of a share of 0 or 1).
relative <- function(a, b) ifelse(a == b, 0, abs(a - b) / pmax(abs(a), abs(b)))

compare_shares <- function(r, file, what) {
  if (!nzchar(prefix) || !file.exists(file)) return(invisible())
  s <- read.csv(file, colClasses = c("character", "character", "numeric", "numeric"))
  m <- merge(r, s, by = c("item", "domain"), suffixes = c(".r", ".sipas"))
  cat(sprintf("%s against sipas (%s): %d of %d estimates matched; largest relative difference: estimate %.2e, SE %.2e\n",
              what, file, nrow(m), nrow(r),
              max(relative(m$estimate.r, m$estimate.sipas)), max(relative(m$se.r, m$se.sipas))))
}

if (has("a")) {
  t <- system.time(a <- shares(des))[["elapsed"]]
  cat(sprintf("case a (linearized, %d estimates): %.2f s\n", nrow(a), t))
  cat(sprintf("result\ta\t%.3f\n", t))
  compare_shares(a, paste0(prefix, "-a.csv"), "case a")
}

if (has("b")) {
  build <- 0
  t <- system.time({
    build <- system.time(rep <- as.svrepdesign(des, type = "JKn"))[["elapsed"]]
    b <- shares(rep)
  })[["elapsed"]]
  cat(sprintf("case b (JKn, %d replicates, %d estimates): %.2f s (as.svrepdesign %.2f s)\n",
              ncol(rep$repweights$weights), nrow(b), t, build))
  cat(sprintf("result\tb\t%.3f\n", t))
  cat(sprintf("result\tb_build\t%.3f\n", build))
  compare_shares(b, paste0(prefix, "-b.csv"), "case b")
  rm(rep)
}

if (has("c")) {
  n_total <- sum(d$weight)
  pop_sex <- data.frame(sex = c("F", "M"), Freq = c(0.52, 0.48) * n_total)
  pop_age <- data.frame(age = c("18-29", "30-39", "40-49", "50-59", "60+"),
                        Freq = c(0.22, 0.21, 0.20, 0.19, 0.18) * n_total)
  t <- system.time(
    raked <- rake(des, list(~sex, ~age), list(pop_sex, pop_age),
                  control = list(maxit = 50, epsilon = 1e-10, verbose = FALSE))
  )[["elapsed"]]
  w <- weights(raked)
  cat(sprintf("case c (raking): %.2f s; weights in [%.6g, %.6g]\n", t, min(w), max(w)))
  cat(sprintf("result\tc\t%.3f\n", t))
  file <- paste0(prefix, "-c.csv")
  if (nzchar(prefix) && file.exists(file)) {
    s <- read.csv(file, colClasses = c("character", "character", "numeric"))
    cells <- aggregate(w, by = list(sex = d$sex, age = d$age), FUN = sum)
    m <- merge(cells, s, by = c("sex", "age"))
    squares <- s$total[s$sex == "(sum of squares)"]
    cat(sprintf("case c against sipas (%s): %d cells; largest relative difference of the raked cell totals %.2e, of the sum of squared weights %.2e\n",
                file, nrow(m), max(relative(m$x, m$total)), relative(sum(w^2), squares)))
  }
}
