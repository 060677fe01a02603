#!/usr/bin/env bash
# Analytics on a large tour: the tour overview and the busiest stop's detail, as API and as page,
# unfiltered and filtered (a kind of partner, a company size, both), on SQLite and PostgreSQL.
# A generated tour is loaded first (`roadshow bench-data`: 20 stops, 200,000 registrations,
# 150,000 scans, 30,000 feedback answers; SCALE=10 for ten times the rows, the stops staying 20).
# Each endpoint is then asked REQUESTS times one after the other on one kept-alive connection
# (after WARMUP asks; fewer when BUDGET seconds run out, n says how many): p50 and p99 latency,
# beside GET /healthz, the ceiling, with the ratio p50 ÷ ceiling p50. Then wrk with CONNECTIONS
# connections for DURATION seconds: requests per second and p99, with the ratio to the
# ceiling's requests per second.
#   bench/analytics.sh     SCALE=10 BACKENDS=sqlite bench/analytics.sh     REQUESTS=50 DURATION=5 bench/…
source "$(dirname "$0")/lib.sh"
need_tools
SCALE=${SCALE:-1}
REQUESTS=${REQUESTS:-200}
WARMUP=${WARMUP:-5}
BUDGET=${BUDGET:-60}
CONNECTIONS=${CONNECTIONS:-8}
# A slow endpoint must show as slow in wrk's figures, not as timeouts (wrk's default is 2 s).
export WRK_TIMEOUT=${WRK_TIMEOUT:-60s}
# The figures computed for every request: the 5 s reuse of a computed result is a shield, not
# what is measured (ROADSHOW_ANALYTICS_CACHE_SECONDS=5 to see it as served).
export ROADSHOW_ANALYTICS_CACHE_SECONDS=${ROADSHOW_ANALYTICS_CACHE_SECONDS:-0}

# Runs before the server starts (start_server's PREPARE): the large tour, timed.
# Sets TOUR_ID, STOP_ID, LOAD_SECONDS.
load_tour() {
  local started out
  started=$(date +%s.%N)
  out=$("$BIN" bench-data --scale "$SCALE")
  LOAD_SECONDS=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
  sed -n '1,3p' <<<"$out" | sed 's/^/  /' >&2
  TOUR_ID=$(sed -n 's/^tour_id=//p' <<<"$out")
  STOP_ID=$(sed -n 's/^busiest_stop_id=\([^ ]*\).*/\1/p' <<<"$out")
}

# A page session for the admin: the login form's CSRF token (the form's hidden field, which the
# cookie signs) sent back, then the session cookie. Sets COOKIE (a Cookie header value).
page_login() {
  local jar=$BENCH_TMP/cookies.txt csrf
  csrf=$(curl -sf -c "$jar" "$BASE/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  curl -sf -b "$jar" -c "$jar" -o /dev/null -X POST "$BASE/login" \
    --data-urlencode email=bench@roadshow.example --data-urlencode password=bench-password \
    --data-urlencode "csrf_token=$csrf" --data-urlencode next=/admin
  # Cookie-jar lines: comments start with '#', except HttpOnly cookies ("#HttpOnly_host").
  COOKIE=$(awk '(!/^#/ || /^#HttpOnly_/) && NF >= 7 { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$jar")
  grep -q roadshow_session <<<"$COOKIE" || { echo "page login failed" >&2; exit 1; }
}

# sequential PATH HEADER: REQUESTS requests on one kept-alive connection after WARMUP ones, or
# as many as fit in BUDGET seconds. Prints "p50_ms p99_ms n bytes status" (status is that of the
# first non-200 answer, or 200).
sequential() {
  python3 - "$BASE" "$1" "$2" "$REQUESTS" "$WARMUP" "$BUDGET" <<'PY'
import http.client, sys, time, urllib.parse
base, path, header = sys.argv[1], sys.argv[2], sys.argv[3]
count, warmup, budget = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
url = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
headers = dict([header.split(": ", 1)]) if header else {}
times, size, status = [], 0, 200
deadline = time.perf_counter() + budget
for i in range(warmup + count):
    if i > warmup and time.perf_counter() > deadline:
        break
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        status = response.status
        break
    size = len(body)
    if i >= warmup:
        times.append(elapsed)
if status != 200:
    print(f"nan nan 0 0 {status}")
else:
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"{pick(0.50):.2f} {pick(0.99):.2f} {len(times)} {size} {status}")
PY
}

# throughput PATH HEADER P50_MS: wrk with CONNECTIONS connections; prints "rps p50_ms p99_ms
# errors". A slow endpoint gets a longer run, so that every connection completes a few requests.
throughput() {
  local script=$BENCH_TMP/headers.lua seconds
  seconds=$(python3 -c "import math; print(min(120, max($DURATION, math.ceil($3 * $CONNECTIONS * 3 / 1000))))")
  local DURATION=$seconds
  if [ -n "$2" ]; then
    printf 'wrk.headers["%s"] = "%s"\n' "${2%%: *}" "${2#*: }" >"$script"
    wrk_run "$CONNECTIONS" "$BASE$1" "$script"
  else
    wrk_run "$CONNECTIONS" "$BASE$1"
  fi
}

echo "Large tour ×$SCALE; $REQUESTS sequential requests per endpoint (after $WARMUP), then wrk -c$CONNECTIONS for ${DURATION}s (longer for slow endpoints)."
for backend in ${BACKENDS:-sqlite postgres}; do
  start_server "$backend" load_tour
  page_login
  if [ "$backend" = postgres ]; then
    size=$(psql "$PG_ADMIN_URL" -tAc "SELECT pg_size_pretty(pg_database_size('$PG_DB'))")
  else
    size=$(du -sh "$BENCH_TMP/bench.db" | cut -f1)
  fi
  echo "  $backend: loaded in $LOAD_SECONDS s ($size); busiest stop $STOP_ID" >&2
  printf '%-9s %-30s | %8s %8s %4s %7s | %8s %8s %6s | %9s\n' backend endpoint "p50 ms" "p99 ms" n "×ceil" "req/s" "p99 ms" ratio "body"
  ceiling_p50=
  ceiling_rps=
  # The endpoints come on descriptor 3, so that nothing in the loop can eat them from stdin.
  while IFS='|' read -r label path header <&3; do
    read -r p50 p99 n bytes status <<<"$(sequential "$path" "$header")"
    if [ "$status" != 200 ]; then
      printf '%-9s %-30s | HTTP %s\n' "$backend" "$label" "$status"
      continue
    fi
    read -r rps _ wp99 errors _ <<<"$(throughput "$path" "$header" "$p50")"
    ceiling_p50=${ceiling_p50:-$p50}
    ceiling_rps=${ceiling_rps:-$rps}
    ratios=$(python3 -c "print(f'{$p50/$ceiling_p50:.1f} {$rps/$ceiling_rps:.3f}')")
    printf '%-9s %-30s | %8s %8s %4s %7s | %8s %8s %6s | %8sB%s\n' "$backend" "$label" "$p50" "$p99" "$n" "${ratios% *}" \
      "$rps" "$wp99" "${ratios#* }" "$bytes" "$([ "$errors" != 0 ] && echo "  ($errors non-2xx)")"
  done 3<<EOF
healthz (ceiling)|/healthz|
API tour (reference)|/api/v1/tours/$TOUR_ID|authorization: Bearer $TOKEN
API tour overview|/api/v1/analytics/tours/$TOUR_ID|authorization: Bearer $TOKEN
API stop detail|/api/v1/analytics/stops/$STOP_ID|authorization: Bearer $TOKEN
API tour overview, resellers|/api/v1/analytics/tours/$TOUR_ID?partner_type=reseller|authorization: Bearer $TOKEN
API stop detail, resellers|/api/v1/analytics/stops/$STOP_ID?partner_type=reseller|authorization: Bearer $TOKEN
API tour overview, 21-50|/api/v1/analytics/tours/$TOUR_ID?company_size=21-50|authorization: Bearer $TOKEN
API tour overview, both|/api/v1/analytics/tours/$TOUR_ID?company_size=21-50&partner_type=reseller|authorization: Bearer $TOKEN
page tour overview|/analytics/tours/$TOUR_ID|cookie: $COOKIE
page stop detail|/analytics/stops/$STOP_ID|cookie: $COOKIE
EOF
  stop_server
done
