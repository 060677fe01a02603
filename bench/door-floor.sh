#!/usr/bin/env bash
# The door's floor beside /healthz, in one run: how close check-in can come to 0.3 of /healthz
# on this machine while every scan's rows are written to SQLite before it is answered.
#   1. /healthz at 32 clients on a roadshow serving one stop of BADGES_COUNT registrations:
#      its rate, and the whole machine's CPU per request (server, wrk and kernel).
#   2. With the server stopped, bench/door-floor (SQLite alone, prepared statements, nothing of
#      roadshow's around it) writes one scan's rows on a copy of that database, part by part,
#      and checks a badge as roadshow does.
#   3. The budget: at 0.3 of /healthz, the machine's cores allow cores ÷ (0.3 × rate) of CPU per
#      scan. A scan costs at least a request (a /healthz's whole cost: it is a bigger request),
#      its badge check and its rows; the figures say how much of the budget those leave.
#   BADGES_COUNT=75000 DURATION=6 bench/door-floor.sh
source "$(dirname "$0")/lib.sh"
need_tools
COUNT=${BADGES_COUNT:-75000}
FLOOR_BIN=${FLOOR_TARGET:-$ROOT/target/door-floor}/release/door-floor
(cd "$ROOT/bench/door-floor" && CARGO_TARGET_DIR=${FLOOR_TARGET:-$ROOT/target/door-floor} cargo build --release --quiet)
export ROADSHOW_MAIL_WORKER=off
load_stop() { "$BIN" bench-data --stops 1 --registrations "$COUNT" --scans 0 --feedback 0 >/dev/null; }
# machine_busy_ticks: all cores' busy time so far (everything but idle and I/O wait), in ticks.
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

start_server sqlite load_stop
busy_before=$(machine_busy_ticks)
read -r hrps _ hp99 _ <<<"$(wrk_run 32 "$BASE/healthz")"
busy_ticks=$(( $(machine_busy_ticks) - busy_before ))
# The server stops (its WAL goes into the file); its database stays for the floor.
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
floor=$("$FLOOR_BIN" "$BENCH_TMP/bench.db" 25 "${FLOOR_SCANS:-30000}")
echo "$floor" | grep -v '^FLOOR'
python3 - "$(nproc)" "$(getconf CLK_TCK)" "$hrps" "$hp99" "$busy_ticks" "$DURATION" "$(echo "$floor" | grep '^FLOOR')" <<'PY'
import sys
cores, tck, hrps, hp99, busy, duration = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
_, rows, counters, badge = sys.argv[7].split()
rows, counters, badge = float(rows), float(counters), float(badge)
request = busy / tck * 1e6 / (hrps * duration)
budget = cores * 1e6 / (0.3 * hrps)
print(f"/healthz, 32 clients: {hrps:,.0f}/s (p99 {hp99} ms), {request:.1f} µs of the machine's CPU per request ({cores} cores)")
print(f"budget per scan at 0.3 of /healthz ({0.3 * hrps:,.0f} scans/s): {budget:.1f} µs of the machine's CPU")
least = request + badge + rows
print(f"least a scan costs: a request {request:.1f} + its badge check {badge:.1f} + its two rows {rows:.1f} = {least:.1f} µs"
      f" ({least / budget:.2f} of the budget), {least - rows + counters:.1f} with roadshow's counters ({(least - rows + counters) / budget:.2f})")
print(f"check-in's ceiling from these alone: {cores * 1e6 / least / hrps:.3f} of /healthz without counters, "
      f"{cores * 1e6 / (least - rows + counters) / hrps:.3f} with them")
PY
