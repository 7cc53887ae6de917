#!/bin/sh
# Entry point of the ai-db image. With the command "postgres" (the default),
# it initializes an empty data directory on first start and then runs
# PostgreSQL in the foreground. Any other command runs as given, so
# `docker run IMAGE id` works.
#
# First start, when $PGDATA has no PG_VERSION file:
#   - initdb creates the cluster. The superuser "postgres" has no password and
#     may connect only over the Unix socket as the OS user postgres (peer).
#   - A temporary server that listens on the socket only creates the role
#     $POSTGRES_USER with the password from $POSTGRES_PASSWORD_FILE (or
#     $POSTGRES_PASSWORD) and the database $POSTGRES_DB owned by that role.
#   - Remote clients must authenticate with scram-sha-256.
# Later starts use the existing cluster, and the password variables are then
# ignored: change a password with ALTER ROLE.
set -eu

PG_BIN=/usr/lib/postgresql/15/bin
PGDATA=${PGDATA:-/var/lib/postgresql/data}
POSTGRES_USER=${POSTGRES_USER:-atlasia}
POSTGRES_DB=${POSTGRES_DB:-atlasia}
export PGDATA

log() {
	printf '%s ai-db: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

fail() {
	log "error: $*"
	exit 1
}

# read_password sets $password from POSTGRES_PASSWORD_FILE, or else from
# POSTGRES_PASSWORD. Trailing line breaks of the file are removed.
read_password() {
	if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
		[ -r "$POSTGRES_PASSWORD_FILE" ] ||
			fail "POSTGRES_PASSWORD_FILE $POSTGRES_PASSWORD_FILE is missing or not readable by uid $(id -u)"
		# $(...) removes trailing newlines; the next line removes a trailing CR.
		password=$(cat "$POSTGRES_PASSWORD_FILE")
		password=${password%"$(printf '\r')"}
	else
		password=${POSTGRES_PASSWORD:-}
	fi
	[ -n "$password" ] ||
		fail "no password for role $POSTGRES_USER: set POSTGRES_PASSWORD_FILE (preferred) or POSTGRES_PASSWORD"
}

initialize() {
	[ "$POSTGRES_USER" != postgres ] ||
		fail "POSTGRES_USER must not be postgres: that superuser may connect only over the local socket"
	read_password

	log "initializing a new cluster in $PGDATA"
	"$PG_BIN/initdb" --pgdata="$PGDATA" --username=postgres \
		--encoding=UTF8 --locale=C.UTF-8 \
		--auth-local=peer --auth-host=scram-sha-256
	# initdb allows TCP clients from loopback only; allow every address, with
	# a password.
	printf '\n# Added by the ai-db entry point.\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"

	# The temporary server listens on the Unix socket only, so the TCP health
	# check fails until the real server runs.
	"$PG_BIN/pg_ctl" --pgdata="$PGDATA" --wait --silent \
		--options="-c listen_addresses=''" start

	log "creating role $POSTGRES_USER and database $POSTGRES_DB"
	# psql reads the password from the environment (\getenv), so it never
	# appears in a command line or in the SQL text that psql receives.
	AI_DB_APP_PASSWORD=$password "$PG_BIN/psql" --no-psqlrc --quiet \
		--username=postgres --dbname=postgres \
		--set=ON_ERROR_STOP=1 \
		--set=app_user="$POSTGRES_USER" --set=app_db="$POSTGRES_DB" <<'SQL'
\getenv app_password AI_DB_APP_PASSWORD
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
SQL
	unset password

	"$PG_BIN/pg_ctl" --pgdata="$PGDATA" --wait --silent --mode=fast stop
	log "initialization complete"
}

if [ "${1:-}" != postgres ]; then
	exec "$@"
fi
shift

# Debian's PostgreSQL puts the Unix socket and its lock file here. A tmpfs
# mounted over it belongs to root unless it is mounted with uid and gid.
socket_dir=/run/postgresql
[ -w "$socket_dir" ] ||
	fail "$socket_dir is not writable by uid $(id -u); mount its tmpfs with uid=999,gid=999 (docker run --tmpfs $socket_dir:uid=999,gid=999)"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	initialize
fi

log "starting PostgreSQL"
exec "$PG_BIN/postgres" -c listen_addresses='*' "$@"
