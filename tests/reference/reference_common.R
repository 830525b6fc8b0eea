# Helpers shared by sampling_reference.R and analysis_reference.R.
#
# Sourced by both scripts; not meant to be run on its own. Provides:
#   ref_paths()         where the script lives, where the data are, where outputs go
#   read_api(name)      read one of the api CSV files exactly (cds kept as text, NA = empty field)
#   rec(expr, env)      evaluate an R expression given as text; keep the text next to the value
#   write_json_ref()    write a nested list as JSON, every number with sprintf("%.17g")
#   fmt17()             the number format used everywhere (JSON and CSV)

ref_paths <- function() {
  all_args <- commandArgs(trailingOnly = FALSE)
  file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
  script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else normalizePath(".")
  args <- commandArgs(trailingOnly = TRUE)
  data_dir <- if (length(args) >= 1) args[1] else file.path(script_dir, "..", "..", "..", "shared", "data", "api")
  data_dir <- normalizePath(data_dir, mustWork = TRUE)
  list(script_dir = script_dir, data_dir = data_dir, out_dir = script_dir)
}

# Exact reading: read.csv parses every decimal with R's strtod-based reader, so the shortest-decimal
# single-precision weights (44.209999084472656) come back as the same doubles. `cds` has leading zeros, so
# it is read as text.
read_api <- function(data_dir, name) {
  read.csv(file.path(data_dir, paste0(name, ".csv")), colClasses = c(cds = "character"),
           na.strings = "", stringsAsFactors = FALSE)
}

fmt17 <- function(x) {
  out <- sprintf("%.17g", as.numeric(x))
  out[is.na(x)] <- NA_character_
  out
}

# Plain numeric vector, names kept, every other attribute dropped.
# A matrix becomes a vector named by its column names (one row), its row names (one column), or
# "row|column" (column-major order, as as.numeric lays it out).
num <- function(x) {
  nm <- names(x)
  if (is.matrix(x)) {
    rn <- rownames(x); cn <- colnames(x)
    nm <- if (nrow(x) == 1 && !is.null(cn)) cn
          else if (ncol(x) == 1 && !is.null(rn)) rn
          else if (!is.null(rn) && !is.null(cn)) as.vector(outer(rn, cn, paste, sep = "|"))
          else NULL
  }
  v <- as.numeric(x)
  names(v) <- nm
  v
}

# Evaluates `expr` (text) in `env`; returns list(expr = expr, value = value). Numeric results lose every
# attribute except names; other results are kept as they are (text).
rec <- function(expr, env = parent.frame()) {
  value <- eval(parse(text = expr), envir = env)
  if (is.numeric(value)) value <- num(value)
  else if (is.logical(value)) { nm <- names(value); value <- as.vector(value); names(value) <- nm }
  list(expr = expr, value = value)
}

# ---- JSON writer -------------------------------------------------------------------------------------
# jsonlite is used for escaping text and for re-reading the file as a check; the numbers are written
# here so that each one has exactly the "%.17g" form (17 significant digits, shortest exponent form).

json_string <- function(s) as.character(jsonlite::toJSON(s, auto_unbox = TRUE))

json_number <- function(x) {
  if (is.na(x)) return("null")
  if (is.infinite(x)) stop("infinite value cannot be written to JSON")
  sprintf("%.17g", x)
}

json_scalar <- function(x) {
  if (is.character(x)) return(if (is.na(x)) "null" else json_string(x))
  if (is.logical(x)) return(if (is.na(x)) "null" else if (x) "true" else "false")
  json_number(as.numeric(x))
}

to_json <- function(x, indent = 0) {
  pad <- strrep("  ", indent)
  pad1 <- strrep("  ", indent + 1)
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    items <- vapply(x, to_json, character(1), indent = indent + 1)
    if (!is.null(names(x))) {
      body <- paste0(pad1, vapply(names(x), json_string, character(1)), ": ", items)
      return(paste0("{\n", paste(body, collapse = ",\n"), "\n", pad, "}"))
    }
    return(paste0("[\n", paste0(pad1, items, collapse = ",\n"), "\n", pad, "]"))
  }
  # atomic vector
  if (!is.null(names(x))) {
    items <- vapply(seq_along(x), function(i) json_scalar(x[[i]]), character(1))
    body <- paste0(pad1, vapply(names(x), json_string, character(1)), ": ", items)
    return(paste0("{\n", paste(body, collapse = ",\n"), "\n", pad, "}"))
  }
  if (length(x) == 1 && !inherits(x, "AsIs")) return(json_scalar(x))
  items <- vapply(seq_along(x), function(i) json_scalar(unclass(x)[[i]]), character(1))
  paste0("[", paste(items, collapse = ", "), "]")
}

# Writes `obj` to `path`, re-reads it with jsonlite and checks that every number reads back to the
# identical double.
write_json_ref <- function(obj, path) {
  txt <- to_json(obj)
  writeLines(txt, path, useBytes = TRUE)
  back <- jsonlite::fromJSON(path, simplifyVector = FALSE)
  flat_in <- unlist(obj)
  flat_back <- unlist(back)
  stopifnot(length(flat_in) == length(flat_back))
  is_num <- vapply(seq_along(flat_in), function(i) is.numeric(flat_in[[i]]), logical(1))
  if (any(is_num)) {
    a <- as.numeric(flat_in[is_num])
    b <- suppressWarnings(as.numeric(flat_back[is_num]))
    ok <- (is.na(a) & is.na(b)) | (!is.na(a) & !is.na(b) & a == b)
    if (!all(ok)) stop("JSON round trip changed ", sum(!ok), " numbers in ", path)
  }
  invisible(path)
}

# Writes a data frame to CSV: numeric columns as "%.17g" (unquoted), text columns quoted, NA as "".
write_csv_ref <- function(df, path) {
  out <- df
  quote_cols <- integer(0)
  for (j in seq_along(out)) {
    if (is.numeric(out[[j]])) {
      out[[j]] <- fmt17(out[[j]])
    } else {
      quote_cols <- c(quote_cols, j)
    }
  }
  write.csv(out, path, row.names = FALSE, na = "", quote = quote_cols, fileEncoding = "UTF-8")
  # check: reading back gives identical numbers
  back <- read.csv(path, colClasses = c(cds = "character"), na.strings = "", stringsAsFactors = FALSE,
                   check.names = FALSE)
  for (j in seq_along(df)) {
    if (is.numeric(df[[j]])) {
      a <- as.numeric(df[[j]]); b <- as.numeric(back[[j]])
      if (!identical(is.na(a), is.na(b)) || any(a[!is.na(a)] != b[!is.na(b)]))
        stop("CSV round trip changed column ", names(df)[j], " in ", path)
    }
  }
  invisible(path)
}

session_meta <- function(script_name, data_dir, files) {
  si <- sessionInfo()
  pk <- function(p) as.character(packageVersion(p))
  list(
    script = script_name,
    command = paste0("Rscript tests/reference/", script_name, "   (from the repository root; optional argument: the data folder)"),
    R_version = R.version.string,
    platform = si$platform,
    packages = list(survey = pk("survey"), sampling = pk("sampling"), jsonlite = pk("jsonlite"),
                    Matrix = pk("Matrix"), survival = pk("survival")),
    RNGkind = paste(RNGkind(), collapse = ", "),
    number_format = "every number is sprintf(\"%.17g\", x): 17 significant digits, reads back to the same double",
    data_files_md5 = as.list(tools::md5sum(file.path(data_dir, files)) |> setNames(files))
  )
}
