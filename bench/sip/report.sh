#!/usr/bin/env bash
# Writes the SIP section of docs/benchmarks.md (markdown on standard output) from the results of
# bench/sip/run.sh; called by it.
set -euo pipefail
RESULTS=$1 WORK=$2 CORES=$3 JAVA=$4 SIPP=$5 KAM=$6 RATES=$7 STEP=$8 HOLD=$9
shift 9
WARMUP=$1 WARMUP_RATE=$2 CONC=$3 CONC_RATE=$4 SOAK=$5 BASE_SOAK=$6 SOAK_RATE=$7 SOAK_HOLD=$8 NOFILE=$9

get() { # server kind key → the rest of the line (tab-separated)
  awk -F'\t' -v s="$1" -v k="$2" -v key="$3" '$1==s && $2==k && $3==key {for(i=4;i<=NF;i++) printf "%s%s", $i, (i<NF?"\t":""); print ""; exit}' "$RESULTS"
}
field() { echo "$1" | awk -F'\t' -v n="$2" '{print $n}'; }
best() { awk -F'\t' -v s="$1" '$1==s && $2=="best"{print $3}' "$RESULTS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else printf "" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%d ms", a - b; else printf "–" }'; }
ran() { grep -q "^$1	" "$RESULTS"; }

last_rate=${RATES##*,}
sb_best=$(best switchboard); kam_best=$(best kamailio); direct_best=$(best direct)
shown_best() { # server best → text
  local b=$2
  if [ -z "$b" ]; then echo "not run"; elif [ "$b" = - ]; then echo "– (none passed)";
  elif [ "$b" = "$last_rate" ]; then echo "≥ $b (every step passed)"; else echo "$b"; fi
}
# The rate at which setup times are compared: the highest step Switchboard passed, else its first.
cmp=${sb_best:-}
[ -z "$cmp" ] || [ "$cmp" = - ] && cmp=${RATES%%,*}
p95_at() { local l; l=$(get "$1" step "$cmp"); [ -n "$l" ] && field "$l" 8 || echo "–"; }
sb_p95=$(p95_at switchboard); kam_p95=$(p95_at kamailio); direct_p95=$(p95_at direct)
cores_at() { local l; l=$(get "$1" step "$cmp"); [ -n "$l" ] && field "$l" 12 || echo "–"; }

echo "## SIP (bench/sip/run.sh)"
echo
echo "Measured $(date -u +%Y-%m-%d) on $CORES cores, $JAVA, default JVM flags (\`java -jar\`), embedded PostgreSQL; SIPp $SIPP, Kamailio $KAM; UDP on loopback; open-files limit $NOFILE."
echo
echo "**SIPp (both ends) runs on the same cores as the server under test**, so every figure is a floor for the server; Kamailio runs under the same handicap, which is what the ratio is for. Signalling only: no RTP flows (Switchboard without \`SWITCHBOARD_RTPENGINE\` passes the SDP through)."
echo
sb_bm=$(shown_best switchboard "$sb_best"); kam_bm=$(shown_best kamailio "$kam_best")
cps_ratio=$(ratio "$sb_best" "$kam_best")
[ "$kam_best" = "$last_rate" ] && [ -n "$cps_ratio" ] && cps_ratio="≤ $cps_ratio"
echo "| figure | Switchboard | Kamailio, stateful proxy (same run) | Switchboard / Kamailio |"
echo "| --- | --- | --- | --- |"
echo "| calls/s with < 0.1 % failed calls, every call set up and torn down (highest step passed; steps $RATES) | $sb_bm | $kam_bm | $cps_ratio |"
echo "| setup time p95, INVITE → 200 at the calling SIPp, at $cmp calls/s | $sb_p95 ms | $kam_p95 ms | $(ratio "$sb_p95" "$kam_p95") |"
echo "| added setup time p95 at $cmp calls/s: Switchboard − Kamailio; Switchboard − direct SIPp → SIPp ($direct_p95 ms) | $(minus "$sb_p95" "$kam_p95"); $(minus "$sb_p95" "$direct_p95") | | |"
sb_held=$(get switchboard held "$CONC"); kam_held=$(get kamailio held "$CONC")
held_text() { # line
  [ -n "$1" ] || { echo "not run"; return; }
  echo "$(field "$1" 5) / $(field "$1" 6) up at once (calling / answering side); $(field "$1" 2) of $CONC completed, $(field "$1" 3) failed, left up $(field "$1" 13)"
}
echo "| calls held at once ($CONC placed at $CONC_RATE calls/s, each held $((CONC / CONC_RATE + 20)) s) | $(held_text "$sb_held") | $(held_text "$kam_held") | |"
if [ -n "$sb_held" ]; then
  per_call=$(awk -v a="$(field "$sb_held" 8)" -v b="$(field "$sb_held" 9)" -v n="$(field "$sb_held" 6)" 'BEGIN{ if (n > 0 && a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.1f", (b - a) * 1024 / n; else printf "–" }')
  kam_mem="–"
  [ -n "$kam_held" ] && kam_mem="shared memory in use $(field "$kam_held" 8) → $(field "$kam_held" 9) MB, resident (PSS, all processes) $(field "$kam_held" 10) → $(field "$kam_held" 11) MB"
  echo "| memory before → with the calls held | heap after GC $(field "$sb_held" 8) → $(field "$sb_held" 9) MB ($per_call kB per call), JVM resident (PSS) $(field "$sb_held" 10) → $(field "$sb_held" 11) MB | $kam_mem | |"
fi
soak_mem() { # server minute → "heap rss"
  local l; l=$(get "$1" soakmem "$2"); [ -n "$l" ] && echo "$(field "$l" 1) $(field "$l" 2)" || echo "– –"
}
if ran switchboard && [ -n "$(get switchboard soak "$SOAK")" ]; then
  read -r h0 r0 <<<"$(soak_mem switchboard 0)"; read -r h1 r1 <<<"$(soak_mem switchboard 1)"
  read -r hn rn <<<"$(soak_mem switchboard "$SOAK")"; read -r ha ra <<<"$(soak_mem switchboard after)"
  kam_soak="not run"
  if [ -n "$(get kamailio soak "$BASE_SOAK")" ]; then
    read -r k0 kr0 <<<"$(soak_mem kamailio 0)"; read -r kn krn <<<"$(soak_mem kamailio "$BASE_SOAK")"; read -r ka kra <<<"$(soak_mem kamailio after)"
    kam_soak="shared memory in use $k0 / $kn / $ka MB (start / after $BASE_SOAK min / after the drain); resident (PSS, all processes) $kr0 / $krn / $kra MB"
  fi
  echo "| soak, $SOAK_RATE calls/s held $((SOAK_HOLD / 1000)) s: heap after GC at start / after 1 min / after $SOAK min / after the drain | $h0 / $h1 / $hn / $ha MB; JVM resident (PSS) $r0 / $r1 / $rn / $ra MB | $kam_soak | |"
  s=$(get switchboard soak "$SOAK"); k=$(get kamailio soak "$BASE_SOAK")
  ktext="not run"; [ -n "$k" ] && ktext="$(field "$k" 3) of $(field "$k" 1) failed, p95 $(field "$k" 6) ms, $(field "$k" 10) cores"
  echo "| soak: failed calls, setup p95, server CPU cores busy | $(field "$s" 3) of $(field "$s" 1) failed, p95 $(field "$s" 6) ms, $(field "$s" 10) cores (JVM + PostgreSQL) | $ktext | |"
fi
db=$(awk -F'\t' '$1=="switchboard" && $2=="database"{print $3, $4, $5, $6, $7}' "$RESULTS")
if [ -n "$db" ]; then
  read -r calls x0 w0 x1 w1 <<<"$db"
  awk -v c="$calls" -v x0="$x0" -v w0="$w0" -v x1="$x1" -v w1="$w1" 'BEGIN{ if (c > 0 && x0 ~ /^[0-9]+$/ && x1 ~ /^[0-9]+$/)
    printf "| database work per call over all steps (%d calls; PostgreSQL `xact_commit`, read-only ones too / rows written) | %.1f transactions, %.1f rows written | none | |\n", c, (x1-x0)/c, (w1-w0)/c }'
fi
echo "| server CPU cores busy at $cmp calls/s | $(cores_at switchboard) (JVM + PostgreSQL) | $(cores_at kamailio) | $(ratio "$(cores_at switchboard)" "$(cores_at kamailio)") |"
echo
echo "Steps ($STEP s each, calls held $((HOLD / 1000)) s; setup time from the calling SIPp's INVITE to its 200; SIPp's clock advances in steps of 4 ms here, so 0 and 4 ms mean \"under 4 ms\"):"
echo
echo "| calls/s | path | calls | failed | retransmissions (both SIPps' sends) | unexpected messages (ignored) | started /s | setup p50 / p95 / p99 / max ms | left up at the answering side | server cores | passed |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
IFS=, read -r -a rates <<<"$RATES"
for r in "${rates[@]}"; do
  for s in switchboard kamailio direct; do
    l=$(get "$s" step "$r"); [ -n "$l" ] || continue
    name=$s; [ $s = direct ] && name="direct (no server)"
    cores=$(field "$l" 12); [ $s = direct ] && cores="–"
    echo "| $r | $name | $(field "$l" 1) | $(field "$l" 4) | $(field "$l" 5) | $(field "$l" 14) | $(field "$l" 6) | $(field "$l" 7) / $(field "$l" 8) / $(field "$l" 9) / $(field "$l" 10) | $(field "$l" 11) | $cores | $(field "$l" 13) |"
  done
done
if ran switchboard && [ -n "$(get switchboard soakmem 0)" ]; then
  echo
  echo "Soak, memory each minute (Switchboard: live heap after \`jcmd GC.run\`, JVM resident memory (PSS); Kamailio: shared memory in use, resident memory (PSS) of all its processes; calls up at the answering SIPp):"
  echo
  echo "| minute | Switchboard heap MB | Switchboard PSS MB | calls up | Kamailio shm MB | Kamailio PSS MB | calls up |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for m in $(seq 0 "$SOAK") after; do
    a=$(get switchboard soakmem "$m"); b=$(get kamailio soakmem "$m")
    [ -n "$a$b" ] || continue
    label=$m; [ $m = after ] && label="after the drain (+10 s)"
    echo "| $label | $(field "$a" 1) | $(field "$a" 2) | $(field "$a" 3) | $(field "$b" 1) | $(field "$b" 2) | $(field "$b" 3) |"
  done
fi
lo=$(awk -F'\t' '$1=="switchboard" && $2=="leftovers"{print $3}' "$RESULTS")
echo
[ -n "$lo" ] && echo "- Call objects of the B2BUA on Switchboard's heap after the soak's drain (class histogram): $lo"
[ -f "$WORK/switchboard-warnings.count" ] && echo "- WARN/ERROR lines in Switchboard's log over the whole run: $(cat "$WORK/switchboard-warnings.count")"
echo
cat <<EOF
Method. \`bench/sip/run.sh\` (after \`mvn -B -q install -DskipTests\`; it builds nothing) runs three paths one after the other (a fresh SIPp UAS for each path's steps, its held calls and its soak): SIPp UAC → SIPp UAS directly (the floor), SIPp UAC → Kamailio → UAS, SIPp UAC → Switchboard → UAS. Each role has its own loopback address: Switchboard's SIP stack 127.0.1.1:5060, the UAC 127.0.1.2:5060, the UAS 127.0.1.3:5060, Kamailio 127.0.1.4:5060. Switchboard runs as \`java -jar\` on a copy of \`distribution/target/switchboard.jar\` with a fresh home (embedded PostgreSQL), \`SWITCHBOARD_SIP_ADDRESS=127.0.1.1\`, no \`SWITCHBOARD_RTPENGINE\`; over the REST API the bench signs up two business accounts, \`origin\` with a peer trunk whose host is the UAC's address and \`target\` with a peer trunk to the UAS and one routing rule (ring-all, extension 100 over that trunk). The UAC calls \`sip:target@127.0.1.1:5060\`: Switchboard takes the INVITE as a call from \`origin\` (the trunk of the source address) to \`target\` (the calls feature, which stores the call), and its B2BUA places the far leg to \`sip:100@127.0.1.3\` per \`target\`'s rules; 180 and 200 come back through the calls feature, the UAC's BYE is answered and the far leg BYEd. Kamailio 5.6 runs from Debian's package with a config of the bench's own (\`bench/sip/target/run-*/kamailio/kamailio.cfg\`): tm, sl, rr, maxfwd; every INVITE record-routed and \`t_relay\`ed to the UAS, in-dialog requests loose-routed, 4 UDP workers, \`-m 512 -M 16\`. The scenarios are \`bench/sip/uac.xml\` (INVITE with an SDP offer, 100/180 optional, 200 → ACK, hold, BYE → 200; response time \`setup\` from INVITE sent to 200 received, traced per call with \`-trace_rtt\`) and \`bench/sip/uas.xml\` (180 and 200 at once, ACK, BYE → 200; Switchboard's OPTIONS probes of the trunk are answered 200; the UAC answers those of the calling company's trunk with \`-aa\`). Each path gets a warm-up of $WARMUP s at $WARMUP_RATE calls/s (not counted), then steps at $RATES calls/s of $STEP s each (\`sipp -r R -rp 1000 -m R×$STEP -d $HOLD -recv_timeout 10000 -default_behaviors all,-abortunexp\`, open loop, with a concurrency cap \`-l\` four times what the rate needs); a step passes when every call was started, at least 95 % of the rate was reached, fewer than 0.1 % of the calls failed (no answer within 10 s, SIPp's retransmissions running out; messages out of the scenario's order, such as a 180 overtaken by its 200 between Kamailio's parallel workers or an INVITE retransmitted by Switchboard, are counted in the table but fail no call) and the UAS holds no call 30 s after the step (no call stuck on the far leg); stepping stops at the first step that fails. Percentiles are over every call of the step. Then $CONC calls at $CONC_RATE calls/s held $((CONC / CONC_RATE + 20)) s (calls up at once read from both SIPps' statistics 10 s after the last one started, memory taken at the same moment), and a soak: $SOAK_RATE calls/s, each held $((SOAK_HOLD / 1000)) s, for $SOAK min on Switchboard and $BASE_SOAK min on Kamailio, memory read at the start, every minute and 10 s after the drain (Switchboard: \`jcmd <pid> GC.run\`, then the used heap from \`jcmd <pid> GC.heap_info\`; Kamailio: \`kamcmd core.shmmem\` real_used). Server CPU is utime + stime from \`/proc\` over the step (Switchboard: the JVM and its PostgreSQL processes; Kamailio: all its processes). Raw files (SIPp statistics, response times, logs) stay under \`bench/sip/target/run-*\`.
EOF
echo
