# Shared helpers for Ghent's benchmarks: build the release binary, start it, run wrk, and print
# requests per second with latency percentiles. Sourced by the bench scripts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing (apt-get install $2)" >&2; exit 1; }; }

build_release() {
  (cd "$ROOT" && cargo build --release --quiet)
  GHENT_BIN="$ROOT/target/release/ghent"
}

# start_ghent DIR PORT [extra env assignments...]: starts ghent serve --demo in DIR on PORT.
start_ghent() {
  local dir="$1" port="$2"; shift 2
  (cd "$dir" && env RUST_LOG=warn GHENT_DATA_DIR="$dir/data" "$@" "$GHENT_BIN" serve --demo --bind "127.0.0.1:$port" >"$dir/ghent.log" 2>&1 &)
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "ghent did not start; log:" >&2; cat "$dir/ghent.log" >&2; exit 1
}

stop_ghent() { pkill -f "ghent serve --demo --bind 127.0.0.1:$1" || true; }

# measure NAME URL [wrk options...] [-- script args...]: prints "NAME  req/s  p50  p99".
measure() {
  local name="$1" url="$2"; shift 2
  local opts=() rest=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift && rest=("$@")
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${opts[@]}" "$url" -- "${rest[@]}")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-28s %10s req/s   p50 %-9s p99 %-9s%s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:+  non-2xx: $non2xx}"
}
