#!/usr/bin/env bash
# Registrations per second: wrk posts the registration form of the demo's devopsdays USA 2010
# (capacity 250: the first 250 hold seats, the rest join the waiting list) against the release
# build, with the form's rate limit off. Prints req/s, p50, p99, and an oversell check: seats
# held never exceed the capacity, and every 200 answer is one registration with one mail.
# Usage: bench/register.sh [rounds]      (DATABASE_URL=postgres://... to measure PostgreSQL)
source "$(dirname "$0")/common.sh"
need wrk wrk
need curl curl
ROUNDS="${1:-3}"
build_release
for round in $(seq 1 "$ROUNDS"); do
  dir=$(mktemp -d)
  port=18090
  export GHENT_FORM_RATE_LIMIT_PER_MINUTE=0
  start_ghent "$dir" "$port"
  curl -fs -c "$dir/cookies" "http://127.0.0.1:$port/usa-2010/register/" -o "$dir/form.html"
  token=$(grep -o 'name="csrf_token" value="[^"]*"' "$dir/form.html" | head -n1 | sed 's/.*value="//; s/"$//')
  cookie="ghent=$(awk '$6 == "ghent" {print $7}' "$dir/cookies")"
  [ -n "$token" ] && [ "$cookie" != "ghent=" ] || { echo "could not get a form token" >&2; exit 1; }
  [ "$round" = 1 ] && echo "ghent $(bin_label), $(nproc) cores, sqlite, wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
  out=$(measure "round $round: POST register" "http://127.0.0.1:$port/usa-2010/register/" -s "$ROOT/bench/register.lua" -- "$token" "$cookie" usa-2010)
  echo "$out"
  stop_ghent "$dir"
  sleep 0.5
  python3 - "$dir/data/demo.sqlite3" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
event, cap = c.execute("SELECT id, capacity FROM events WHERE slug = 'usa-2010'").fetchone()
held = c.execute("SELECT COUNT(*) FROM registrations WHERE event_id = ? AND status IN ('pending','offered','confirmed')", (event,)).fetchone()[0]
total = c.execute("SELECT COUNT(*) FROM registrations WHERE event_id = ?", (event,)).fetchone()[0]
waiting = c.execute("SELECT COUNT(*) FROM registrations WHERE event_id = ? AND status = 'waiting'", (event,)).fetchone()[0]
mails = c.execute("SELECT COUNT(*) FROM mail_outbox WHERE entity_type = 'registration'").fetchone()[0]
seqs = c.execute("SELECT COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM registrations WHERE event_id = ?", (event,)).fetchone()
ok = total > 0 and held <= cap and mails == total and seqs[0] == total
print(f"  oversell check: {held} seats held of {cap}, {waiting} waiting, {total} registrations, {mails} mails, seq 1..{seqs[2]} distinct: {'OK' if ok else 'FAILED'}")
PY
  rm -rf "$dir"
done
