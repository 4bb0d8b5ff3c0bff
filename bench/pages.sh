#!/usr/bin/env bash
# Public pages of the demo (front page, an event's home page, health check) under wrk, against
# the release build. Prints req/s and p50/p99 latency. Usage: bench/pages.sh [rounds]
source "$(dirname "$0")/common.sh"
need wrk wrk
need curl curl
ROUNDS="${1:-3}"
build_release
dir=$(mktemp -d)
port=18080
start_ghent "$dir" "$port"
trap 'stop_ghent "$dir"; rm -rf "$dir"' EXIT
echo "ghent $(bin_label), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  measure "GET /" "http://127.0.0.1:$port/"
  measure "GET /ghent-2009/" "http://127.0.0.1:$port/ghent-2009/"
  measure "GET /healthz" "http://127.0.0.1:$port/healthz"
done
