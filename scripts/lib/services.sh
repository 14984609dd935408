# shellcheck shell=bash
# Makes sure the real PostgreSQL and Redis the tests need are there: reachable as configured, else
# started, else (root on Debian) installed, else a message saying exactly what to do. Sourced, not run.

# The port of the local PostgreSQL this script may start and prepare.
PG_PORT=5432
DEFAULT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/test?sslmode=disable"
DEFAULT_TEST_REDIS_URL='redis://127.0.0.1:6379/0'

# host_port prints "host port" of a URL such as postgres://user@host:5432/db (default port $2).
host_port() {
	local re='^[a-z]+://([^@/]*@)?(\[[^]]*\]|[^:/?]+)(:([0-9]+))?'
	[[ $1 =~ $re ]] || return 1
	local host=${BASH_REMATCH[2]} port=${BASH_REMATCH[4]:-$2}
	host=${host#[}
	printf '%s %s\n' "${host%]}" "$port"
}

# tcp_open is true when something accepts connections on host:port; it needs no client tools.
tcp_open() {
	# shellcheck disable=SC2016 # $1 and $2 expand in the inner shell
	timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# ---- PostgreSQL ----

# postgres_answers is true when the database at the URL accepts a query (or, without psql, when
# its port is open).
postgres_answers() {
	if command -v psql >/dev/null 2>&1; then
		psql "$1" -XtAqc 'select 1' >/dev/null 2>&1
		return
	fi
	local hp
	hp=$(host_port "$1" "$PG_PORT") || return 1
	# shellcheck disable=SC2086 # "host port" splits into two arguments on purpose
	tcp_open $hp
}

postgres_listening() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2
		return
	fi
	tcp_open 127.0.0.1 "$PG_PORT"
}

# local_cluster prints "version name" of the Debian PostgreSQL cluster on $PG_PORT.
local_cluster() {
	command -v pg_lsclusters >/dev/null 2>&1 || return 1
	pg_lsclusters --no-header 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2; found = 1; exit } END { exit !found }'
}

install_postgres() {
	if ! can_apt_install; then
		die "PostgreSQL is not installed. On Debian run:
  sudo apt-get install -y postgresql
then rerun ./scripts/test (it starts the server and prepares the database), or point
KRING_TEST_DATABASE_URL at a PostgreSQL you run yourself (default $DEFAULT_TEST_DATABASE_URL)."
	fi
	apt_install postgresql
	if ! local_cluster >/dev/null; then
		# The package normally creates the "main" cluster; create it where the site's settings did not.
		local version
		version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
		note "creating PostgreSQL cluster $version/main on port $PG_PORT"
		pg_createcluster --port "$PG_PORT" "$version" main >/dev/null
	fi
}

start_postgres() {
	local_cluster >/dev/null || install_postgres
	local cluster
	cluster=$(local_cluster) || die "no PostgreSQL cluster uses port $PG_PORT (see pg_lsclusters); create one with
  sudo pg_createcluster --port $PG_PORT <version> main
or set KRING_TEST_DATABASE_URL to a server you run."
	# shellcheck disable=SC2086 # "version name" splits into two arguments on purpose
	set -- $cluster
	if ! is_root; then
		die "PostgreSQL $1/$2 is installed but not running. Start it with:
  sudo pg_ctlcluster --skip-systemctl-redirect $1 $2 start
then rerun ./scripts/test."
	fi
	note "starting PostgreSQL $1/$2"
	pg_ctlcluster --skip-systemctl-redirect "$1" "$2" start ||
		die "pg_ctlcluster could not start PostgreSQL $1/$2; see /var/log/postgresql/postgresql-$1-$2.log"
}

# as_postgres runs a command as the postgres superuser over the local socket (peer authentication),
# which works on a fresh Debian install before any password or trust rule exists.
as_postgres() {
	PGPORT=$PG_PORT runuser -u postgres -- "$@"
}

# prepare_local_database makes the default test URL work on a local Debian server: a trust rule for
# the postgres user over loopback TCP (test machines only; the rule is labelled in pg_hba.conf) and a
# database named test.
prepare_local_database() {
	if postgres_answers "$DEFAULT_TEST_DATABASE_URL"; then
		return 0
	fi
	if ! is_root || ! command -v runuser >/dev/null 2>&1 || ! id postgres >/dev/null 2>&1; then
		die "PostgreSQL runs on 127.0.0.1:$PG_PORT but $DEFAULT_TEST_DATABASE_URL does not connect. Either:
  - as the postgres user: createdb test, and allow user postgres from 127.0.0.1 and ::1 with trust
    authentication in pg_hba.conf (then reload PostgreSQL), or
  - set KRING_TEST_DATABASE_URL to a database you can use (it is emptied schema by schema by the tests)."
	fi
	local admin_url="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
	if ! postgres_answers "$admin_url"; then
		local hba
		hba=$(as_postgres psql -XtAqc 'show hba_file') || die "cannot reach PostgreSQL as the postgres user over its local socket"
		note "allowing user postgres over loopback TCP without a password in $hba (a test machine)"
		local rules
		rules=$(printf '%s\n' \
			'# Added by Kring scripts/test: the test suite connects as postgres from loopback without a password.' \
			'host all postgres 127.0.0.1/32 trust' \
			'host all postgres ::1/128 trust')
		printf '%s\n%s\n' "$rules" "$(cat "$hba")" >"$hba"
		as_postgres psql -XtAqc 'select pg_reload_conf()' >/dev/null
		wait_until 10 postgres_answers "$admin_url" || die "PostgreSQL still refuses $admin_url after adding trust rules to $hba"
	fi
	if [[ -z $(as_postgres psql -XtAqc "select 1 from pg_database where datname = 'test'") ]]; then
		note "creating database test"
		as_postgres createdb test
	fi
}

ensure_postgres() {
	export KRING_TEST_DATABASE_URL=${KRING_TEST_DATABASE_URL:-$DEFAULT_TEST_DATABASE_URL}
	if [[ $KRING_TEST_DATABASE_URL != "$DEFAULT_TEST_DATABASE_URL" ]]; then
		postgres_answers "$KRING_TEST_DATABASE_URL" ||
			die "KRING_TEST_DATABASE_URL=$KRING_TEST_DATABASE_URL does not answer. Start that server, or unset
KRING_TEST_DATABASE_URL to use (and have this script start) PostgreSQL on 127.0.0.1:$PG_PORT."
		note "PostgreSQL: $KRING_TEST_DATABASE_URL"
		return 0
	fi
	if ! postgres_listening; then
		start_postgres
		wait_until 30 postgres_listening || die "PostgreSQL did not become ready on 127.0.0.1:$PG_PORT within 30s (see /var/log/postgresql/)"
	fi
	prepare_local_database
	postgres_answers "$KRING_TEST_DATABASE_URL" || die "PostgreSQL answers but $KRING_TEST_DATABASE_URL does not connect"
	note "PostgreSQL: $KRING_TEST_DATABASE_URL"
}

# ---- Redis ----

# redis_answers is true when the Redis at the URL answers PING.
redis_answers() {
	if command -v redis-cli >/dev/null 2>&1; then
		[[ $(redis-cli -u "$1" ping 2>/dev/null) == PONG ]]
		return
	fi
	local hp
	hp=$(host_port "$1" 6379) || return 1
	# shellcheck disable=SC2086 # "host port" splits into two arguments on purpose
	set -- $hp
	# Speak just enough of the protocol to tell Redis from any other listener.
	# shellcheck disable=SC2016 # $1, $2 and $reply expand in the inner shell
	timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "PING\r\n" >&3 && IFS= read -r reply <&3 && [[ $reply == +PONG* ]]' \
		_ "$1" "$2" 2>/dev/null
}

ensure_redis() {
	export KRING_TEST_REDIS_URL=${KRING_TEST_REDIS_URL:-$DEFAULT_TEST_REDIS_URL}
	if [[ $KRING_TEST_REDIS_URL != "$DEFAULT_TEST_REDIS_URL" ]]; then
		redis_answers "$KRING_TEST_REDIS_URL" ||
			die "KRING_TEST_REDIS_URL=$KRING_TEST_REDIS_URL does not answer PING. Start that server, or unset
KRING_TEST_REDIS_URL to use (and have this script start) Redis on 127.0.0.1:6379."
		note "Redis: $KRING_TEST_REDIS_URL"
		return 0
	fi
	if ! redis_answers "$KRING_TEST_REDIS_URL"; then
		if ! command -v redis-server >/dev/null 2>&1; then
			can_apt_install || die "Redis is not installed. On Debian run:
  sudo apt-get install -y redis-server
then rerun ./scripts/test, or point KRING_TEST_REDIS_URL at a Redis you run (default $DEFAULT_TEST_REDIS_URL)."
			apt_install redis-server
		fi
	fi
	# The package may have started its own service; start a throwaway one (nothing saved) if not.
	if ! redis_answers "$KRING_TEST_REDIS_URL"; then
		note "starting redis-server on 127.0.0.1:6379"
		(cd / && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null) ||
			die "redis-server did not start; run it yourself: redis-server --bind 127.0.0.1 --port 6379 --save ''"
		wait_until 15 redis_answers "$KRING_TEST_REDIS_URL" || die "Redis did not answer PING on 127.0.0.1:6379 within 15s"
	fi
	note "Redis: $KRING_TEST_REDIS_URL"
}
