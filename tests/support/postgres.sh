#!/usr/bin/env bash
# A private PostgreSQL server for the tests (the CTest fixture `postgres`,
# tests/support/postgres.cmake):
#
#   tests/support/postgres.sh start DIR PORT
#   tests/support/postgres.sh stop DIR
#
# start: a new cluster in DIR/data (any DIR left by a killed run is stopped and
# removed first; when the server's user cannot reach DIR, DIR/data links to a
# folder of /tmp), password authentication only (scram-sha-256, as in
# production; no trust), listening on 127.0.0.1:PORT and on a socket in DIR;
# a role `sipas` (LOGIN CREATEDB) with a random password, DIR/pgpass (the
# format of PGPASSFILE, mode 0600) and DIR/url,
# postgresql://sipas@127.0.0.1:PORT/postgres (no password in it).
# stop: `pg_ctl -m fast stop`, then DIR is removed.
#
# PostgreSQL refuses to run as root: as root, the server runs as the system
# user sipas-test-pg (created if missing; `nobody` if it cannot be). The
# binaries are those of the newest /usr/lib/postgresql/*/bin, or of
# PG_BINDIR. Needs no input (CI runs it as root with no stdin).
set -euo pipefail

me="postgres.sh"
die() {
  echo "$me: error: $*" >&2
  exit 1
}

usage() {
  echo "usage: $me start DIR PORT | $me stop DIR" >&2
  exit 2
}

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    [ -x "$PG_BINDIR/initdb" ] || die "PG_BINDIR=$PG_BINDIR has no initdb"
    echo "$PG_BINDIR"
    return
  fi
  local best=""
  local dir
  # The newest major version installed (sort -V: 9.6 < 15 < 16).
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && best="$dir"
  done
  if [ -z "$best" ] && command -v pg_config >/dev/null; then
    dir="$(pg_config --bindir)"
    [ -x "$dir/initdb" ] && best="$dir"
  fi
  [ -n "$best" ] || die "no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb): \
install it with scripts/install-deps.sh (Debian package postgresql-15)"
  echo "$best"
}

# The user the server runs as, and how to run a command as that user.
as_server=()
server_user="$(id -un)"
choose_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  server_user=sipas-test-pg
  if ! id -u "$server_user" >/dev/null 2>&1; then
    # Two builds may start the fixture at once: a lost race is fine.
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      --user-group "$server_user" >/dev/null 2>&1 || true
  fi
  if ! id -u "$server_user" >/dev/null 2>&1; then
    echo "$me: cannot create the user sipas-test-pg: the server runs as nobody" >&2
    server_user=nobody
  fi
  command -v runuser >/dev/null || die "runuser (util-linux) is needed to run the server as $server_user"
  as_server=(runuser -u "$server_user" --)
}

log_tail() {
  local log="$1"
  if [ -f "$log" ]; then
    echo "$me: the last lines of $log:" >&2
    tail -n 30 "$log" >&2
  fi
}

# Stops a server still running in DIR (a killed run) and removes DIR.
clean_dir() {
  local dir="$1" bindir="$2"
  local srv
  srv="$(server_dir "$dir")"
  if [ -f "$srv/data/postmaster.pid" ]; then
    echo "$me: stopping the server left running in $srv" >&2
    cd /
    "${as_server[@]}" "$bindir/pg_ctl" -D "$srv/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  [ "$srv" = "$dir" ] || rm -rf -- "$srv"
  rm -rf -- "$dir"
}

# Where the server's files are: DIR, or (when the server user cannot reach
# DIR, e.g. a build tree under /root) the folder under /tmp named in
# DIR/server_dir.
server_dir() {
  local srv=""
  [ -f "$1/server_dir" ] && srv="$(cat "$1/server_dir")"
  if [[ "$srv" =~ ^/tmp/sipas-test-pg\.[A-Za-z0-9]+$ ]]; then
    echo "$srv"
  else
    echo "$1"
  fi
}

random_password() {
  # 24 characters of [A-Za-z0-9]: nothing to escape in pgpass or SQL.
  local p=""
  while [ ${#p} -lt 24 ]; do
    p+="$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  done
  echo "${p:0:24}"
}

start() {
  local dir="$1" port="$2"
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then
    die "PORT must be a number from 1024 to 65535, not '$port'"
  fi
  [[ "$dir" =~ ^[A-Za-z0-9_./+-]+$ ]] ||
    die "DIR '$dir' has characters other than letters, digits and _ . / + - (it goes into server options)"
  mkdir -p -- "$(dirname -- "$dir")"
  local bindir
  bindir="$(find_bindir)"
  choose_user
  clean_dir "$dir" "$bindir"

  # Is the port free? (A server of another build tree, or one whose DIR was removed.)
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p "$port" -t 2; then
    die "a server already listens on 127.0.0.1:$port (another build tree's fixture?): \
stop it, or configure this tree with -DSIPAS_TEST_POSTGRES_PORT=ANOTHER"
  fi

  mkdir -p -- "$dir"
  chmod 0755 -- "$dir"
  local srv="$dir"
  if [ ${#as_server[@]} -gt 0 ]; then
    chown -- "$server_user" "$dir"
    if ! "${as_server[@]}" test -w "$dir"; then
      # A folder above DIR is closed to other users: the server's files go
      # to /tmp, DIR/data links to them.
      srv="$(mktemp -d /tmp/sipas-test-pg.XXXXXX)" || die "step mktemp in /tmp failed"
      chmod 0755 -- "$srv"
      chown -- "$server_user" "$srv"
      echo "$srv" >"$dir/server_dir"
      ln -s "$srv/data" "$dir/data"
      echo "$me: $server_user cannot reach $dir: the server's files are in $srv"
    fi
  fi
  # The socket's path must fit in sockaddr_un (107 bytes).
  [ $((${#srv} + 18)) -le 107 ] || die "$srv is too long for a Unix socket path: use a shorter DIR"
  local superuser_password role_password
  superuser_password="$(random_password)"
  role_password="$(random_password)"
  (
    umask 077
    printf '%s\n' "$superuser_password" >"$srv/superuser.password"
  )
  [ ${#as_server[@]} -eq 0 ] || chown -- "$server_user" "$srv/superuser.password"
  cd -- "$srv"  # the server user's working directory must be readable by it

  echo "$me: initdb ($bindir) in $srv/data as $server_user"
  if ! "${as_server[@]}" "$bindir/initdb" -D "$srv/data" -U postgres --auth=scram-sha-256 \
    --pwfile="$srv/superuser.password" --encoding=UTF8 --no-locale --no-instructions \
    >"$dir/initdb.log" 2>&1; then
    log_tail "$dir/initdb.log"
    die "step initdb failed (log: $dir/initdb.log)"
  fi
  chmod 0700 -- "$srv/data"

  echo "$me: starting the server on 127.0.0.1:$port"
  if ! "${as_server[@]}" "$bindir/pg_ctl" -D "$srv/data" -l "$srv/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$srv -c fsync=on \
-c synchronous_commit=on -c max_connections=200" start >"$dir/pg_ctl.log" 2>&1; then
    cat "$dir/pg_ctl.log" >&2
    log_tail "$srv/server.log"
    die "step pg_ctl start failed (port $port taken? log: $srv/server.log)"
  fi

  echo "$me: creating the role sipas"
  local psql="$bindir/psql"
  [ -x "$psql" ] || psql="psql"
  if ! PGPASSWORD="$superuser_password" PGCONNECT_TIMEOUT=10 "$psql" -X -q -w -h "$srv" -p "$port" \
    -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE sipas LOGIN CREATEDB PASSWORD '$role_password'" >"$dir/psql.log" 2>&1 </dev/null; then
    cat "$dir/psql.log" >&2
    log_tail "$srv/server.log"
    die "step CREATE ROLE sipas failed"
  fi

  (
    umask 077
    {
      printf '127.0.0.1:%s:*:sipas:%s\n' "$port" "$role_password"
      printf 'localhost:%s:*:sipas:%s\n' "$port" "$role_password"
      printf '%s:%s:*:sipas:%s\n' "$srv" "$port" "$role_password"  # the socket
    } >"$dir/pgpass.tmp"
    chmod 0600 "$dir/pgpass.tmp"
    mv -f "$dir/pgpass.tmp" "$dir/pgpass"
    printf 'postgresql://sipas@127.0.0.1:%s/postgres\n' "$port" >"$dir/url.tmp"
    chmod 0644 "$dir/url.tmp"
    mv -f "$dir/url.tmp" "$dir/url"
  )

  # The role logs in with its password, read through PGPASSFILE.
  if ! PGPASSFILE="$dir/pgpass" PGCONNECT_TIMEOUT=10 "$psql" -X -q -w -At \
    "postgresql://sipas@127.0.0.1:$port/postgres" -c "SELECT 1" >"$dir/psql.log" 2>&1 </dev/null; then
    cat "$dir/psql.log" >&2
    log_tail "$srv/server.log"
    die "step login as sipas with $dir/pgpass failed"
  fi
  echo "$me: ready: $(cat "$dir/url") (PGPASSFILE=$dir/pgpass)"
}

stop() {
  local dir="$1"
  [ -d "$dir" ] || {
    echo "$me: $dir does not exist: nothing to stop"
    return 0
  }
  local bindir
  bindir="$(find_bindir)"
  choose_user
  local status=0
  local srv
  srv="$(server_dir "$dir")"
  if [ -f "$srv/data/postmaster.pid" ]; then
    cd -- "$srv"
    if ! "${as_server[@]}" "$bindir/pg_ctl" -D "$srv/data" -m fast -w -t 60 stop >"$dir/pg_ctl.log" 2>&1; then
      cat "$dir/pg_ctl.log" >&2
      log_tail "$srv/server.log"
      echo "$me: error: step pg_ctl stop failed: stopping it with -m immediate" >&2
      "${as_server[@]}" "$bindir/pg_ctl" -D "$srv/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
      status=1
    fi
    cd /
  fi
  [ "$srv" = "$dir" ] || rm -rf -- "$srv"
  rm -rf -- "$dir"
  [ $status -eq 0 ] && echo "$me: stopped, $dir removed"
  return $status
}

absolute() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$PWD/$1" ;;
  esac
}

case "${1:-}" in
  start)
    [ $# -eq 3 ] || usage
    start "$(absolute "$2")" "$3"
    ;;
  stop)
    [ $# -eq 2 ] || usage
    stop "$(absolute "$2")"
    ;;
  *) usage ;;
esac
