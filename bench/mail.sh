#!/usr/bin/env bash
# Mail delivery throughput: queue N messages in the outbox (each with its queue item), deliver them with the release
# binary (`ghent send-mail --once`: the same worker as inside `ghent serve`) to the loopback
# SMTP catcher (`ghent mail-catcher`), and print mails per second. Rounds give a median.
# Usage: bench/mail.sh [N] [rounds]    (DATABASE_URL=postgres://... to measure PostgreSQL)
source "$(dirname "$0")/common.sh"
N="${1:-2000}"
ROUNDS="${2:-3}"
build_release
dir=$(mktemp -d)
port=12525
(cd "$dir" || exit 1; RUST_LOG=warn "$GHENT_BIN" mail-catcher --bind "127.0.0.1:$port" >"$dir/catcher.log" 2>&1 & echo $! >"$dir/catcher.pid")
trap 'kill "$(cat "$dir/catcher.pid")" 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 0.5
DB="${DATABASE_URL:-sqlite://$dir/bench.sqlite3}"
export DATABASE_URL="$DB" GHENT_DATA_DIR="$dir/data" GHENT_SMTP_URL="smtp://127.0.0.1:$port" RUST_LOG=warn
"$GHENT_BIN" migrate >/dev/null

queue() {
  local now; now=$(date -u +"%Y-%m-%d %H:%M:%S")
  if [[ "$DB" == postgres* ]]; then
    psql -q "$DB" -c "DELETE FROM mail_outbox" -c "DELETE FROM jobs" -c "INSERT INTO mail_outbox (id, kind, recipient_email, recipient_name, subject, text_body, html_body, message_id, status, attempts, next_attempt_at, created_at)
      SELECT 'm' || g, 'test', 'p' || g || '@example.org', 'Person ' || g, 'Benchmark ' || g,
             repeat('Text body line. ', 40), '<p>' || repeat('HTML body line. ', 40) || '</p>', '<' || gen_random_uuid() || '@bench>',
             'queued', 0, '$now', '$now' FROM generate_series(1, $N) g" \
      -c "INSERT INTO jobs (id, kind, payload, unique_key, status, priority, due_at, attempts, max_attempts, created_at, updated_at)
      SELECT 'j' || g, 'mail.deliver', '{\"mail_id\":\"m' || g || '\"}', 'mail.deliver:m' || g, 'queued', 10, '$now', 0, 8, '$now', '$now'
      FROM generate_series(1, $N) g"
  else
    python3 - "$dir/bench.sqlite3" "$N" "$now" <<'PY'
import sqlite3, sys, uuid
path, n, now = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = sqlite3.connect(path)
c.execute("DELETE FROM mail_outbox")
c.execute("DELETE FROM jobs")
c.executemany("INSERT INTO mail_outbox (id, kind, recipient_email, recipient_name, subject, text_body, html_body, message_id, status, attempts, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
  [(f'm{i}', 'test', f'p{i}@example.org', f'Person {i}', f'Benchmark {i}', 'Text body line. ' * 40, '<p>' + 'HTML body line. ' * 40 + '</p>', f'<{uuid.uuid4()}@bench>', 'queued', 0, now, now) for i in range(n)])
# Each message's delivery waits in the queue, as the outbox writes it.
c.executemany("INSERT INTO jobs (id, kind, payload, unique_key, status, priority, due_at, attempts, max_attempts, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
  [(f'j{i}', 'mail.deliver', '{"mail_id":"m%d"}' % i, f'mail.deliver:m{i}', 'queued', 10, now, 0, 8, now, now) for i in range(n)])
c.commit()
PY
  fi
}

echo "ghent $(bin_label), $(nproc) cores, $N messages per round, ${DB%%:*}"
rates=()
for round in $(seq 1 "$ROUNDS"); do
  queue
  start=$(date +%s.%N)
  out=$("$GHENT_BIN" send-mail --once)
  end=$(date +%s.%N)
  rate=$(python3 -c "print(round($N / ($end - $start)))")
  rates+=("$rate")
  printf 'round %d: %s in %.2f s = %s mails/s\n' "$round" "$out" "$(python3 -c "print($end - $start)")" "$rate"
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median: $median mails/s"
