#!/usr/bin/env bash
# Writes the "## Error ids" section of each library's README from the
# registry io/error_ids.tsv (id, library, meaning): the section is replaced
# where it is, or added at the end. tests/io/error_registry_test.cpp checks
# that the READMEs and the registry agree.
set -euo pipefail
cd "$(dirname "$0")/.."
registry=io/error_ids.tsv
for library in $(tail -n +2 "$registry" | cut -f2 | sort -u); do
  readme="$library/README.md"
  [ -f "$readme" ] || printf '# %s\n' "$library" >"$readme"
  section=$(mktemp)
  {
    echo "## Error ids"
    echo
    echo "Mã lỗi mà thư mục này báo, với nghĩa của từng mã / The error ids raised here, each with its meaning"
    echo "(from \`io/error_ids.tsv\`, the one registry of ids; \`scripts/error-ids.sh\` writes this list):"
    echo
    awk -F'\t' -v lib="$library" 'NR > 1 && $2 == lib { printf "- `%s`: %s\n", $1, $3 }' "$registry"
  } >"$section"
  awk -v section="$section" '
    function emit() { while ((getline line < section) > 0) print line; done = 1 }
    /^## / { if (inside) { inside = 0; print "" } }
    /^## Error ids$/ { inside = 1; emit(); next }
    !inside { print }
    END { if (!done) { print ""; emit() } }
  ' "$readme" >"$readme.new"
  mv "$readme.new" "$readme"
  rm -f "$section"
done
