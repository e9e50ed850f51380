#!/usr/bin/env bash
# Installs and starts what the database tests need: Debian's PostgreSQL server on localhost
# (port 5432), with a test role and database that tests/test_sources.py connects to:
#   postgresql://salesanalytics_test:<password below>@127.0.0.1:5432/salesanalytics_test
# The password is a test-only value for a server that listens on localhost only; the tests
# also use it as the "planted" password they look for in every output.
# Safe to run again: installs only what is missing, starts the cluster only when it is down,
# creates the role and database only when absent.  Needs root (apt-get, pg_ctlcluster).
set -euo pipefail
ROLE=salesanalytics_test
DB=salesanalytics_test
PASSWORD=${SALESANALYTICS_TEST_PG_PASSWORD:-pw-Planted-7f3c9a}

if [ "$(id -u)" -ne 0 ]; then
  echo "install-postgres: run as root (or with sudo): it installs and starts Debian's postgresql" >&2
  exit 1
fi
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$VERSION" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  # without systemd (containers, CI) pg_ctlcluster starts the server itself
  pg_ctlcluster "$VERSION" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN;
  END IF;
END \$\$;
ALTER ROLE $ROLE PASSWORD '$PASSWORD';
SQL
if [ -z "$(su postgres -c "psql -qtAc \"select 1 from pg_database where datname = '$DB'\"")" ]; then
  su postgres -c "createdb -O $ROLE $DB"
fi
echo "install-postgres: PostgreSQL $VERSION running on 127.0.0.1:5432, database $DB"
