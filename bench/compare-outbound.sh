#!/usr/bin/env bash
# Outbound delivery, Sealmail vs Postfix, end to end on loopback, same load generator, same sink:
#   load generator --587 STARTTLS+AUTH--> Sealmail (queue, MX look-up via dnsmasq, STARTTLS) --> sink Postfix --> Maildir
#   load generator --587 STARTTLS+AUTH--> Postfix  (queue, transport map, STARTTLS)           --> sink Postfix --> Maildir
# Delivery latency = start of the submission to the mtime of the message's file in the sink's Maildir.
# Rounds alternate (Sealmail, Postfix, Sealmail, ...) after one unreported warm-up round each (WARMUP messages).
# Usage (root; needs postfix, dnsmasq, saslpasswd2): bench/compare-outbound.sh [MESSAGES] [ROUNDS] [CONNECTIONS]
#   defaults 1000 3 4. Addresses: sink 127.0.1.40:25, Postfix submission 127.0.1.41:10587,
#   Sealmail submission 127.0.1.42:10587, dnsmasq 127.0.1.54:53.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
msgs="${1:-1000}"; rounds="${2:-3}"; conns="${3:-4}"
work="$(mktemp -d /tmp/sealmail-outbound-bench.XXXXXX)"; chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
# SEALMAIL_JAR=path/quarkus-run.jar runs a given build instead of ./sealmail (which builds when sources changed).
sm() { if [[ -n "${SEALMAIL_JAR:-}" ]]; then java -jar "$SEALMAIL_JAR" "$@"; else "$root/sealmail" "$@"; fi; }
# GENERATOR=persistent (the default since fe15706, 2026-12-04): one load generator JVM for the whole run, fed one round per line
# (`bench outbound --rounds-from-stdin`), so the warm-up rounds warm it as they warm the servers and its code runs
# compiled by C2 in the measured rounds (it shares the 2 cores with the servers: its CPU is taken from both).
# GENERATOR=per-round: a new JVM per round, as before (then C1 only: a JVM living for one round spent most of its
# CPU in the C2 compiler). LOAD_JAVA_OPTS: JVM options of the generator only (the same program for both servers).
generator="${GENERATOR:-persistent}"
if [[ "$generator" == persistent ]]; then default_load_opts="-XX:+UseSerialGC"
else default_load_opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"; fi
load_java_opts="${LOAD_JAVA_OPTS-$default_load_opts}"
# LOAD_JAR=path/quarkus-run.jar: the generator from another build than the engine (default: SEALMAIL_JAR's).
load_jar="${LOAD_JAR:-${SEALMAIL_JAR:-}}"
sm_load() {
  if [[ -n "$load_jar" ]]; then java $load_java_opts -jar "$load_jar" "$@"
  else SEALMAIL_JAVA_OPTS="$load_java_opts" "$root/sealmail" "$@"; fi
}
sm_load_exec() {
  if [[ -n "$load_jar" ]]; then exec java $load_java_opts -jar "$load_jar" "$@"
  else SEALMAIL_JAVA_OPTS="$load_java_opts" exec "$root/sealmail" "$@"; fi
}
# For background use: exec, so $! is the JVM itself and the cleanup's kill reaches it.
# WARMUP=N messages of warm-up per server (default 10000), in WARMUP_ROUNDS interleaved parts (default 1).
# PERF_OUT=FILE records the engine with perf during round PERF_ROUND (default 1).
# ENGINE_JAVA_OPTS: JVM options of the engine only (e.g. -XX:StartFlightRecording=filename=/tmp/o.jfr to profile it).
sm_exec() {
  if [[ -n "${SEALMAIL_JAR:-}" ]]; then exec java ${ENGINE_JAVA_OPTS:-} -jar "$SEALMAIL_JAR" "$@"
  else SEALMAIL_JAVA_OPTS="${ENGINE_JAVA_OPTS:-}" exec "$root/sealmail" "$@"; fi
}

# Certificates from one test CA: the sink, both submission servers.
sm ca init --out "$work/ca" >/dev/null
sm ca issue --ca "$work/ca" --dns mx.sink.test --ip 127.0.1.40 --out "$work/tls-sink" >/dev/null
sm ca issue --ca "$work/ca" --dns localhost --ip 127.0.1.41 --out "$work/tls-postfix" >/dev/null
sm ca issue --ca "$work/ca" --dns localhost --ip 127.0.1.42 --out "$work/tls-sealmail" >/dev/null
chmod -R a+rX "$work"

# dnsmasq: the MX of sink.test for Sealmail (Postfix takes a transport map: no DNS for it at all).
dnsmasq --no-daemon --conf-file=/dev/null --port=53 --listen-address=127.0.1.54 --bind-interfaces --no-resolv \
  --no-hosts --local=/test/ --user=root --pid-file="$work/dnsmasq.pid" \
  --mx-host=sink.test,mx.sink.test,10 --host-record=mx.sink.test,127.0.1.40 > "$work/dnsmasq.log" 2>&1 &
pids+=($!)

# A Postfix instance with its own config and queue directories (never the system instance).
postfix_instance() { # name, master.cf service line, extra main.cf
  local d="$work/$1"; mkdir -p "$d/conf" "$d/queue" "$d/data" "$d/mail"; chown postfix:postfix "$d/data" "$d/mail"
  cat > "$d/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = $1.bench.test
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_header_rewrite_clients =
maillog_file = /var/log/sealmail-bench-$1.log
$3
CF
  # No chroot (the instance's queue directory has no copy of /etc), the smtpd line replaced by this instance's.
  sed -E "s|^smtp      inet .*|$2|; s/^([a-z]+ +(unix|inet|fifo|pass|unix-dgram) +[-ny] +[-ny] +)y /\1n /" \
    /usr/share/postfix/master.cf.dist > "$d/conf/master.cf"
  postfix -c "$d/conf" post-install create-missing >/dev/null 2>&1
}

# The sink: accepts sink.test over SMTP (STARTTLS offered), delivers into a Maildir (fsync, as Postfix always does).
postfix_instance sink "127.0.1.40:25 inet n - n - - smtpd" "
virtual_mailbox_domains = sink.test
virtual_mailbox_base = $work/sink/mail
virtual_mailbox_maps = inline:{ {bench@sink.test=bench/} }
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
smtpd_tls_security_level = may
smtpd_tls_cert_file = $work/tls-sink/tls.crt
smtpd_tls_key_file = $work/tls-sink/tls.key"
/usr/lib/postfix/sbin/master -c "$work/sink/conf" -d > "$work/sink/master.out" 2>&1 &
pids+=($!); sink_pid=$!

# Postfix as the submission server under comparison: STARTTLS required, AUTH (Cyrus sasldb), then STARTTLS to the sink.
postfix_instance postfix "127.0.1.41:10587 inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject" "
transport_maps = inline:{ {sink.test=smtp:[127.0.1.40]:25} }
relay_domains =
smtpd_tls_cert_file = $work/tls-postfix/tls.crt
smtpd_tls_key_file = $work/tls-postfix/tls.key
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtp_tls_security_level = may"
mkdir -p "$work/postfix/conf/sasl"
printf 'benchpass' | saslpasswd2 -p -c -f "$work/postfix/conf/sasl/sasldb2" -u bench.test bench
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN\nsasldb_path: %s\n' "$work/postfix/conf/sasl/sasldb2" \
  > "$work/postfix/conf/sasl/smtpd.conf"
chown -R postfix "$work/postfix/conf/sasl"
/usr/lib/postfix/sbin/master -c "$work/postfix/conf" -d > "$work/postfix/master.out" 2>&1 &
pids+=($!); postfix_pid=$!

# Sealmail: submission on 127.0.1.42:10587, direct delivery with MX look-ups through dnsmasq.
printf 'benchpass\n' | sm hash-password --address bench@bench.test > "$work/accounts"
cat > "$work/engine.yaml" <<CF
hostname: mail.bench.test
domains: [bench.test]
listeners:
  - {role: submission, address: 127.0.1.42, port: 10587}
tls: {certFile: $work/tls-sealmail/tls.crt, keyFile: $work/tls-sealmail/tls.key}
accountsFile: $work/accounts
dataDir: $work/sealmail-data
httpPort: -1
outbound:
  dns: {servers: ["127.0.1.54:53"]}
CF
sm_exec engine --config "$work/engine.yaml" > "$work/sealmail.log" 2>&1 &
pids+=($!); sealmail_pid=$!
for _ in $(seq 1 120); do grep -q "engine ready" "$work/sealmail.log" && break; sleep 1; done
grep -q "engine ready" "$work/sealmail.log" || { cat "$work/sealmail.log"; exit 1; }

# CPU time (user + system, in clock ticks) of a process, of its children it has reaped, and of its live children:
# for a Postfix instance its master and every daemon it started; for Sealmail the one JVM.
tick=$(getconf CLK_TCK)
cpu_ticks() {
  local total=0 f
  read -ra f < "/proc/$1/stat"
  total=$(( f[13] + f[14] + f[15] + f[16] ))
  for c in $(ps --ppid "$1" -o pid= 2>/dev/null); do
    [[ -r "/proc/$c/stat" ]] && { read -ra f < "/proc/$c/stat" || true; total=$(( total + f[13] + f[14] )); }
  done
  echo "$total"
}
# Of a JVM's CPU (ticks), the part in its JIT compiler threads and in its GC threads: "jit gc" (0 0 for Postfix).
jvm_overhead_ticks() {
  awk '{ c = $0; sub(/^[0-9]+ \(/, "", c); name = substr(c, 1, index(c, ") ") - 1); sub(/^.*\) /, "", c); split(c, f, " ")
         t = f[12] + f[13]
         if (name ~ /^C[12] CompilerThre/) jit += t; else if (name ~ /^(GC Thread|G1 |VM Thread)/) gc += t }
       END { printf "%d %d\n", jit, gc }' /proc/"$1"/task/*/stat 2>/dev/null || echo "0 0"
}
run() { # label host count server-pid [messages per session] (the load average before each run, as the figures move with it)
  local s0 k0 g1 s1 k1 o0 o1
  s0=$(cpu_ticks "$4"); k0=$(cpu_ticks "$sink_pid"); o0=$(jvm_overhead_ticks "$4")
  printf '[load %s] ' "$(cut -d' ' -f1 /proc/loadavg)"
  local before; before=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  [[ -n "${gen_pid:-}" ]] && before=$(cpu_ticks "$gen_pid")
  local perf=""  # PERF_OUT=FILE: perf record of the server during the first measured Sealmail round (profiling only)
  if [[ -n "${PERF_OUT:-}" && "$1" == "round ${PERF_ROUND:-1} Sealmail" ]]; then
    perf record -q -F 499 -g -p "$4" -o "$PERF_OUT" >/dev/null 2>&1 & perf=$!
  fi
  if [[ -n "${gen_pid:-}" ]]; then
    echo "$1|$2|10587|$3|${5:-0}" >&"${GEN[1]}"
    local line; while IFS= read -r line <&"${GEN[0]}"; do [[ "$line" == END ]] && break; echo "$line"; done
    g1=$(( $(cpu_ticks "$gen_pid") - before ))
  else
    sm_load bench outbound --host "$2" --port 10587 --cafile "$work/ca/ca.crt" --user bench@bench.test --password benchpass \
      --to bench@sink.test --sink-maildir "$work/sink/mail/bench" --connections "$conns" --messages "$3" --label "$1" \
      --messages-per-session "${5:-0}"
    g1=$(( $(awk '{print $14+$15+$16+$17}' /proc/$$/stat) - before ))
  fi
  if [[ -n "$perf" ]]; then kill -INT "$perf"; wait "$perf" || true; jcmd "$4" Compiler.perfmap >/dev/null 2>&1 || true; fi
  s1=$(( $(cpu_ticks "$4") - s0 )); k1=$(( $(cpu_ticks "$sink_pid") - k0 )); o1=$(jvm_overhead_ticks "$4")
  # CPU per message: where a 2-core machine's time goes (the sink and the load generator are the same for both).
  # For the Sealmail engine (a JVM) also the share of its JIT compilers and of its garbage collector in the round.
  awk -v s="$s1" -v k="$k1" -v g="$g1" -v n="$3" -v hz="$tick" -v o0="$o0" -v o1="$o1" 'BEGIN {
    split(o0, a, " "); split(o1, b, " "); jit = b[1] - a[1]; gc = b[2] - a[2]
    printf "    CPU per message: server %.2f ms", s*1000/hz/n
    if (jit + gc > 0) printf " (JIT %.2f, GC+VM %.2f)", jit*1000/hz/n, gc*1000/hz/n
    printf ", sink %.2f ms, load generator %.2f ms\n", k*1000/hz/n, g*1000/hz/n }'
}
if [[ "$generator" == persistent ]]; then
  coproc GEN { sm_load_exec bench outbound --rounds-from-stdin --cafile "$work/ca/ca.crt" --user bench@bench.test \
    --password benchpass --to bench@sink.test --sink-maildir "$work/sink/mail/bench" --connections "$conns"; }
  gen_pid=$GEN_PID; pids+=("$gen_pid")
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $msgs messages of 10 KB per round, $conns submission sessions, $generator generator"
echo "Postfix $(postconf -h mail_version 2>/dev/null || /usr/sbin/postconf -c "$work/sink/conf" -h mail_version)"
# One warm-up round each of WARMUP messages (default 10000) before the measured ones: a fresh JVM's C2 compiler
# takes a method on after thousands of calls, so code run once per message is compiled only after some 10,000
# messages (with 2,000 it still took a quarter of the engine's CPU in the third round). A mail server runs for days,
# so its figure is taken warm; the JIT's share of each measured round is printed beside it. Postfix gets the same.
# The warm-up's sessions quit after WARMUP_SESSION messages each (default 50) and new ones connect, as a server in
# service sees sessions come and go all the time (0: the round's CONNECTIONS sessions for the whole warm-up).
warmup="${WARMUP:-10000}"; warmup_rounds="${WARMUP_ROUNDS:-1}"; warmup_session="${WARMUP_SESSION:-50}"
for i in $(seq 1 "$warmup_rounds"); do
  run "warm-up Sealmail" 127.0.1.42 $(( warmup / warmup_rounds )) "$sealmail_pid" "$warmup_session" >/dev/null
  run "warm-up Postfix" 127.0.1.41 $(( warmup / warmup_rounds )) "$postfix_pid" "$warmup_session" >/dev/null
done
for i in $(seq 1 "$rounds"); do
  run "round $i Sealmail" 127.0.1.42 "$msgs" "$sealmail_pid"
  run "round $i Postfix " 127.0.1.41 "$msgs" "$postfix_pid"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
