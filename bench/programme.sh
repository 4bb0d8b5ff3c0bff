#!/usr/bin/env bash
# Public programme pages under wrk: the release build serves a large event (3 days, 6 rooms,
# 200 talks; `ghent seed --large`) from its release cache, next to nginx serving the same bytes
# as static files on this machine. Prints req/s, p50 and p99 for each, and Ghent's share of
# nginx's req/s. Usage: bench/programme.sh [rounds]
source "$(dirname "$0")/common.sh"
need wrk wrk
need nginx nginx-light
need curl curl
ROUNDS="${1:-3}"
build_release
dir=$(mktemp -d)
gport=18080
nport=18081
export DATABASE_URL="sqlite://$dir/bench.sqlite3" GHENT_DATA_DIR="$dir/data" RUST_LOG=warn
"$GHENT_BIN" seed --large >/dev/null
# `cd` is a statement of its own so that `&` and `$!` are the server itself, not a subshell.
(cd "$dir" || exit 1; GHENT_BIND="127.0.0.1:$gport" "$GHENT_BIN" serve >"$dir/ghent.log" 2>&1 & echo $! >"$dir/ghent.pid")
cleanup() { kill "$(cat "$dir/ghent.pid")" 2>/dev/null || true; [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$gport/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

talk=$(curl -fs "http://127.0.0.1:$gport/large-sample/programme/programme.json" | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin)["slots"] if s["url"]][100])')
mkdir -p "$dir/www"
curl -fs "http://127.0.0.1:$gport/large-sample/programme/" -o "$dir/www/programme.html"
curl -fs "http://127.0.0.1:$gport/large-sample/talks/$talk/" -o "$dir/www/talk.html"
curl -fs "http://127.0.0.1:$gport/large-sample/programme/schedule.xml" -o "$dir/www/schedule.xml"
cat >"$dir/nginx.conf" <<NGINX
worker_processes $(nproc);
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  types { text/html html; application/xml xml; }
  server { listen 127.0.0.1:$nport; root $dir/www; }
}
NGINX
chmod -R a+rX "$dir"
nginx -c "$dir/nginx.conf" -p "$dir"
sleep 0.3

echo "ghent $(bin_label) vs $(nginx -v 2>&1 | sed 's/.*: //'), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds"
printf 'sizes: programme %s bytes, talk %s bytes, schedule.xml %s bytes\n' "$(wc -c <"$dir/www/programme.html")" "$(wc -c <"$dir/www/talk.html")" "$(wc -c <"$dir/www/schedule.xml")"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  for pair in "programme|/large-sample/programme/|/programme.html" "talk page|/large-sample/talks/$talk/|/talk.html" "schedule.xml|/large-sample/programme/schedule.xml|/schedule.xml"; do
    IFS='|' read -r name gpath npath <<<"$pair"
    g=$(measure "ghent $name" "http://127.0.0.1:$gport$gpath")
    n=$(measure "nginx $name" "http://127.0.0.1:$nport$npath")
    echo "$g"
    echo "$n"
    gr=$(awk '{for (i=1;i<=NF;i++) if ($i=="req/s") print $(i-1)}' <<<"$g")
    nr=$(awk '{for (i=1;i<=NF;i++) if ($i=="req/s") print $(i-1)}' <<<"$n")
    python3 -c "print(f'  ghent/nginx: {float(\"$gr\")/float(\"$nr\"):.2f}')"
  done
done
