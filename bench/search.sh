#!/usr/bin/env bash
# Attendee search at the door: searches per second and p50/p99 latency at 1 and 8 concurrent
# clients on a stop of ATTENDEES attendees (50,000 by default, written by `roadshow bench-data`
# with one stop), beside the idle ceiling (GET /healthz) measured in the same run.
#   bench/search.sh      ATTENDEES=10000 DURATION=5 BACKENDS=sqlite bench/search.sh
source "$(dirname "$0")/lib.sh"
need_tools
ATTENDEES=${ATTENDEES:-50000}
load_one_stop() {
  "$BIN" bench-data --stops 1 --registrations "$ATTENDEES" --scans $((ATTENDEES / 2)) \
    --feedback $((ATTENDEES / 20)) | sed 's/^/    /' >&2
}
# What staff type: last names and their first letters, first and last names, company words, all
# without accents ("celine", "frederic"), as a phone keyboard makes people type.
write_queries() {
  python3 - "$1" <<'PY'
import sys, unicodedata
fold = lambda s: ''.join(c for c in unicodedata.normalize('NFD', s.lower()) if not unicodedata.combining(c))
last = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]
first = ["Céline", "Frédéric", "Émilie", "Sophie", "Julien", "Hélène", "Jérôme", "Marion"]
queries = []
for i, name in enumerate(last):
    queries += [fold(name), fold(name)[:3], f"{fold(first[i % len(first)])} {fold(name)}", fold(name)[:4] + " " + fold(first[(i + 3) % len(first)])[:2]]
queries += ["conseil", "informatique bench", "nobody", "zz"]
open(sys.argv[1], "w").write("\n".join(queries) + "\n")
PY
}
printf '%-9s %4s | %9s %8s %8s | %8s %8s | %6s | %s\n' backend conc "search/s" "p50 ms" "p99 ms" "health/s" "p99 ms" ratio "answers"
for backend in ${BACKENDS:-sqlite postgres}; do
  started=$(date +%s)
  start_server "$backend" load_one_stop
  echo "  $backend: $ATTENDEES attendees loaded and the server up in $(( $(date +%s) - started )) s" >&2
  export STOP_ID QUERIES TOKEN
  tour=$(api GET /api/v1/tours | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  STOP_ID=$(api GET "/api/v1/tours/$tour" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stops"][0]["id"])')
  QUERIES=$BENCH_TMP/queries.txt
  write_queries "$QUERIES"
  # How many people each query finds (the API answers 30 at most), to show the work is real.
  found=$(while read -r q; do api GET "/api/v1/stops/$STOP_ID/attendees?q=${q// /%20}" \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; done <"$QUERIES" | sort -n | uniq -c | awk '{printf "%s×%s ", $1, $2}')
  for c in 1 8; do
    read -r rps p50 p99 errors _ <<<"$(wrk_run "$c" "$BASE" "$ROOT/bench/search.lua")"
    read -r hrps _ hp99 _ <<<"$(wrk_run "$c" "$BASE/healthz")"
    ratio=$(python3 -c "print(f'{$rps/$hrps:.3f}')")
    printf '%-9s %4s | %9s %8s %8s | %8s %8s | %6s | %s%s\n' "$backend" "$c" "$rps" "$p50" "$p99" "$hrps" "$hp99" "$ratio" \
      "$found" "$([ "$errors" != 0 ] && echo "  ($errors non-2xx)")"
  done
  stop_server
done
