#!/usr/bin/env bash
# SIP benchmark, signalling only: SIPp UAC → Switchboard (B2BUA, company to company over peer trunks) →
# SIPp UAS, beside the same load through Kamailio as a stateful proxy and SIPp UAC → UAS directly, all
# in the same run. Calls per second at < 0.1 % failed calls, setup time (INVITE → 200) percentiles,
# calls held at once, server heap during a soak. Writes its section into docs/benchmarks.md (not in
# --quick mode unless --write is given).
#
# Build first (this script builds nothing):  mvn -B -q install -DskipTests
# Needs Debian's sip-tester (sipp) and kamailio:  apt-get install sip-tester kamailio
#
#   bench/sip/run.sh               full run (about 28 minutes: steps, 2000 calls held, 10-minute soaks)
#   bench/sip/run.sh --quick       smoke run (about 2 minutes)
# Options: --rates=50,100,200,300,400,800 --step-seconds=S --hold-ms=MS --warmup-seconds=S
#          --concurrent=N --concurrent-rate=R --soak-minutes=M --soak-rate=R --soak-hold-ms=MS
#          --baseline-soak-minutes=M --only=switchboard|kamailio|direct (repeatable) --write --no-write
#          --jar=PATH (another build of the runnable jar)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
JAR=$ROOT/distribution/target/switchboard.jar
SCENARIOS=$ROOT/bench/sip
DOC=$ROOT/docs/benchmarks.md

# ---- options
RATES=50,100,200,300,400,800
STEP_SECONDS=15
HOLD_MS=1000
WARMUP_SECONDS=20
WARMUP_RATE=50
CONCURRENT=2000
CONCURRENT_RATE=100
SOAK_MINUTES=10
SOAK_RATE=100
SOAK_HOLD_MS=5000
BASELINE_SOAK_MINUTES=
ONLY=
WRITE=yes
QUICK=no
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=yes; RATES=50,200; STEP_SECONDS=5; WARMUP_SECONDS=5; CONCURRENT=300; CONCURRENT_RATE=100
             SOAK_MINUTES=1; SOAK_RATE=50; SOAK_HOLD_MS=2000; WRITE=no ;;
    --rates=*) RATES=${arg#*=} ;;
    --step-seconds=*) STEP_SECONDS=${arg#*=} ;;
    --hold-ms=*) HOLD_MS=${arg#*=} ;;
    --warmup-seconds=*) WARMUP_SECONDS=${arg#*=} ;;
    --concurrent=*) CONCURRENT=${arg#*=} ;;
    --concurrent-rate=*) CONCURRENT_RATE=${arg#*=} ;;
    --soak-minutes=*) SOAK_MINUTES=${arg#*=} ;;
    --soak-rate=*) SOAK_RATE=${arg#*=} ;;
    --soak-hold-ms=*) SOAK_HOLD_MS=${arg#*=} ;;
    --baseline-soak-minutes=*) BASELINE_SOAK_MINUTES=${arg#*=} ;;
    --only=*) ONLY="$ONLY ${arg#*=}" ;;
    --jar=*) JAR=$(cd "$(dirname "${arg#*=}")" && pwd)/$(basename "${arg#*=}") ;;
    --write) WRITE=force ;;
    --no-write) WRITE=no ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done
[ "$WRITE" = force ] && WRITE=yes
[ -n "$BASELINE_SOAK_MINUTES" ] || BASELINE_SOAK_MINUTES=$SOAK_MINUTES
IFS=, read -r -a RATE_LIST <<<"$RATES"
wanted() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

# ---- what must be there
fail() { echo "bench/sip: $*" >&2; exit 1; }
command -v sipp >/dev/null || fail "sipp is missing: apt-get install sip-tester"
KAMAILIO=/usr/sbin/kamailio
KAMCMD=/usr/sbin/kamcmd
KAM_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
if wanted kamailio; then
  [ -x "$KAMAILIO" ] || fail "kamailio is missing: apt-get install kamailio"
  [ -f "$KAM_MODULES/tm.so" ] || fail "kamailio's modules are not in $KAM_MODULES"
fi
if wanted switchboard; then
  [ -f "$JAR" ] || fail "$JAR is missing: build first with mvn -B -q install -DskipTests"
  command -v jcmd >/dev/null || fail "jcmd (a JDK) is needed to read the heap"
fi
for tool in curl jq awk ss; do command -v $tool >/dev/null || fail "$tool is missing"; done

# Each UDP call is no socket, but SIPp, the JVM and Kamailio keep files open per connection and per log.
want=65536
if ! ulimit -n "$want" 2>/dev/null; then
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] || ulimit -n "$hard"
  echo "open files: could not raise the limit to $want; using $(ulimit -n) (the hard limit)"
fi

# ---- roles, each on its own loopback address (Linux answers all of 127/8 on lo)
SB_IP=127.0.1.1       # Switchboard's SIP stack
UAC_IP=127.0.1.2      # SIPp calling (the origin company's PBX)
UAS_IP=127.0.1.3      # SIPp answering (the target company's PBX)
KAM_IP=127.0.1.4      # Kamailio
SIP_PORT=5060
for ip in $SB_IP $UAC_IP $UAS_IP $KAM_IP; do
  if ss -Hlun "src $ip:$SIP_PORT" | grep -q . || ss -Hltn "src $ip:$SIP_PORT" | grep -q .; then
    fail "$ip:$SIP_PORT is in use"
  fi
done
HTTP_PORT=$(awk 'BEGIN{srand(); print 20000 + int(rand() * 20000)}')
while ss -Hltn "sport = :$HTTP_PORT" | grep -q .; do HTTP_PORT=$((HTTP_PORT + 1)); done

WORK=$ROOT/bench/sip/target/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$WORK"
RESULTS=$WORK/results.tsv   # server  kind  key  value...
: >"$RESULTS"
echo "bench/sip: working in $WORK"

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget_pid() { local keep=() p; for p in "${PIDS[@]:-}"; do [ "$p" = "$1" ] || keep+=("$p"); done; PIDS=("${keep[@]:-}"); }
stop_pid() {
  local p=$1
  kill "$p" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  forget_pid "$p"
}
now() { date +%s.%N; }
log() { echo "[$(date -u +%H:%M:%S)] $*"; }
record() { local IFS=$'\t'; echo "$*" >>"$RESULTS"; }

# ---- process accounting
descendants() { local c; for c in $(pgrep -P "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done; }
# utime + stime of the processes given, in seconds
cpu_of() {
  local total=0 p t
  for p in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t / hz}'
}
# proportional set size (shared pages split between the processes that map them), MB
pss_mb_of() {
  local total=0 p r
  for p in "$@"; do
    r=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${r:-0}))
  done
  echo $((total / 1024))
}
SERVER_PIDS=()   # the processes of the server under test (JVM + PostgreSQL, or Kamailio's)
server_pids() { echo "${SERVER_PIDS[@]}"; }
refresh_server_pids() {
  local main=$1 extra=${2:-}
  SERVER_PIDS=("$main" $(descendants "$main"))
  if [ -n "$extra" ]; then SERVER_PIDS+=("$extra" $(descendants "$extra")); fi
}

# ---- Switchboard
SB_PID=
SB_HOME=
PG_PID=
start_switchboard() {
  SB_HOME=$WORK/switchboard-home
  rm -rf "$SB_HOME"
  # A copy: a build during the run must not replace the jar under the running JVM.
  cp "$JAR" "$WORK/switchboard.jar"
  log "switchboard: starting (fresh home, SIP on $SB_IP:$SIP_PORT, HTTP on 127.0.0.1:$HTTP_PORT)"
  SWITCHBOARD_HOME=$SB_HOME SWITCHBOARD_HTTP_PORT=$HTTP_PORT SWITCHBOARD_BIND=127.0.0.1 \
    SWITCHBOARD_SIP_ADDRESS=$SB_IP SWITCHBOARD_SIP_PORT=$SIP_PORT SWITCHBOARD_SIP_DOMAIN=$SB_IP \
    SWITCHBOARD_ADMIN_TOKEN=sip-bench-admin-token-0123456789 \
    java -jar "$WORK/switchboard.jar" >"$WORK/switchboard.log" 2>&1 &
  SB_PID=$!
  PIDS+=("$SB_PID")
  for _ in $(seq 600); do
    grep -q "Switchboard ready on" "$WORK/switchboard.log" && break
    kill -0 "$SB_PID" 2>/dev/null || { tail -40 "$WORK/switchboard.log"; fail "switchboard ended at start"; }
    sleep 0.1
  done
  grep -q "Switchboard ready on" "$WORK/switchboard.log" || fail "switchboard not ready within 60 s"
  PG_PID=$(head -1 "$SB_HOME/data/pg/postmaster.pid" 2>/dev/null || true)
  refresh_server_pids "$SB_PID" "$PG_PID"
  setup_companies
}

API=
api() { # method path token [json] → body; fails on a non-2xx answer
  local method=$1 path=$2 token=$3 body=${4:-} out code
  local args=(-sS -o "$WORK/api.out" -w '%{http_code}' -X "$method" "$API$path" -H 'Content-Type: application/json')
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-d "$body")
  code=$(curl "${args[@]}")
  out=$(cat "$WORK/api.out")
  [[ "$code" == 2* ]] || fail "$method $path answered $code: $out"
  echo "$out"
}
setup_companies() {
  API=http://127.0.0.1:$HTTP_PORT/api/v1
  local company token
  for company in origin target; do
    api POST /accounts "" "{\"handle\":\"$company\",\"displayName\":\"$company\",\"password\":\"bench password $company\",\"kind\":\"business\"}" >/dev/null
    token=$(api POST /sessions "" "{\"handle\":\"$company\",\"password\":\"bench password $company\",\"deviceName\":\"bench\"}" | jq -r .token)
    if [ $company = origin ]; then
      api POST /trunks "$token" "{\"name\":\"pbx\",\"mode\":\"peer\",\"host\":\"$UAC_IP\",\"port\":$SIP_PORT}" >/dev/null
    else
      api POST /trunks "$token" "{\"name\":\"pbx\",\"mode\":\"peer\",\"host\":\"$UAS_IP\",\"port\":$SIP_PORT}" >/dev/null
      api PUT /routing "$token" '{"rules":[{"name":"all","ring":{"strategy":"ringall","members":[{"extension":"100","trunk":"pbx"}],"totalTimeout":30}}]}' >/dev/null
    fi
  done
  log "switchboard: companies origin (peer trunk $UAC_IP) and target (peer trunk $UAS_IP:$SIP_PORT, ring-all extension 100)"
}

# live heap after a full collection, MB (G1: "garbage-first heap total …K, used …K")
sb_heap_mb() {
  jcmd "$SB_PID" GC.run >/dev/null 2>&1 || true
  jcmd "$SB_PID" GC.heap_info 2>/dev/null | awk '/heap +total/{for(i=1;i<=NF;i++) if($i=="used"){v=$(i+1); sub(/K,?$/,"",v); printf "%.1f", v/1024; exit}}'
}

# PostgreSQL's counters: "transactions committed, rows written" (psql from Debian's postgresql-client)
pg_counters() {
  command -v psql >/dev/null || { echo "- -"; return; }
  local port; port=$(sed -n 4p "$SB_HOME/data/pg/postmaster.pid" 2>/dev/null || true)
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -AtF ' ' -c \
    "SELECT sum(xact_commit), sum(tup_inserted + tup_updated + tup_deleted) FROM pg_stat_database" 2>/dev/null || echo "- -"
}

# ---- Kamailio as a stateful proxy (tm, record-routed, every request relayed to the UAS)
KAM_PID=
KAM_RUN=
start_kamailio() {
  local dir=$WORK/kamailio
  mkdir -p "$dir"
  KAM_RUN=$(mktemp -d /tmp/sipbench.XXXXXX)   # the control socket's path must be short
  cat >"$dir/kamailio.cfg" <<EOF
#!KAMAILIO
debug=1
log_stderror=yes
children=4
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
listen=udp:$KAM_IP:$SIP_PORT
mpath="$KAM_MODULES/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "pv.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$KAM_RUN/ctl")
request_route {
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (has_totag()) {
        if (loose_route()) { t_relay(); exit; }
        if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
        sl_send_reply("404", "Not here"); exit;
    }
    if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
    t_check_trans();
    if (!is_method("INVITE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
    record_route();
    \$du = "sip:$UAS_IP:$SIP_PORT";
    if (!t_relay()) sl_reply_error();
    exit;
}
EOF
  log "kamailio: starting ($KAM_IP:$SIP_PORT, 4 UDP workers, 512 MB shared memory)"
  "$KAMAILIO" -f "$dir/kamailio.cfg" -DD -E -Y "$KAM_RUN" -m 512 -M 16 >"$dir/kamailio.log" 2>&1 &
  KAM_PID=$!
  PIDS+=("$KAM_PID")
  for _ in $(seq 100); do
    [ -S "$KAM_RUN/ctl" ] && "$KAMCMD" -s "unix:$KAM_RUN/ctl" core.version >/dev/null 2>&1 && break
    kill -0 "$KAM_PID" 2>/dev/null || { cat "$dir/kamailio.log"; fail "kamailio ended at start"; }
    sleep 0.1
  done
  sleep 0.5
  refresh_server_pids "$KAM_PID"
}
kam_shm_mb() {
  "$KAMCMD" -s "unix:$KAM_RUN/ctl" core.shmmem 2>/dev/null | awk '/real_used:/{printf "%.1f", $2 / 1048576}'
}

# ---- SIPp
UAS_PID=
UAS_DIR=
start_uas() { # dir
  UAS_DIR=$1
  mkdir -p "$UAS_DIR"
  (cd "$UAS_DIR" && exec sipp -nostdin -sf "$SCENARIOS/uas.xml" -i $UAS_IP -p $SIP_PORT -mi $UAS_IP -mp 30000 \
      -default_behaviors all,-abortunexp -trace_stat -fd 1 -stf uas.csv -trace_err -error_file uas-errors.log >uas.out 2>&1) &
  UAS_PID=$!
  PIDS+=("$UAS_PID")
  sleep 0.5
  kill -0 "$UAS_PID" 2>/dev/null || { cat "$UAS_DIR/uas.out"; fail "the SIPp UAS did not start"; }
}
# a column of the last line of a SIPp statistics file
stat_col() { # file column-name
  awk -F';' -v want="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==want) c=i; next} {v=$c} END{print v+0}' "$1" 2>/dev/null || echo 0
}
stat_max() { # file column-name
  awk -F';' -v want="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==want) c=i; next} {if($c+0>m) m=$c+0} END{print m+0}' "$1" 2>/dev/null || echo 0
}
uas_current() { stat_col "$UAS_DIR/uas.csv" CurrentCall; }
# messages SIPp did not expect at that point of its scenario (logged, not fatal): late 180s, retransmitted INVITEs
unexpected() {
  local n=0 f
  for f in "$@"; do [ -f "$f" ] && n=$((n + $( (grep -o "on unexpected message" "$f" || true) | wc -l) )); done
  echo "$n"
}
# waits until the UAS holds no call (all BYEs through); prints how many it still holds after $1 s
drain_uas() {
  local limit=$1 left
  for _ in $(seq $((limit * 2))); do
    left=$(uas_current)
    [ "$left" -eq 0 ] && { echo 0; return; }
    sleep 0.5
  done
  uas_current
}

# runs the UAC: dir target-host:port rate calls limit hold-ms; leaves uac.csv, *_rtt.csv, uac.out in dir
run_uac() {
  local dir=$1 target=$2 rate=$3 calls=$4 limit=$5 hold=$6
  mkdir -p "$dir"
  local timeout=$(( calls / rate + hold / 1000 + 120 ))
  (cd "$dir" && exec timeout "$timeout" sipp -nostdin -sf "$SCENARIOS/uac.xml" -s target "$target" \
      -i $UAC_IP -p $SIP_PORT -mi $UAC_IP -mp 20000 -aa \
      -r "$rate" -rp 1000 -m "$calls" -l "$limit" -d "$hold" -recv_timeout 10000 -timer_resol 1 -default_behaviors all,-abortunexp \
      -trace_stat -fd 1 -stf uac.csv -trace_rtt -rtt_freq 1 -trace_err -error_file uac-errors.log >uac.out 2>&1) || true
}
# setup time percentiles (ms) from the rtt trace: "p50 p95 p99 max count"
rtt_percentiles() {
  cat "$1"/*_rtt.csv 2>/dev/null | awk -F';' '$3=="setup"{print $2}' | sort -n | awk '
    {v[NR]=$1} END{ if (NR==0) {print "- - - - 0"; exit}
      printf "%s %s %s %s %d\n", v[int(NR*0.50+0.999)], v[int(NR*0.95+0.999)], v[int(NR*0.99+0.999)], v[NR], NR }'
}
# calls per second actually started: calls created over the seconds from the first to the last creation
achieved_rate() {
  awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="TotalCallCreated")c=i; if($i=="ElapsedTime(C)")e=i}; next}
    { split($e,t,":"); s=t[1]*3600+t[2]*60+t[3]; n=$c+0
      if (n>0 && first=="") {first=s; firstn=n}
      if (n>last) {last=n; lasts=s} }
    END{ if (last==0) {print 0; exit} d=lasts-first; if (d<=0) {print last; exit}
      printf "%.1f", (last-firstn)/d }' "$1/uac.csv" 2>/dev/null || echo 0
}

# ---- one server: warm-up, rate steps, calls held, soak
BEST=()
phase() { # name target-host:port
  local name=$1 target=$2
  local dir=$WORK/$name
  mkdir -p "$dir"
  start_uas "$dir/uas"
  local cpu0 cpu1 t0 t1
  if [ "$WARMUP_SECONDS" -gt 0 ]; then
    log "$name: warm-up, $WARMUP_SECONDS s at $WARMUP_RATE calls/s (not counted)"
    run_uac "$dir/warmup" "$target" $WARMUP_RATE $((WARMUP_SECONDS * WARMUP_RATE)) 100000 "$HOLD_MS"
    drain_uas 30 >/dev/null
  fi
  local best=- r pg0="- -" pgcalls=0
  if [ "$name" = switchboard ]; then sleep 11; pg0=$(pg_counters); fi   # statistics reach pg_stat_database within 10 s
  for r in "${RATE_LIST[@]}"; do
    local calls=$((r * STEP_SECONDS)) limit=$(( r * (HOLD_MS / 1000 + 1) * 4 + 200 ))
    [ -n "$SB_PID" ] && [ "$name" = switchboard ] && refresh_server_pids "$SB_PID" "$PG_PID"
    cpu0=$( [ ${#SERVER_PIDS[@]} -gt 0 ] && cpu_of "${SERVER_PIDS[@]}" || echo 0); t0=$(now)
    local unexp0 retr0; unexp0=$(unexpected "$UAS_DIR/uas-errors.log"); retr0=$(stat_col "$UAS_DIR/uas.csv" "Retransmissions(C)")
    run_uac "$dir/step-$r" "$target" "$r" "$calls" "$limit" "$HOLD_MS"
    t1=$(now); cpu1=$( [ ${#SERVER_PIDS[@]} -gt 0 ] && cpu_of "${SERVER_PIDS[@]}" || echo 0)
    local stuck; stuck=$(drain_uas 30)
    local unexp=$(( $(unexpected "$dir/step-$r/uac-errors.log") + $(unexpected "$UAS_DIR/uas-errors.log") - unexp0 ))
    local f=$dir/step-$r/uac.csv
    local created ok failed retrans achieved
    created=$(stat_col "$f" TotalCallCreated); ok=$(stat_col "$f" "SuccessfulCall(C)")
    failed=$(stat_col "$f" "FailedCall(C)"); retrans=$(( $(stat_col "$f" "Retransmissions(C)") + $(stat_col "$UAS_DIR/uas.csv" "Retransmissions(C)") - retr0 ))
    achieved=$(achieved_rate "$dir/step-$r")
    read -r p50 p95 p99 max n <<<"$(rtt_percentiles "$dir/step-$r")"
    local cores; cores=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" 'BEGIN{printf "%.2f", (b-a)/(e-s)}')
    local pass=no
    if [ "$created" -eq "$calls" ] && [ "$ok" -eq "$calls" -o $(( (calls - ok) * 1000 )) -lt "$calls" ] \
       && [ "$stuck" -eq 0 ] && awk -v a="$achieved" -v r="$r" 'BEGIN{exit !(a >= 0.95 * r)}'; then
      pass=yes; best=$r
    fi
    record "$name" step "$r" "$calls" "$created" "$ok" "$failed" "$retrans" "$achieved" "$p50" "$p95" "$p99" "$max" "$stuck" "$cores" "$pass" "$unexp"
    log "$name: $r calls/s × $STEP_SECONDS s: created $created, ok $ok, failed $failed, retransmissions $retrans, unexpected $unexp, started at $achieved/s, setup p50/p95/p99/max $p50/$p95/$p99/$max ms, left at the UAS $stuck, server cores $cores → $pass"
    pgcalls=$((pgcalls + created))
    [ "$pass" = yes ] || break
  done
  if [ "$name" = switchboard ]; then
    sleep 11
    record "$name" database "$pgcalls" $pg0 $(pg_counters)
  fi
  BEST+=("$name=$best")
  record "$name" best "$best"
  if [ "$name" = direct ]; then stop_pid "$UAS_PID"; return; fi

  # A fresh UAS for each of the next phases: calls a failed step left up must not count there.
  stop_pid "$UAS_PID"; start_uas "$dir/uas-held"

  # calls held at once
  local hold=$(( (CONCURRENT / CONCURRENT_RATE + 20) * 1000 ))
  log "$name: $CONCURRENT calls at $CONCURRENT_RATE calls/s, each held $((hold / 1000)) s"
  local before_heap=- peak_heap=- before_mem=- peak_mem=-
  sleep 10   # ended transactions and dialogs of the steps linger a few seconds in a SIP stack
  if [ "$name" = switchboard ]; then before_heap=$(sb_heap_mb); refresh_server_pids "$SB_PID" "$PG_PID"; before_mem=$(pss_mb_of "$SB_PID"); fi
  if [ "$name" = kamailio ]; then before_heap=$(kam_shm_mb); before_mem=$(pss_mb_of "${SERVER_PIDS[@]}"); fi
  run_uac "$dir/held" "$target" "$CONCURRENT_RATE" "$CONCURRENT" $((CONCURRENT + 100)) "$hold" &
  local uac=$!
  sleep $(( CONCURRENT / CONCURRENT_RATE + 10 ))
  local uac_now uas_now
  uac_now=$(stat_col "$dir/held/uac.csv" CurrentCall); uas_now=$(uas_current)
  if [ "$name" = switchboard ]; then peak_heap=$(sb_heap_mb); peak_mem=$(pss_mb_of "$SB_PID"); fi
  if [ "$name" = kamailio ]; then peak_heap=$(kam_shm_mb); peak_mem=$(pss_mb_of "${SERVER_PIDS[@]}"); fi
  wait "$uac" || true
  local stuck; stuck=$(drain_uas 30)
  local f=$dir/held/uac.csv
  read -r p50 p95 p99 max n <<<"$(rtt_percentiles "$dir/held")"
  record "$name" held "$CONCURRENT" "$(stat_col "$f" TotalCallCreated)" "$(stat_col "$f" "SuccessfulCall(C)")" \
    "$(stat_col "$f" "FailedCall(C)")" "$(stat_max "$f" CurrentCall)" "$uac_now" "$uas_now" "$(stat_max "$UAS_DIR/uas.csv" CurrentCall)" \
    "$before_heap" "$peak_heap" "$before_mem" "$peak_mem" "$p95" "$stuck"
  log "$name: held: ok $(stat_col "$f" "SuccessfulCall(C)")/$CONCURRENT, failed $(stat_col "$f" "FailedCall(C)"), up at once (UAC/UAS) $uac_now/$uas_now, memory $before_heap → $peak_heap MB (heap or shm), RSS $before_mem → $peak_mem MB, left $stuck"

  # soak
  local minutes=$SOAK_MINUTES
  [ "$name" = kamailio ] && minutes=$BASELINE_SOAK_MINUTES
  if [ "$minutes" -gt 0 ]; then
    local secs=$((minutes * 60))
    stop_pid "$UAS_PID"; start_uas "$dir/uas-soak"
    log "$name: soak, $minutes min at $SOAK_RATE calls/s, each held $((SOAK_HOLD_MS / 1000)) s; memory every minute"
    local m=0 heap mem
    [ "$name" = switchboard ] && { heap=$(sb_heap_mb); mem=$(pss_mb_of "$SB_PID"); }
    [ "$name" = kamailio ] && { heap=$(kam_shm_mb); mem=$(pss_mb_of "${SERVER_PIDS[@]}"); }
    record "$name" soakmem 0 "$heap" "$mem" "$(uas_current)"
    cpu0=$(cpu_of "${SERVER_PIDS[@]}"); t0=$(now)
    run_uac "$dir/soak" "$target" "$SOAK_RATE" $((SOAK_RATE * secs)) $((SOAK_RATE * 20 + 500)) "$SOAK_HOLD_MS" &
    uac=$!
    local start; start=$(date +%s)
    while [ $m -lt "$minutes" ]; do
      m=$((m + 1))
      while [ $(( $(date +%s) - start )) -lt $((m * 60)) ]; do sleep 1; done
      [ "$name" = switchboard ] && { heap=$(sb_heap_mb); mem=$(pss_mb_of "$SB_PID"); }
      [ "$name" = kamailio ] && { heap=$(kam_shm_mb); mem=$(pss_mb_of "${SERVER_PIDS[@]}"); }
      record "$name" soakmem "$m" "$heap" "$mem" "$(uas_current)"
      log "$name: soak minute $m: memory $heap MB (heap after GC, or shm), RSS $mem MB, calls up $(uas_current)"
    done
    wait "$uac" || true
    t1=$(now); cpu1=$(cpu_of "${SERVER_PIDS[@]}")
    stuck=$(drain_uas 30)
    sleep 10   # ended transactions and dialogs linger a few seconds in a SIP stack
    [ "$name" = switchboard ] && { heap=$(sb_heap_mb); mem=$(pss_mb_of "$SB_PID"); }
    [ "$name" = kamailio ] && { heap=$(kam_shm_mb); mem=$(pss_mb_of "${SERVER_PIDS[@]}"); }
    record "$name" soakmem after "$heap" "$mem" "$stuck"
    f=$dir/soak/uac.csv
    read -r p50 p95 p99 max n <<<"$(rtt_percentiles "$dir/soak")"
    local cores; cores=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" 'BEGIN{printf "%.2f", (b-a)/(e-s)}')
    record "$name" soak "$minutes" "$(stat_col "$f" TotalCallCreated)" "$(stat_col "$f" "SuccessfulCall(C)")" \
      "$(stat_col "$f" "FailedCall(C)")" "$(stat_col "$f" "Retransmissions(C)")" "$p50" "$p95" "$p99" "$max" "$stuck" "$cores"
    log "$name: soak done: ok $(stat_col "$f" "SuccessfulCall(C)")/$(stat_col "$f" TotalCallCreated), failed $(stat_col "$f" "FailedCall(C)"), setup p95 $p95 ms, after: memory $heap MB, left $stuck"
    if [ "$name" = switchboard ]; then
      jcmd "$SB_PID" GC.class_histogram 2>/dev/null >"$dir/histogram-after-soak.txt" || true
      local live_calls
      live_calls=$(awk '$4 ~ /^io\.switchboard\.sip\.b2bua\.(InboundCall|OutboundCall)$/ {printf "%s %s; ", $4, $2}' "$dir/histogram-after-soak.txt")
      record "$name" leftovers "${live_calls:-none}"
      log "$name: call objects on the heap after the soak: ${live_calls:-none}"
    fi
  fi
  stop_pid "$UAS_PID"
}

log "roles: Switchboard $SB_IP, SIPp UAC $UAC_IP, SIPp UAS $UAS_IP:$SIP_PORT, Kamailio $KAM_IP; open files $(ulimit -n)"
if wanted direct; then
  phase direct "$UAS_IP:$SIP_PORT"
fi
if wanted kamailio; then
  start_kamailio
  phase kamailio "$KAM_IP:$SIP_PORT"
  stop_pid "$KAM_PID"; rm -rf "$KAM_RUN"
fi
if wanted switchboard; then
  start_switchboard
  phase switchboard "$SB_IP:$SIP_PORT"
  grep -cE " (ERROR|WARN) " "$WORK/switchboard.log" >"$WORK/switchboard-warnings.count" || true
  stop_pid "$SB_PID"
  rm -rf "$WORK/switchboard.jar" "$SB_HOME/data" "$SB_HOME/cache"   # 250 MB a run; the logs stay
fi

# ---- report
SECTION=$WORK/section.md
JAVA_VERSION=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vm.name/{n=$2} /java.vm.version/{v=$2} END{print n " " v}')
SIPP_VERSION=$( (sipp -v 2>&1 || true) | awk '/SIPp v/{sub(/^v/, "", $2); sub(/-.*/, "", $2); print $2; exit}')
KAM_VERSION=$( ("$KAMAILIO" -v 2>/dev/null || true) | awk '/^version:/{print $3; exit}')
bash "$SCENARIOS/report.sh" "$RESULTS" "$WORK" "$(nproc)" "$JAVA_VERSION" "$SIPP_VERSION" "$KAM_VERSION" \
  "$RATES" "$STEP_SECONDS" "$HOLD_MS" "$WARMUP_SECONDS" "$WARMUP_RATE" "$CONCURRENT" "$CONCURRENT_RATE" \
  "$SOAK_MINUTES" "$BASELINE_SOAK_MINUTES" "$SOAK_RATE" "$SOAK_HOLD_MS" "$(ulimit -n)" >"$SECTION"
cat "$SECTION"
if [ "$WRITE" = yes ]; then
  awk -v section="$SECTION" '
    BEGIN{ while ((getline l < section) > 0) text = text l "\n" }
    /^## SIP \(bench\/sip\/run.sh\)/ { skip=1; printf "%s", text; done=1; next }
    skip && /^## / && !/^## SIP \(bench\/sip\/run.sh\)/ { skip=0 }
    !skip { print }
    END{ if (!done) printf "\n%s", text }' "$DOC" >"$WORK/benchmarks.md"
  cp "$WORK/benchmarks.md" "$DOC"
  log "wrote the SIP section of docs/benchmarks.md"
fi
