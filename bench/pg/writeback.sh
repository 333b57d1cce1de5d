#!/usr/bin/env bash
# Commit stalls from the kernel's writeback of PostgreSQL's table files, without Switchboard.
#
# A PostgreSQL with the embedded database's settings (fsync and synchronous_commit on, wal_init_zero
# off) takes 10-row inserts into chat.messages (made by the chat bundle's migrations, three indexes)
# at a fixed rate, twice in one run: once as is, once with every table or index file changed in the
# last 3 s written to the disk (fdatasync) once a second, as the launcher's DataFileWriteback does.
# For each: the seconds in which a transaction took over 30 ms, the worst, and the mean.
#   bench/pg/writeback.sh [--seconds=100] [--rate=400]   (rate: transactions/s, 10 rows each)
# Needs PostgreSQL's server binaries (the embedded ones, unpacked under /tmp/embedded-pg by any start
# of Switchboard, or a Debian postgresql package) and pgbench.
set -euo pipefail
seconds=100
rate=400
for a in "$@"; do
  case "$a" in
    --seconds=*) seconds=${a#*=} ;;
    --rate=*) rate=${a#*=} ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done
bin=$(ls -d /tmp/embedded-pg/PG-*/bin 2>/dev/null | head -1 || true)
[ -n "$bin" ] || bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1 || command -v pgbench || true)
[ -n "$bin" ] && [ -x "$bin/postgres" ] || { echo "no PostgreSQL server binaries found" >&2; exit 1; }
[ -n "$pgbench" ] || { echo "pgbench not found (Debian: postgresql-client)" >&2; exit 1; }

migrations=$(cd "$(dirname "$0")/../../bundles/chat/src/main/resources/db/migration/chat" && pwd)
work=$(mktemp -d /tmp/pg-writeback.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u nobody --); chown nobody "$work"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
flusher=
cleanup() {
  [ -n "$flusher" ] && kill "$flusher" 2>/dev/null || true
  "${as[@]}" "$bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

start() {
  "${as[@]}" "$bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work/data"
  "${as[@]}" "$bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/data/log.txt" -w -o "-p $port -k $work \
    -c listen_addresses=localhost -c fsync=on -c synchronous_commit=on -c wal_init_zero=off" start >/dev/null
  # chat.messages as the chat bundle's migrations make it (three indexes)
  psql -h localhost -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA chat" \
    $(ls "$migrations"/V*.sql | sort -V | sed 's/^/-f /') -c "CHECKPOINT"
}

cat > "$work/insert.sql" <<'EOF'
\set c random(1, 500)
\set s random(1, 1000000000)
INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
SELECT 'c_' || :c || '_' || g, :s::bigint * 10 + g, :s::bigint * 10 + g, 'a_00000000000000000000' || g,
       'p1-' || :s || '-' || g, 'a message of moderate length, as the chat bench sends them ' || g, now()
FROM generate_series(1, 10) g;
EOF

run() { # label
  rm -rf "$work/log" && mkdir "$work/log"
  (cd "$work/log" && "$pgbench" -h localhost -p "$port" -U postgres -n -f "$work/insert.sql" -R "$rate" \
    -T "$seconds" -c 2 -j 1 -l --aggregate-interval=1 postgres > out.txt 2>&1)
  # aggregate log: start, transactions, latency sum, sum of squares, min, max (microseconds), ...
  cat "$work/log"/pgbench_log.* | awk -v label="$1" '
    { n++; tx += $2; sum += $3; max = $6 / 1000; if (max > 30) { slow++; at = at " " n "s:" int(max + 0.5) }
      if (max > worst) worst = max }
    END { printf "%-34s seconds with a transaction over 30 ms: %3d of %d, worst %6.1f ms, mean %.2f ms;%s\n",
          label, slow, n, worst, sum / tx / 1000, (slow ? " at" at : "") }'
}

echo "PostgreSQL: $("$bin/postgres" --version); $rate transactions/s of 10 rows, $seconds s per run; kernel: vm.dirty_expire_centisecs=$(cat /proc/sys/vm/dirty_expire_centisecs)"
start
run "as is:"
start
(while true; do
   find "$work/data/base" -type f -newermt '-3 seconds' -print0 2>/dev/null | xargs -0 -r sync -d 2>/dev/null || true
   sleep 1
 done) &
flusher=$!
run "changed files written back each 1 s:"
