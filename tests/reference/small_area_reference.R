# Reference values for the Fay-Herriot area-level model (analysis/small_area.*, sipas small-area).
#
# Usage (from the repository root):  Rscript tests/reference/small_area_reference.R [DATA_DIR]
# DATA_DIR defaults to ../../../shared/data/sae relative to this script (/work/shared/data/sae).
# Writes small_area_reference.json and the fixture small_area_milk.csv next to this script.
#
# Everything here is computed without sipas and without the `sae` package (not installed):
#   (a) independent tools: metafor::rma (the Fay-Herriot model is a random-effects meta-regression with known
#       sampling variances; REML and ML by its own Fisher scoring) and nlme::lme with the residual standard
#       deviation fixed at 1 and varFixed(~D) (REML and ML by nlme's optimiser);
#   (b) a direct implementation of the formulas in base R with full m x m matrices: the restricted and the
#       profile log-likelihood maximised with optimize() and the maximum polished by uniroot() on the
#       score (Brent's methods, not Fisher scoring), then GLS, the EBLUP, gamma, g1, g2, g3 and the
#       Prasad-Rao (REML) and Datta-Lahiri (ML) MSE written out from Rao and Molina (2015), section 6.2.
# The reference values the C++ tests read are those of (b); the script stops unless (a) agrees with them
# (metafor to 1e-6 relative, nlme's ML to 1e-4). nlme's REML with a fixed sigma does not agree (it gives
# sigma2_v = 0.01777 on milk, not the 0.01855 that metafor and (b) give and that reproduces the published
# fixed effects); it is recorded, not used.

args <- commandArgs(trailingOnly = TRUE)
all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else normalizePath(".")
source(file.path(script_dir, "reference_common.R"))
data_dir <- normalizePath(if (length(args) >= 1) args[1]
                          else file.path(script_dir, "..", "..", "..", "shared", "data", "sae"),
                          mustWork = TRUE)

suppressPackageStartupMessages({
  library(metafor)
  library(nlme)
})

milk <- read.csv(file.path(data_dir, "milk.csv"), stringsAsFactors = FALSE)
stopifnot(nrow(milk) == 43)
milk$D <- milk$SD^2          # the known sampling variances
milk$log_ni <- log(milk$ni)  # a numeric covariate for the second case

# ---- (b) the formulas, in base R -------------------------------------------------------------------

# Restricted log-likelihood (Rao and Molina 2015, section 6.1.2; Harville 1977), constants dropped:
#   l_R(A) = -1/2 [log|V| + log|X'V^-1 X| + y'P y],  V = diag(A + D),  P = V^-1 - V^-1 X (X'V^-1 X)^-1 X'V^-1.
loglik_reml <- function(A, y, D, X) {
  V <- diag(A + D, nrow = length(y))
  Vi <- solve(V)
  XtViX <- t(X) %*% Vi %*% X
  P <- Vi - Vi %*% X %*% solve(XtViX) %*% t(X) %*% Vi
  -0.5 * (as.numeric(determinant(V)$modulus) + as.numeric(determinant(XtViX)$modulus) +
            as.numeric(t(y) %*% P %*% y))
}
# Profile log-likelihood (beta at its GLS value), constants dropped.
gls <- function(A, y, D, X) {
  Vi <- diag(1 / (A + D), nrow = length(y))
  Q <- solve(t(X) %*% Vi %*% X)
  list(beta = as.vector(Q %*% t(X) %*% Vi %*% y), Q = Q)
}
loglik_ml <- function(A, y, D, X) {
  r <- y - X %*% gls(A, y, D, X)$beta
  -0.5 * sum(log(A + D) + r^2 / (A + D))
}
# Their derivatives in A (the scores), for polishing the maximum:
#   REML: -1/2 tr(P) + 1/2 y'P P y;  ML: -1/2 tr(V^-1) + 1/2 r'V^-2 r.
score_reml <- function(A, y, D, X) {
  Vi <- diag(1 / (A + D), nrow = length(y))
  P <- Vi - Vi %*% X %*% solve(t(X) %*% Vi %*% X) %*% t(X) %*% Vi
  Py <- P %*% y
  -0.5 * sum(diag(P)) + 0.5 * sum(Py^2)
}
score_ml <- function(A, y, D, X) {
  r <- y - X %*% gls(A, y, D, X)$beta
  -0.5 * sum(1 / (A + D)) + 0.5 * sum(r^2 / (A + D)^2)
}

fh_direct <- function(y, D, X, method) {
  m <- length(y); p <- ncol(X)
  ll <- if (method == "REML") loglik_reml else loglik_ml
  sc <- if (method == "REML") score_reml else score_ml
  upper <- 10 * var(y) + max(D)
  opt <- optimize(function(A) ll(A, y, D, X), c(0, upper), maximum = TRUE, tol = 1e-12)
  A_opt <- opt$maximum
  # The score changes sign around the maximum; Brent's root finder takes it to ~1e-15.
  A <- if (sc(0, y, D, X) <= 0) 0 else
    uniroot(function(a) sc(a, y, D, X), c(A_opt * 0.9, A_opt * 1.1), tol = 1e-15)$root
  g <- gls(A, y, D, X)
  beta <- g$beta; Q <- g$Q
  xb <- as.vector(X %*% beta)
  gamma <- A / (A + D)
  eblup <- gamma * y + (1 - gamma) * xb
  # Rao and Molina (2015), section 6.2.1: g1 = gamma D; g2 = (1 - gamma)^2 x'(X'V^-1 X)^-1 x;
  # g3 = D^2 (A + D)^-3 Vbar, Vbar = 2 / sum((A + D)^-2) the asymptotic variance of the REML and ML estimators.
  g1 <- A * D / (A + D)
  g2 <- (D / (A + D))^2 * rowSums((X %*% Q) * X)
  Vbar <- 2 / sum((A + D)^-2)
  g3 <- D^2 / (A + D)^3 * Vbar
  # Datta and Lahiri (2000): the ML estimator's bias b_ML = -tr[(X'V^-1 X)^-1 X'V^-2 X] / sum((A + D)^-2)
  # enters through the derivative of g1, dg1/dA = D^2 / (A + D)^2.
  b_ml <- -sum(diag(Q %*% t(X) %*% diag((A + D)^-2, nrow = m) %*% X)) / sum((A + D)^-2)
  mse <- if (method == "REML") g1 + g2 + 2 * g3 else g1 + g2 + 2 * g3 - b_ml * D^2 / (A + D)^2
  # Fit statistics as sae::eblupFH gives them: the (unrestricted) normal log-likelihood at (beta, A),
  # with p + 1 parameters.
  r <- y - xb
  loglik <- -0.5 * sum(log(2 * pi * (A + D)) + r^2 / (A + D))
  # Standardized residuals and their moments (skewness g1 = m3/m2^1.5, excess kurtosis m4/m2^2 - 3,
  # Jarque-Bera n/6 (g1^2 + g2^2/4) against chi-squared with 2 df).
  z <- r / sqrt(A + D)
  mk <- function(k) mean((z - mean(z))^k)
  skew <- mk(3) / mk(2)^1.5
  kurt <- mk(4) / mk(2)^2 - 3
  jb <- m / 6 * (skew^2 + kurt^2 / 4)
  # Plain vectors (no names: the tests read arrays in the areas' and coefficients' order).
  lapply(list(sigma2_v = A, sigma2_v_optimize = A_opt, score_at_estimate = sc(A, y, D, X),
       beta = beta, beta_se = sqrt(diag(Q)), eblup = eblup, gamma = gamma, synthetic = xb,
       g1 = g1, g2 = g2, g3 = g3, b_ml = b_ml, mse = mse,
       loglik = loglik, aic = -2 * loglik + 2 * (p + 1), bic = -2 * loglik + (p + 1) * log(m),
       residual = z, residual_mean = mean(z), residual_sd = sd(z), residual_beyond = sum(abs(z) > 1.96),
       skewness = skew, kurtosis = kurt, jarque_bera = jb,
       jarque_bera_p = pchisq(jb, df = 2, lower.tail = FALSE)), unname)
}

# ---- the cases --------------------------------------------------------------------------------------

cases <- list(
  # The published model: intercept and dummies for major areas 2-4.
  milk_factor = list(formula = "~ factor(MajorArea)", covariates = character(0), factors = "MajorArea"),
  # A numeric covariate.
  milk_logni = list(formula = "~ log_ni", covariates = "log_ni", factors = character(0)),
  # Both: numeric covariates come before the dummies in beta.
  milk_logni_factor = list(formula = "~ log_ni + factor(MajorArea)", covariates = "log_ni",
                           factors = "MajorArea")
)

rel_diff <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))
out_cases <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  X <- model.matrix(as.formula(cs$formula), milk)
  out <- list(formula = paste("yi", cs$formula), covariates = I(cs$covariates), factors = I(cs$factors),
              columns = I(colnames(X)))
  for (method in c("REML", "ML")) {
    env <- new.env()
    env$milk <- milk; env$X <- X
    env$fit <- fh_direct(milk$yi, milk$D, X, method)
    env$mf <- rma(yi, vi = D, mods = as.formula(cs$formula), data = milk, method = method,
                  control = list(threshold = 1e-12, maxiter = 1000))
    env$mf_blup <- blup(env$mf)
    env$lf <- lme(as.formula(paste("yi", cs$formula)), random = ~ 1 | SmallArea, weights = varFixed(~ D),
                  data = milk, control = lmeControl(sigma = 1), method = method)
    f <- env$fit
    # (a) against (b)
    if (rel_diff(env$mf$tau2, f$sigma2_v) > 1e-6 || rel_diff(as.vector(coef(env$mf)), f$beta) > 1e-6 ||
        rel_diff(env$mf$se, f$beta_se) > 1e-6 || rel_diff(env$mf_blup$pred, f$eblup) > 1e-6)
      stop(name, " ", method, ": metafor does not agree with the direct computation")
    nlme_s2 <- as.numeric(getVarCov(env$lf))
    if (method == "ML" && (rel_diff(nlme_s2, f$sigma2_v) > 1e-4 ||
                           rel_diff(as.vector(fixef(env$lf)), f$beta) > 1e-4))
      stop(name, " ML: nlme does not agree with the direct computation")
    if (abs(f$sigma2_v_optimize - f$sigma2_v) > 1e-5 * f$sigma2_v)
      stop(name, " ", method, ": optimize and uniroot disagree ", f$sigma2_v_optimize, " ", f$sigma2_v)
    r <- list(
      sigma2_v = rec("fit$sigma2_v", env),
      sigma2_v_optimize = rec("fit$sigma2_v_optimize", env),
      score_at_estimate = rec("fit$score_at_estimate", env),
      beta = rec("fit$beta", env), beta_se = rec("fit$beta_se", env),
      eblup = rec("fit$eblup", env), gamma = rec("fit$gamma", env), synthetic = rec("fit$synthetic", env),
      g1 = rec("fit$g1", env), g2 = rec("fit$g2", env), g3 = rec("fit$g3", env),
      mse = rec("fit$mse", env),
      loglik = rec("fit$loglik", env), aic = rec("fit$aic", env), bic = rec("fit$bic", env),
      residual = rec("fit$residual", env),
      residual_check = list(mean = rec("fit$residual_mean", env), sd = rec("fit$residual_sd", env),
                            beyond_1_96 = rec("fit$residual_beyond", env),
                            skewness = rec("fit$skewness", env), kurtosis = rec("fit$kurtosis", env),
                            jarque_bera = rec("fit$jarque_bera", env),
                            jarque_bera_p = rec("fit$jarque_bera_p", env)),
      metafor = list(tau2 = rec("mf$tau2", env), beta = rec("as.vector(coef(mf))", env),
                     se = rec("mf$se", env), blup = rec("mf_blup$pred", env)),
      nlme = list(sigma2_v = rec("as.numeric(getVarCov(lf))", env),
                  beta = rec("as.vector(fixef(lf))", env),
                  note = if (method == "REML")
                    "nlme's REML with lmeControl(sigma = 1) maximises a different criterion: not used"
                  else "agrees with the direct computation to nlme's optimiser tolerance (checked to 1e-4)")
    )
    if (method == "ML") r$b_ml <- rec("fit$b_ml", env)
    out[[tolower(method)]] <- r
  }
  out_cases[[name]] <- out
}

published <- c(0.968, 0.133, 0.227, -0.241)
stopifnot(max(abs(round(out_cases$milk_factor$reml$beta$value, 3) - published)) < 1e-12)

fixture <- milk[, c("SmallArea", "ni", "yi", "SD", "CV", "MajorArea", "D", "log_ni")]
fixture_path <- file.path(script_dir, "small_area_milk.csv")
# (write_csv_ref reads the file back with colClasses for the api data's `cds`, which this file lacks.)
withCallingHandlers(write_csv_ref(fixture, fixture_path), warning = function(w)
  if (grepl("colClasses", conditionMessage(w))) invokeRestart("muffleWarning"))

doc <- list(
  meta = list(
    script = "small_area_reference.R",
    command = "Rscript tests/reference/small_area_reference.R   (from the repository root; optional argument: the data folder)",
    R_version = R.version.string,
    platform = sessionInfo()$platform,
    packages = list(metafor = as.character(packageVersion("metafor")),
                    nlme = as.character(packageVersion("nlme")),
                    jsonlite = as.character(packageVersion("jsonlite"))),
    data_files_md5 = as.list(tools::md5sum(file.path(data_dir, "milk.csv")) |> setNames("milk.csv")),
    number_format = "every number is sprintf(\"%.17g\", x): 17 significant digits, reads back to the same double",
    data = "milk.csv (sae/): D = SD^2, log_ni = log(ni); small_area_milk.csv holds both, written with %.17g"
  ),
  published_beta = list(value = published,
                        note = "milk, yi ~ factor(MajorArea), REML: the fixed effects of Rao and Molina (2015) / sae's example, 3 decimals"),
  cases = out_cases
)
write_json_ref(doc, file.path(script_dir, "small_area_reference.json"))
cat("wrote small_area_reference.json and small_area_milk.csv\n")
