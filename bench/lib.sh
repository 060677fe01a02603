# Shared helpers for the benchmarks: build, start a server on SQLite or PostgreSQL, run wrk.
# Sourced by the bench/*.sh scripts; everything runs on 127.0.0.1 and stops by itself.

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# BIN may name a binary built elsewhere (nothing is built then): a copy kept out of a target
# directory that other checkouts share and rebuild.
if [ -n "${BIN:-}" ]; then BUILD=0; else BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/roadshow"; BUILD=1; fi
DURATION=${DURATION:-10}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

need_tools() {
  command -v wrk >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
  if [ "$BUILD" = 1 ]; then (cd "$ROOT" && cargo build --release --quiet --bin roadshow); fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

SERVER_PID=
BENCH_TMP=
PG_DB=
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
  if [ -n "$PG_DB" ]; then psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true; PG_DB=; fi
  if [ -n "$BENCH_TMP" ]; then rm -rf "$BENCH_TMP"; BENCH_TMP=; fi
}
trap stop_server EXIT

# start_server sqlite|postgres [PREPARE]: a fresh database, an admin account, the server on a
# free port. PREPARE, a command, runs on the database before the server starts. Sets BASE and TOKEN.
start_server() {
  local backend=$1 prepare=${2:-}
  BENCH_TMP=$(mktemp -d)
  local url
  if [ "$backend" = postgres ]; then
    PG_DB="roadshow_bench_$$_$RANDOM"
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
    url="${PG_ADMIN_URL%/*}/$PG_DB"
  else
    url="sqlite://$BENCH_TMP/bench.db"
  fi
  local port; port=$(free_port)
  BASE="http://127.0.0.1:$port"
  export DATABASE_URL=$url ROADSHOW_LISTEN=127.0.0.1:$port ROADSHOW_BASE_URL=$BASE \
    ROADSHOW_DATA_DIR=$BENCH_TMP/data ROADSHOW_RATE_LIMIT=0 RUST_LOG=warn
  echo "bench-password" | "$BIN" user add --email bench@roadshow.example --name Bench --role admin >/dev/null
  if [ -n "$prepare" ]; then "$prepare"; fi
  "$BIN" serve >"${SERVER_LOG:-$BENCH_TMP/server.log}" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
  TOKEN=$(curl -sf -X POST "$BASE/api/v1/auth/tokens" -H 'content-type: application/json' \
    -d '{"email":"bench@roadshow.example","password":"bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
}

# api METHOD PATH [JSON]: an admin API call; prints the body.
api() {
  curl -sf -X "$1" "$BASE$2" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' ${3:+-d "$3"}
}

# server_cpu_ms: the CPU time (user + system, all threads) the server has used so far, in ms.
# Beside a count of requests it gives the server's CPU per request, which varies less than a
# throughput with the speed of this shared machine from one hour to the next.
server_cpu_ms() {
  awk -v tck="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / tck) }' "/proc/$SERVER_PID/stat"
}

# wrk_run CONNECTIONS URL [LUA]: prints "rps p50_ms p99_ms errors". WRK_TIMEOUT (e.g. 30s)
# replaces wrk's 2-second request timeout.
wrk_run() {
  local c=$1 url=$2 script=${3:-}
  local threads=$(( c < 2 ? 1 : 2 ))
  local out
  out=$(wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency ${WRK_TIMEOUT:+--timeout "$WRK_TIMEOUT"} ${script:+-s "$script"} "$url")
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), out, re.M)
    if not m: return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
err = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
sock = re.search(r"Socket errors:.*", out)
print(f"{rps:.0f}" if rps >= 10 else f"{rps:.2f}", f"{ms('50%'):.2f} {ms('99%'):.2f} {int(err.group(1)) if err else 0}{' ' + sock.group(0) if sock else ''}")
PY
}
