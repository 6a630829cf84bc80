#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer; starts them with the documented commands when they are installed but
# stopped; otherwise fails with a clear message.
set -u
db_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mcp}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379/15}
pg_host=$(python3 -c "from urllib.parse import urlparse; u=urlparse('$db_url'); print(u.hostname or '127.0.0.1')")
pg_port=$(python3 -c "from urllib.parse import urlparse; u=urlparse('$db_url'); print(u.port or 5432)")
redis_host=$(python3 -c "from urllib.parse import urlparse; u=urlparse('$redis_url'); print(u.hostname or '127.0.0.1')")
redis_port=$(python3 -c "from urllib.parse import urlparse; u=urlparse('$redis_url'); print(u.port or 6379)")

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 30); do port_open "$1" "$2" && return 0; sleep 1; done
  return 1
}

if ! port_open "$pg_host" "$pg_port"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is stopped: starting it (pg_ctlcluster)…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  wait_port "$pg_host" "$pg_port" || {
    echo "ERROR: PostgreSQL does not answer on $pg_host:$pg_port. Install and start it, or set DATABASE_URL." >&2
    exit 1
  }
fi

if ! port_open "$redis_host" "$redis_port"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is stopped: starting it…"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no || true
  fi
  wait_port "$redis_host" "$redis_port" || {
    echo "ERROR: Redis does not answer on $redis_host:$redis_port. Install and start it, or set REDIS_URL." >&2
    exit 1
  }
fi
# The database itself (pytest creates test_<name>; makemigrations --check reads <name>).
db_name=$(python3 -c "from urllib.parse import urlparse; print(urlparse('$db_url').path.lstrip('/') or 'mcp')")
if command -v psql >/dev/null 2>&1; then
  admin_url=$(python3 -c "from urllib.parse import urlparse; u=urlparse('$db_url'); print(u._replace(path='/postgres').geturl())")
  if [ -z "$(psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" 2>/dev/null)" ]; then
    psql "$admin_url" -qc "CREATE DATABASE \"$db_name\"" >/dev/null 2>&1 || true
  fi
fi
echo "PostgreSQL ($pg_host:$pg_port) and Redis ($redis_host:$redis_port) answer."
