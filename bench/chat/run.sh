#!/usr/bin/env bash
# Chat benchmark: 1:1 message rates at p99 ≤ 50 ms, group fan-out, CPU and database writes per
# message, memory per idle socket; Switchboard beside a raw relay measured in the same run.
# Writes its section into docs/benchmarks.md (not in --quick mode unless --write is given).
#   bench/chat/run.sh            full run (about 17 minutes on 2 cores)
#   bench/chat/run.sh --quick    smoke run (a minute or two)
# Other options: --users=N --rates=500,1000 --step-seconds=S --idle=N --only=relay|switchboard --no-write
#   --timeline           log each step's 100 ms slots whose worst latency is over 50 ms (where a p99 comes from)
# BENCH_SERVER_JAVA_OPTIONS='-Xlog:gc:file=/tmp/gc-%p.log' bench/chat/run.sh: JVM options for the servers only
# BENCH_JVM_FLAGS='-XX:+UseG1GC' bench/chat/run.sh: both servers' JVM flags instead of the README's (-XX:+UseParallelGC)
#   --send=socket|http   how messages go to both servers: message.send frames on the sender's socket
#                        (default) or PUT …/messages/{clientMsgId} over HTTP
#   --order=rotation|random  which pair sends next: the pairs in turn (default; every conversation gets
#                        the same share at every moment) or a pair drawn at random for each message
set -euo pipefail
cd "$(dirname "$0")/../.."
# Each socket is a file descriptor in the bench and in the server: 10,000 idle sockets need more than 1024.
want=65536
if ! ulimit -n "$want" 2>/dev/null; then
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] || ulimit -n "$hard"
  echo "open files: could not raise the limit to $want; using $(ulimit -n) (the hard limit)"
fi
[ -f distribution/target/switchboard.jar ] || mvn -B -q install -DskipTests
mvn -B -q -f bench/chat/pom.xml package
exec java -Xmx2g -cp "bench/chat/target/classes:bench/chat/target/lib/*" io.switchboard.bench.chat.ChatBench \
  distribution/target/switchboard.jar docs/benchmarks.md "$@"
