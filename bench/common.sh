# Shared helpers for Ghent's benchmarks: build the release binary, start it, run wrk, and print
# requests per second with latency percentiles. Sourced by the bench scripts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing (apt-get install $2)" >&2; exit 1; }; }

# build_release: builds target/release/ghent, unless GHENT_BIN names a binary to measure instead
# (e.g. an older build, for an A/B comparison).
build_release() {
  if [ -n "${GHENT_BIN:-}" ]; then return 0; fi
  (cd "$ROOT" && cargo build --release --quiet)
  GHENT_BIN="$ROOT/target/release/ghent"
}

# bin_label: what is measured: the commit (with "+changes" for a dirty tree), or GHENT_BIN's path.
bin_label() {
  if [ "$GHENT_BIN" != "$ROOT/target/release/ghent" ]; then echo "$GHENT_BIN"; return; fi
  local rev; rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo dev)
  if [ -n "$(git -C "$ROOT" status --porcelain -- src Cargo.toml Cargo.lock templates static migrations 2>/dev/null)" ]; then rev="$rev+changes"; fi
  echo "$rev"
}

# start_ghent DIR PORT [extra env assignments...]: starts ghent serve --demo in DIR on PORT.
start_ghent() {
  local dir="$1" port="$2"; shift 2
  # `cd` is a statement of its own so that `&` and `$!` are the server itself, not a subshell.
  (cd "$dir" || exit 1; env RUST_LOG=warn GHENT_DATA_DIR="$dir/data" "$@" "$GHENT_BIN" serve --demo --bind "127.0.0.1:$port" >"$dir/ghent.log" 2>&1 & echo $! >"$dir/ghent.pid")
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "ghent did not start; log:" >&2; cat "$dir/ghent.log" >&2; exit 1
}

# stop_ghent DIR: stops the server start_ghent started in DIR.
stop_ghent() { [ -f "$1/ghent.pid" ] && kill "$(cat "$1/ghent.pid")" 2>/dev/null || true; }

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
