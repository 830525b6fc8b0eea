# What `sipas analyze --prop qNN=4,5 ... --by domain` computes, in R's survey package, timed with
# system.time() for bench/analyze_command_bench.sh (bench/RESULTS.md, "The analysis command").
#
#   Rscript bench/analyze_command_r.R DATA.csv SIPAS_RESULTS.csv
#
# DATA.csv comes from bench/make_responses.cpp. read.csv is not timed. Timed: svydesign(id = ~psu,
# strata = ~stratum, weights = ~weight), then for each of the 20 items svymean() of its top-2
# indicator (1 for codes 4 and 5, 0 for the other answers, 9 = "don't know" included, NA for a
# missing answer; na.rm = TRUE) for everyone and svyby(~domain) of the same: 620 estimates with
# linearized SEs, as sipas's --prop gives them. Then compares every estimate and SE with the
# results CSV sipas wrote for the same file and prints the largest relative differences.
# Prints "result<TAB>name<TAB>seconds" lines for the shell script.

suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: Rscript analyze_command_r.R DATA.csv SIPAS_RESULTS.csv")
items <- sprintf("q%02d", 1:20)
classes <- c(stratum = "integer", psu = "integer", weight = "numeric", domain = "character",
             sex = "character", age = "character", setNames(rep("integer", 20), items))
d <- read.csv(args[1], colClasses = classes, na.strings = c("", "NA"))
for (item in items) {
  q <- d[[item]]
  d[[paste0("t", substring(item, 2))]] <- ifelse(is.na(q), NA_real_, as.numeric(q %in% c(4, 5)))
}
indicators <- paste0("t", substring(items, 2))

out <- vector("list", length(indicators))
elapsed <- system.time({
  des <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, data = d)
  for (k in seq_along(indicators)) {
    f <- as.formula(paste0("~", indicators[k]))
    all <- svymean(f, des, na.rm = TRUE)
    by <- svyby(f, ~domain, des, svymean, na.rm = TRUE, keep.var = TRUE)
    out[[k]] <- data.frame(variable = paste0(items[k], "=4,5"),
                           domain = c("", paste0("domain=", as.character(by$domain))),
                           estimate = c(coef(all), coef(by)), se = c(SE(all), SE(by)))
  }
})[["elapsed"]]
r <- do.call(rbind, out)
cat(sprintf("R %s, survey %s: design + %d estimates in %.2f s\n", getRversion(),
            packageVersion("survey"), nrow(r), elapsed))
cat(sprintf("result\tr\t%.3f\n", elapsed))

# |a - b| relative to the larger of the two; 0 when both are 0.
relative <- function(a, b) ifelse(a == b, 0, abs(a - b) / pmax(abs(a), abs(b)))
s <- read.csv(args[2], colClasses = "character", na.strings = character(0))
s <- data.frame(variable = s$variable, domain = s$domain, estimate = as.numeric(s$estimate),
                se = as.numeric(s$se))
m <- merge(r, s, by = c("variable", "domain"), suffixes = c(".r", ".sipas"))
worst_e <- max(relative(m$estimate.r, m$estimate.sipas))
worst_se <- max(relative(m$se.r, m$se.sipas))
cat(sprintf("R against sipas: %d of %d estimates matched; largest relative difference: estimate %.2e, SE %.2e\n",
            nrow(m), nrow(r), worst_e, worst_se))
cat(sprintf("result\tmatched\t%d\nresult\testimates\t%d\nresult\tworst_estimate\t%.3e\nresult\tworst_se\t%.3e\n",
            nrow(m), nrow(r), worst_e, worst_se))
