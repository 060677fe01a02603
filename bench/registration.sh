#!/usr/bin/env bash
# Registration throughput: registrations per second and p50/p99 latency at 1, 8 and 32
# concurrent clients, on SQLite and PostgreSQL, beside the idle ceiling (GET /healthz) measured
# in the same run. Every request registers a new attendee (the e-mail worker runs too, writing
# .eml files, as it would in production without SMTP).
#   bench/registration.sh            DURATION=5 bench/registration.sh     BACKENDS=sqlite bench/…
source "$(dirname "$0")/lib.sh"
need_tools
printf '%-9s %4s | %8s %8s %8s | %8s %8s | %6s\n' backend conc "reg/s" "p50 ms" "p99 ms" "health/s" "p99 ms" ratio
for backend in ${BACKENDS:-sqlite postgres}; do
  start_server "$backend"
  tour=$(api POST /api/v1/tours '{"name":"Bench tour"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  export STOP_ID
  STOP_ID=$(api POST "/api/v1/tours/$tour/stops" '{"city":"Bench","venue":"Hall","timezone":"Europe/Paris","starts_at":"2030-01-01T09:00:00+01:00","ends_at":"2030-01-01T17:00:00+01:00","capacity":100000}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for c in 1 8 32; do
    read -r rps p50 p99 errors _ <<<"$(wrk_run "$c" "$BASE" "$ROOT/bench/registration.lua")"
    read -r hrps _ hp99 _ <<<"$(wrk_run "$c" "$BASE/healthz")"
    ratio=$(python3 -c "print(f'{$rps/$hrps:.3f}')")
    printf '%-9s %4s | %8s %8s %8s | %8s %8s | %6s%s\n' "$backend" "$c" "$rps" "$p50" "$p99" "$hrps" "$hp99" "$ratio" \
      "$([ "$errors" != 0 ] && echo "  ($errors non-2xx)")"
  done
  confirmed=$(curl -sf "$BASE/api/v1/stops/$STOP_ID" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["capacity"]-d["seats_left"])')
  echo "  $backend: $confirmed registrations stored"
  if [ "$backend" = postgres ]; then
    # Whether requests leave the counters compact: every registration updated the same few
    # counters, and PostgreSQL writes a new version of a row for each update.
    for part in summary by_time; do
      psql "${PG_ADMIN_URL%/*}/$PG_DB" -tAF' ' -c "SELECT count(*),
          pg_relation_size('analytics_counts_$part') / 8192 FROM analytics_counts_$part" |
        while read -r live pages; do echo "  counters ($part): $live on $pages pages"; done
    done
  fi
  stop_server
done
