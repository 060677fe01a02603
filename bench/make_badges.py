#!/usr/bin/env python3
"""Registers N attendees at a stop through the public API and writes their badge tokens, one
per line. Used by bench/checkin.sh so that every scan is a different valid badge."""
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base, stop_id, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def register(i: int) -> str:
    body = json.dumps({
        "first_name": "Badge", "last_name": f"N{i}", "email": f"badge{i}@bench.example",
        "company": "Bench SARL", "consent": True, "workshops": [],
    }).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/stops/{stop_id}/registrations", data=body,
        headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["badge"]["token"]


with ThreadPoolExecutor(max_workers=8) as pool:
    tokens = list(pool.map(register, range(count)))
with open(out, "w") as f:
    f.write("\n".join(tokens) + "\n")
