#!/usr/bin/env bash
# Check-in throughput: scans per second and p50/p99 latency at 1, 8 and 32 concurrent clients,
# every request a different valid badge, on SQLite and PostgreSQL, beside the idle ceiling
# (GET /healthz) measured in the same run, with the ratio check-in ÷ ceiling. Each backend runs
# twice: with group commit (ROADSHOW_SCANS_PER_COMMIT=50, the default: scans arriving at the
# same moment decided in one transaction) and without (1: a transaction per scan). Beside each
# rate, the server's CPU time per request (all its threads, from /proc), for the scans and for
# /healthz: what a scan costs the machine, which varies less than a rate from hour to hour.
# PROFILE=DIR records the whole machine with perf during each 32-client level and prints where
# its CPU time goes, by program (server, database, wrk) and by library (DIR/<backend>-<commit>.perf
# keeps the recording). LEVELS chooses the numbers of clients.
#   bench/checkin.sh      BADGES_COUNT=20000 DURATION=5 BACKENDS=sqlite COMMITS=50 LEVELS="8 32" bench/checkin.sh
source "$(dirname "$0")/lib.sh"
need_tools
COUNT=${BADGES_COUNT:-40000}
# The badges' confirmation e-mails (a QR code each) would be drawn while the door is measured:
# on the day they left long ago.
export ROADSHOW_MAIL_WORKER=off
printf '%-9s %6s %4s | %8s %8s %8s %9s | %8s %8s %9s | %6s | %s\n' backend commit conc "scans/s" "p50 ms" "p99 ms" "cpu µs" "health/s" "p99 ms" "cpu µs" ratio "first scans"
for backend in ${BACKENDS:-sqlite postgres}; do
for commit in ${COMMITS:-1 50}; do
  export ROADSHOW_SCANS_PER_COMMIT=$commit
  start_server "$backend"
  tour=$(api POST /api/v1/tours '{"name":"Bench tour"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  stop=$(api POST "/api/v1/tours/$tour/stops" "{\"city\":\"Bench\",\"venue\":\"Hall\",\"timezone\":\"Europe/Paris\",\"starts_at\":\"2030-01-01T09:00:00+01:00\",\"ends_at\":\"2030-01-01T17:00:00+01:00\",\"capacity\":$COUNT}")
  STOP_ID=$(echo "$stop" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  export CHECKPOINT_ID BADGES STAFF_TOKEN THREADS OFFSET
  CHECKPOINT_ID=$(echo "$stop" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checkpoints"][0]["id"])')
  BADGES=$BENCH_TMP/badges.txt
  started=$(date +%s)
  python3 "$ROOT/bench/make_badges.py" "$BASE" "$STOP_ID" "$COUNT" "$BADGES"
  echo "  $backend: $COUNT badges registered in $(( $(date +%s) - started )) s" >&2
  echo "bench-password" | "$BIN" user add --email scanner@roadshow.example --name Scanner --role staff >/dev/null
  STAFF_TOKEN=$(curl -sf -X POST "$BASE/api/v1/auth/tokens" -H 'content-type: application/json' \
    -d '{"email":"scanner@roadshow.example","password":"bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  OFFSET=0
  for c in ${LEVELS:-1 8 32}; do
    THREADS=$(( c < 2 ? 1 : 2 ))
    before=$(curl -sf "$BASE/api/v1/checkpoints/$CHECKPOINT_ID/status" -H "authorization: Bearer $STAFF_TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checked_in"])')
    recording=
    if [ -n "${PROFILE:-}" ] && [ "$c" = 32 ]; then
      mkdir -p "$PROFILE"
      recording="$PROFILE/$backend-$commit.perf"
      perf record -F 499 -g -a -o "$recording" -- sleep "$DURATION" 2>/dev/null &
      PERF_PID=$!
    fi
    cpu_before=$(server_cpu_ms)
    read -r rps p50 p99 errors _ <<<"$(wrk_run "$c" "$BASE" "$ROOT/bench/checkin.lua")"
    cpu_after=$(server_cpu_ms)
    if [ -n "$recording" ]; then
      wait "$PERF_PID"
      echo "  where the machine's CPU went ($backend, ≤$commit per commit, 32 clients), by program:" >&2
      perf report -i "$recording" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8 | sed 's/^/   /' >&2
      echo "  by program and library:" >&2
      perf report -i "$recording" --no-children --sort comm,dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -14 | sed 's/^/   /' >&2
    fi
    after=$(curl -sf "$BASE/api/v1/checkpoints/$CHECKPOINT_ID/status" -H "authorization: Bearer $STAFF_TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checked_in"])')
    # The next level starts where this one stopped, so that its badges are fresh too.
    OFFSET=$after
    health_cpu_before=$(server_cpu_ms)
    read -r hrps _ hp99 _ <<<"$(wrk_run "$c" "$BASE/healthz")"
    health_cpu=$(( $(server_cpu_ms) - health_cpu_before ))
    ratio=$(python3 -c "print(f'{$rps/$hrps:.3f}')")
    # The server's CPU per scan decided (all its threads: HTTP, badge check, writer, checkpoints).
    per_scan=$(( (cpu_after - cpu_before) * 1000 / ((after - before) > 0 ? (after - before) : 1) ))
    per_health=$(python3 -c "print(f'{$health_cpu * 1000 / ($hrps * $DURATION):.0f}')")
    printf '%-9s %6s %4s | %8s %8s %8s %9s | %8s %8s %9s | %6s | %s%s\n' "$backend" "≤$commit" "$c" "$rps" "$p50" "$p99" "$per_scan" "$hrps" "$hp99" "$per_health" "$ratio" \
      "$((after - before)) ok" "$([ "$errors" != 0 ] && echo "  ($errors non-2xx)")"
  done
  stop_server
done
done
