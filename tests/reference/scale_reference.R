# Reference values for sipas's scale quality (analysis/scale_quality.*): Cronbach's alpha, item-rest
# correlations and alpha if an item is dropped from R's psych::alpha, and the weighted alpha from
# survey::svyvar (pairwise, see below) and stats::cov.wt, on small data made here.
#
# Run from the repository root:
#   Rscript tests/reference/scale_reference.R
# Writes, next to this script (set.seed(20240517): a re-run gives the same bytes):
#   scale_items.csv       60 rows: weight w; scales A (a1..a4, a4 runs against the others), B (b1..b3, no
#                         missing answers), C (c1, c2: two items) and D (d1..d3, d3 always 3: no variance);
#                         9 = don't know, empty = missing
#   scale_officials.csv   80 rows of the officials' form (questionnaires/forms/par-officials.json): weight,
#                         p1_1..p8_1 coded 1-5, 9 = don't know (the scale's excluded code), empty = missing
#   scale_citizen.csv     80 rows of the SIPAS citizen form (questionnaires/forms/sipas-citizen.json): weight,
#                         q9_01..q9_33 coded 1-5, empty = missing (its scale has no excluded code)
#   scale_reference.json  every value with the R expression that produced it
#
# How the values are made:
# - "don't know" (9) is set to NA before anything else, as sipas treats an excluded code;
# - unweighted: psych::alpha(x) with its defaults (use = "pairwise": each covariance over the rows that
#   answer both items; an item without variance is deleted; keys are not reversed);
# - weighted: S[i, j] = svyvar on the design restricted to the rows answering both i and j (the diagonal:
#   answering i), design svydesign(ids = ~1, weights = ~w): sum w (x - xbar_w)(y - ybar_w) / sum w * n/(n-1)
#   with the means and n of those rows; alpha = k/(k-1) (1 - tr S / sum S) (Cronbach 1951).
#   For B (complete answers) also from cov.wt(x, wt = w)$cov, whose different constant factor cancels.

suppressPackageStartupMessages({
  library(psych)
  library(survey)
  library(jsonlite)
})

local({
  all_args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
  source(file.path(if (length(f) == 1) dirname(normalizePath(f)) else ".", "reference_common.R"))
}, envir = globalenv())

all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else normalizePath(".")
forms_dir <- normalizePath(file.path(script_dir, "..", "..", "questionnaires", "forms"), mustWork = TRUE)

E <- new.env()
R <- function(expr) rec(expr, E)
run <- function(code) eval(parse(text = code), envir = E)

# ---- the data --------------------------------------------------------------------------------------------
set.seed(20240517)

# A 1-5 answer from a latent score: person theta, the item's loading and level, noise.
likert <- function(theta, loading, level, noise = 0.8) {
  x <- round(3 + level + loading * theta + rnorm(length(theta), 0, noise))
  pmin(pmax(x, 1), 5)
}
# Some answers become "don't know" (9) and some missing (NA).
spoil <- function(x, dk = 0.06, missing = 0.05) {
  u <- runif(length(x))
  x[u < dk] <- 9
  x[u >= dk & u < dk + missing] <- NA
  x
}

n <- 60
theta <- rnorm(n)
items <- data.frame(id = sprintf("r%02d", 1:n), w = sample(4:24, n, replace = TRUE) / 8)
items$a1 <- spoil(likert(theta, 1.0, 0.2))
items$a2 <- spoil(likert(theta, 0.8, -0.3))
items$a3 <- spoil(likert(theta, 1.2, 0.0))
items$a4 <- spoil(likert(theta, -0.5, 0.4, noise = 1.0))
items$b1 <- likert(theta, 1.0, 0.0)
items$b2 <- likert(theta, 0.7, 0.5)
items$b3 <- round(1 + 6 * pnorm(theta + rnorm(n, 0, 0.9)))  # 1-7
items$c1 <- spoil(likert(theta, 0.9, 0.1), dk = 0.1, missing = 0.1)
items$c2 <- spoil(likert(theta, 0.6, -0.2), dk = 0.1, missing = 0.1)
items$d1 <- spoil(likert(theta, 1.0, 0.0))
items$d2 <- spoil(likert(theta, 0.9, 0.3))
items$d3 <- spoil(rep(3, n))
# (write_csv_ref reads its file back with the api data's colClasses, which name a column these lack.)
write_fixture <- function(d, name) suppressWarnings(write_csv_ref(d, file.path(script_dir, name)))
write_fixture(items, "scale_items.csv")

# The items of every scoring element of a form, in the form's order.
form_elements <- function(file) {
  form <- jsonlite::fromJSON(file.path(forms_dir, file), simplifyVector = FALSE)
  out <- list()
  walk <- function(items) {
    for (it in items) {
      rows <- if (!is.null(it$rows)) it$rows else list(it)
      for (r in rows) {
        e <- r$scoring$element
        if (!is.null(e)) out[[e]] <<- c(out[[e]], r$id)
      }
    }
  }
  for (s in form$sections) walk(s$items)
  ids <- vapply(form$scoring$elements, function(e) e$id, character(1))
  out[intersect(ids, names(out))]
}

officials_elements <- form_elements("par-officials.json")
citizen_elements <- form_elements("sipas-citizen.json")

make_form_data <- function(elements, rows, dk) {
  theta <- rnorm(rows)
  d <- data.frame(weight = sample(4:40, rows, replace = TRUE) / 4)
  for (e in names(elements)) {
    eta <- theta + rnorm(rows, 0, 0.6)  # an element's own part
    for (item in elements[[e]])
      d[[item]] <- spoil(likert(eta, runif(1, 0.6, 1.2), runif(1, -0.5, 0.6)), dk = dk)
  }
  d
}
officials <- make_form_data(officials_elements, 80, dk = 0.07)
citizen <- make_form_data(citizen_elements, 80, dk = 0)
write_fixture(officials, "scale_officials.csv")
write_fixture(citizen, "scale_citizen.csv")

# ---- the values ------------------------------------------------------------------------------------------
read_fixture <- function(name) read.csv(file.path(script_dir, name), na.strings = "", stringsAsFactors = FALSE)
assign("items", read_fixture("scale_items.csv"), envir = E)
assign("officials", read_fixture("scale_officials.csv"), envir = E)
assign("citizen", read_fixture("scale_citizen.csv"), envir = E)

run('
dk_to_na <- function(x) { x[x == 9 & !is.na(x)] <- NA; x }

# The weighted covariance matrix, entry by entry over the rows that answer both items (svyvar on the
# design restricted to them: weights of the other rows become 0, and svyvar counts n among the rows with a
# nonzero weight).
svy_pairwise <- function(x, w) {
  design <- svydesign(ids = ~1, weights = ~w, data = cbind(x, w = w))
  k <- ncol(x)
  S <- matrix(NA_real_, k, k, dimnames = list(names(x), names(x)))
  for (i in 1:k) for (j in 1:i) {
    rows <- !is.na(x[[i]]) & !is.na(x[[j]])
    f <- as.formula(paste("~", paste(unique(names(x)[c(i, j)]), collapse = " + ")))
    v <- svyvar(f, design[rows, ], na.rm = TRUE)
    S[i, j] <- S[j, i] <- if (i == j) as.numeric(coef(v))[1] else as.matrix(v)[2, 1]
  }
  S
}
alpha_of <- function(S) { k <- ncol(S); k / (k - 1) * (1 - sum(diag(S)) / sum(S)) }
')

scale_record <- function(data, items, weight) {
  run(sprintf('x <- as.data.frame(lapply(%s[c(%s)], dk_to_na))', data,
              paste0('"', items, '"', collapse = ", ")))
  run(sprintf('raw <- %s[c(%s)]', data, paste0('"', items, '"', collapse = ", ")))
  # (psych says so on the console when an item runs against the others, as a4 does; keys stay 1.)
  run('invisible(capture.output(a <- suppressWarnings(psych::alpha(x))))')
  run(sprintf('w <- %s$%s', data, weight))
  run('kept <- rownames(a$item.stats)')
  list(
    items = items,
    kept = R('kept'),
    raw_alpha = R('a$total$raw_alpha'),
    std_alpha = R('a$total$std.alpha'),
    r_drop = R('setNames(a$item.stats$r.drop, kept)'),
    alpha_drop = R('setNames(a$alpha.drop$raw_alpha, rownames(a$alpha.drop))'),
    n = R('colSums(!is.na(x))'),
    dont_know_share = R('colSums(!is.na(raw) & raw == 9) / nrow(raw)'),
    missing_share = R('colSums(is.na(raw)) / nrow(raw)'),
    alpha_weighted = R('alpha_of(svy_pairwise(x[kept], w))')
  )
}

out <- list()
out$meta <- list(
  script = "scale_reference.R",
  command = "Rscript tests/reference/scale_reference.R   (from the repository root)",
  R_version = R.version.string,
  platform = sessionInfo()$platform,
  packages = list(psych = as.character(packageVersion("psych")),
                  survey = as.character(packageVersion("survey")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  RNGkind = paste(RNGkind(), collapse = ", "),
  seed = 20240517,
  number_format = "every number is sprintf(\"%.17g\", x): 17 significant digits, reads back to the same double",
  fixtures_md5 = as.list(tools::md5sum(file.path(script_dir, c("scale_items.csv", "scale_officials.csv",
                                                                "scale_citizen.csv"))) |>
                           setNames(c("scale_items.csv", "scale_officials.csv", "scale_citizen.csv"))),
  dont_know = "code 9 is set to NA before psych::alpha and the weighted covariances; its share is of all rows",
  weighted = paste("alpha_weighted = k/(k-1) (1 - tr S / sum S), S[i,j] = svyvar(~i + j, design[rows answering",
                   "both, ]) with design = svydesign(ids = ~1, weights = ~w); items without variance left out",
                   "as psych::alpha leaves them out"),
  psych_two_items = paste("with two items psych's alpha.drop$raw_alpha for dropping item 1 is C[1,2] / C[2,2]",
                          "(and C[1,2] / C[1,1] for item 2): no alpha of one item exists")
)

out$items <- list(
  A = scale_record("items", c("a1", "a2", "a3", "a4"), "w"),
  B = scale_record("items", c("b1", "b2", "b3"), "w"),
  C = scale_record("items", c("c1", "c2"), "w"),
  D = scale_record("items", c("d1", "d2", "d3"), "w")
)
# B has no missing answer: the weighted alpha also from cov.wt, whose constant factor 1/(1 - sum of the
# squared normalized weights) instead of n/(n-1) cancels in the alpha.
run('B <- items[c("b1", "b2", "b3")]')
out$items$B$alpha_weighted_cov_wt <- R('alpha_of(cov.wt(B, wt = items$w)$cov)')
stopifnot(abs(out$items$B$alpha_weighted_cov_wt$value - out$items$B$alpha_weighted$value) < 1e-12)
# D's d3 has no variance: psych deletes it, so two items remain.
stopifnot(identical(out$items$D$kept$value, c("d1", "d2")))

out$officials <- lapply(officials_elements[lengths(officials_elements) >= 2],
                        function(items) scale_record("officials", items, "weight"))
out$citizen <- lapply(citizen_elements[lengths(citizen_elements) >= 2],
                      function(items) scale_record("citizen", items, "weight"))
out$single_item_elements <- list(
  officials = names(officials_elements)[lengths(officials_elements) < 2],
  citizen = names(citizen_elements)[lengths(citizen_elements) < 2])

write_json_ref(out, file.path(script_dir, "scale_reference.json"))
cat("wrote scale_reference.json and the fixtures\n")
