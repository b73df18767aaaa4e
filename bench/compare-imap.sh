#!/usr/bin/env bash
# Sealmail vs Dovecot for mailbox access: the same mailboxes, the same generator, the same machine.
# Usage: bench/compare-imap.sh [MESSAGES] [BODIES] [IDLE]     (defaults 10000 1000 5000; IDLE 0 skips that test)
#   bench1@bench.test gets MESSAGES generated messages (4 KB) in INBOX on both servers, written as Maildir files
#   directly (sealmail bench fill: same octets, same names); bench2 gets 100 for the idle connections.
#   Then, on each server in turn: sealmail bench imap (SELECT + FETCH 1:* (UID FLAGS RFC822.SIZE); FETCH of BODIES
#   full messages; IDLE connections with the server's memory before/after) and sealmail bench pop3 (UIDL + RETR).
#   Then the header-heavy workloads (INDEX_TESTS, default headers,envelope,search,store,store-settled,qresync; empty skips them):
#   Thunderbird's FETCH 1:* of 9 header fields, FETCH 1:* (ENVELOPE BODYSTRUCTURE ...), UID SEARCH FROM/SUBJECT,
#   STORE 1:* +/-FLAGS (\Seen), STORE 1:* +FLAGS (\Seen) alone until answered and until the server's CPU stands still
#   (store-settled: work a server does after its answer counts), and a QRESYNC SELECT after 100 flag changes by another session; sort and thread
#   (SORT (REVERSE DATE) UTF-8 ALL, THREAD REFERENCES UTF-8 ALL; refs: THREAD REFS UTF-8 ALL) when named in INDEX_TESTS, which then also fills
#   the folder with dated replies (sealmail bench fill --threads).
#   BASE_TESTS (default list,bodies; empty skips them) and POP3= (empty skips the POP3 figure) choose the rest.
#   COMPRESS_IDLE (default 1000; 0 skips): octets on the wire for the header FETCH without and with COMPRESS=DEFLATE,
#   and the server's memory per idle connection with COMPRESS on (that many connections, beside the plain IDLE test).
#   After WARMUP unreported warm-up passes per server (default 2; 0 skips them), the timing figures run REPEAT times (default 2) per server, interleaved A B B A ... (ORDER=dovecot-first
#   starts with Dovecot), so that both servers meet the same machine load; each figure also gives the server's CPU
#   time per round (process tree, /proc), which the load changes far less than the wall clock. The idle test runs
#   once per server.
#   COLD=1 adds the same workloads after a restart: for each test of BASE_TESTS and INDEX_TESTS in turn, each server
#   is restarted (the engine: SIGTERM, which writes the folder snapshots, and a new JVM; Dovecot: doveadm stop and
#   start) and runs that test once (one round: the figure is a first use after a restart, page cache warm), from a
#   client warmed against the server before the restart (CLIENT_WARMUP rounds, default 2; 0: a new client JVM). The warm
#   figures too come from a client that ran each test CLIENT_WARMUP rounds first, unreported.
#   COLD_REPEAT=N repeats that N times (default 1), Dovecot first every other time.
# Needs root (Dovecot, /var/vmail, file descriptor limits).
# SEALMAIL=path runs that launcher instead of ./sealmail (a copy of a built jar, so a build may run meanwhile);
# SEALMAIL_LABEL names it in the headings (default: git describe of this tree).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sm="${SEALMAIL:-$root/sealmail}"
messages="${1:-10000}"; bodies="${2:-1000}"; idle="${3:-5000}"
rounds="${ROUNDS:-10}"   # the first round is reported alone (cold), the others as a median
ulimit -n "$(ulimit -Hn)"   # the idle test needs one descriptor per connection on each side
work="$(mktemp -d /tmp/sealmail-imapbench.XXXXXX)"
ref=/var/lib/sealmail-reference
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# The reference first: it makes the CA and certificate both servers use, and an empty /var/vmail.
"$root/bench/reference/postfix-dovecot.sh" start 16 >/dev/null
ca="$ref/tls/ca.crt"

# Same mailboxes for both.
threads=""
[[ ",${INDEX_TESTS-}," =~ ,(sort|thread|refs), ]] && threads="--threads"
"$sm" bench fill --maildir /var/vmail/bench.test/bench1 --account bench1@bench.test --messages "$messages" $threads >/dev/null
"$sm" bench fill --maildir /var/vmail/bench.test/bench2 --account bench2@bench.test --messages 100 >/dev/null
chown -R vmail:vmail /var/vmail
mkdir -p "$work/data/mail"
cp -a /var/vmail/bench.test/bench1 "$work/data/mail/bench1@bench.test"
cp -a /var/vmail/bench.test/bench2 "$work/data/mail/bench2@bench.test"

# Sealmail engine: IMAPS and POP3S only, connection limits raised for the idle test. The bench accounts use a
# cheap Argon2id (1 MiB, 1 pass) so that 5,000 logins measure connections, not password hashing.
hash="$(printf 'benchpass\n' | "$sm" hash-password --memory 1024 --iterations 1)"
: > "$work/accounts"
for i in $(seq 1 16); do echo "bench$i@bench.test $hash" >> "$work/accounts"; done
cat > "$work/engine.yaml" <<YAML
hostname: localhost
domains: [bench.test]
listeners:
  - {role: imaps, address: 127.0.0.1, port: 11993}
  - {role: pop3s, address: 127.0.0.1, port: 11995}
tls:
  certFile: $ref/tls/tls.crt
  keyFile: $ref/tls/tls.key
accountsFile: $work/accounts
dataDir: $work/data
httpAddress: 127.0.0.1
httpPort: -1
limits:
  maxConnections: $((idle + 100))
  maxConnectionsPerAddress: $((idle + 100))
YAML
start_engine() {
  "$sm" engine --config "$work/engine.yaml" >> "$work/engine.log" 2>&1 &
  engine=$!
  for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/11993) 2>/dev/null && return 0; sleep 0.5; done
  echo "engine did not start" >&2; exit 1
}
start_engine
# The work directory holds a copy of the mailboxes (about 500 MB for 100,000 messages): removed at the end.
trap 'kill $engine 2>/dev/null || true; wait $engine 2>/dev/null || true; "$root/bench/reference/postfix-dovecot.sh" stop; rm -rf "$work"' EXIT

# The warm figures too come from a client that ran each test CLIENT_WARMUP times first, unreported (a new client JVM's
# first rounds measured the client: its JIT, its heap growing), as after a restart below. CLIENT_WARMUP=0: as before.
client_warmup=""; [[ "${CLIENT_WARMUP:-2}" -gt 0 ]] && client_warmup="--client-warm-up ${CLIENT_WARMUP:-2}"
timing() { # name imaps-port pop3s-port server-pid (its CPU time is reported with each figure)
  echo "== $1 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  if [[ -n "${BASE_TESTS-list,bodies}" ]]; then
    "$sm" bench imap --port "$2" --cafile "$ca" --user bench1@bench.test --password benchpass \
      --rounds "$rounds" --bodies "$bodies" --tests "${BASE_TESTS-list,bodies}" --server-pid "$4" $client_warmup
  fi
  if [[ -n "${INDEX_TESTS-headers,envelope,search,store,store-settled,qresync}" ]]; then
    "$sm" bench imap --port "$2" --cafile "$ca" --user bench1@bench.test --password benchpass \
      --rounds "$rounds" --tests "${INDEX_TESTS-headers,envelope,search,store,store-settled,qresync}" --server-pid "$4" $client_warmup
  fi
  if [[ -n "${POP3-1}" ]]; then
    "$sm" bench pop3 --port "$3" --cafile "$ca" --user bench1@bench.test --password benchpass \
      --rounds "$rounds" --messages "$bodies" --server-pid "$4"
  fi
}
idle() { # name imaps-port server-pid [extra idle options]
  [[ "$idle" -gt 0 ]] || return 0   # IDLE = 0: timing figures only
  echo "== $1 idle connections (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$sm" bench imap --port "$2" --cafile "$ca" --user bench1@bench.test --password benchpass \
    --tests idle --idle-connections "$idle" --idle-user bench2@bench.test --parallel 16 --server-pid "$3" ${4:-}
}
sealmail="Sealmail ${SEALMAIL_LABEL:-$(cd "$root" && git describe --always --dirty 2>/dev/null || echo dev)}"
dovecot="Dovecot $(dovecot --version | cut -d' ' -f1)"
dovecot_pid="$(cat /run/dovecot/master.pid)"
# Warm-up, not reported: the same figures WARMUP times per server (default 2; the engine's JIT keeps compiling these
# paths through the first pass, as the CPU column of a once-warmed run shows; Dovecot's caches fill), as
# compare-smtp.sh warms both servers. WARMUP=0 skips it.
for _ in $(seq 1 "${WARMUP:-2}"); do
  echo "== warm-up (not reported), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  timing "$sealmail" 11993 11995 "$engine" >/dev/null
  timing "$dovecot" 12993 12995 "$dovecot_pid" >/dev/null
done
for rep in $(seq 1 "${REPEAT:-2}"); do
  first_s=$(( rep % 2 )); [[ "${ORDER:-sealmail-first}" == dovecot-first ]] && first_s=$(( 1 - first_s ))
  if [[ $first_s -eq 1 ]]; then
    timing "$sealmail" 11993 11995 "$engine"; timing "$dovecot" 12993 12995 "$dovecot_pid"
  else
    timing "$dovecot" 12993 12995 "$dovecot_pid"; timing "$sealmail" 11993 11995 "$engine"
  fi
done
if [[ "${COLD:-0}" == 1 ]]; then
  # The client is warmed first (CLIENT_WARMUP rounds, default 2, against the server before its restart) and kept
  # running across the restart: a new client JVM parsing 100,000 responses cold took 1.3-4.1 s of wall clock for a
  # header FETCH the engine answered with 0.4-0.5 s of CPU (its own JIT, and page faults growing its heap), which
  # measured the client, not the server's first use. CLIENT_WARMUP=0: a new client JVM after each restart, as before.
  after_restart() { # name imaps-port test restart-function
    if [[ "${CLIENT_WARMUP:-2}" -gt 0 ]]; then
      coproc CLIENT { exec "$sm" bench imap --port "$2" --cafile "$ca" --user bench1@bench.test --password benchpass \
        --rounds 1 --bodies "$bodies" --tests "$3" --client-warm-up "${CLIENT_WARMUP:-2}" --server-pid-from-stdin; }
      # bash forgets a coprocess's descriptors and PID once it ends: keep copies
      local line cpid="$CLIENT_PID" cout cin
      exec {cout}<&"${CLIENT[0]}" {cin}>&"${CLIENT[1]}"
      while IFS= read -r line <&"$cout" && [[ "$line" != ready ]]; do :; done
      if [[ "$line" != ready ]]; then
        echo "the client's warm-up against $1 failed (test $3)" >&2; wait "$cpid" || true; exit 1
      fi
      "$4" {cout}<&- {cin}>&-   # the restarted server does not keep the client's pipes
      echo "== after a restart: $1, $3 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      echo "$restarted_pid" >&"$cin"
      cat <&"$cout"
      exec {cout}<&- {cin}>&-
      wait "$cpid"
    else
      "$4"
      echo "== after a restart: $1, $3 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      "$sm" bench imap --port "$2" --cafile "$ca" --user bench1@bench.test --password benchpass \
        --rounds 1 --bodies "$bodies" --tests "$3" --server-pid "$restarted_pid"
    fi
  }
  restart_engine() {
    kill "$engine"; wait "$engine" 2>/dev/null || true
    start_engine; restarted_pid="$engine"
  }
  restart_dovecot() {
    doveadm stop >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do [[ -e /run/dovecot/master.pid ]] || break; sleep 0.2; done
    dovecot
    for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/12993) 2>/dev/null && break; sleep 0.5; done
    dovecot_pid="$(cat /run/dovecot/master.pid)"; restarted_pid="$dovecot_pid"
  }
  cold_tests="${BASE_TESTS-list,bodies},${INDEX_TESTS-headers,envelope,search,store,store-settled,qresync}"
  for rep in $(seq 1 "${COLD_REPEAT:-1}"); do   # COLD_REPEAT=N: N samples per figure, the first server alternating
    for t in ${cold_tests//,/ }; do
      if (( rep % 2 )); then
        after_restart "$sealmail" 11993 "$t" restart_engine
        after_restart "$dovecot" 12993 "$t" restart_dovecot
      else
        after_restart "$dovecot" 12993 "$t" restart_dovecot
        after_restart "$sealmail" 11993 "$t" restart_engine
      fi
    done
  done
fi
# The engine is a JVM: its RSS also holds garbage the 5,000 logins left until the next collection, so it is
# sampled once as is and once after a full GC (jcmd GC.run); Dovecot's processes are sampled as they are.
idle "$sealmail" 11993 "$engine" --gc-before-sample
compress() { # name imaps-port server-pid [extra idle options]
  [[ "${COMPRESS_IDLE:-1000}" -gt 0 ]] || return 0
  echo "== $1 COMPRESS=DEFLATE (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$sm" bench imap --port "$2" --cafile "$ca" --user bench1@bench.test --password benchpass --tests compress
  "$sm" bench imap --port "$2" --cafile "$ca" --user bench1@bench.test --password benchpass \
    --tests idle --compress --idle-connections "${COMPRESS_IDLE:-1000}" --idle-user bench2@bench.test --parallel 16 \
    --server-pid "$3" ${4:-}
}
compress "$sealmail" 11993 "$engine" --gc-before-sample
kill $engine; wait $engine 2>/dev/null || true
idle "$dovecot" 12993 "$dovecot_pid"
compress "$dovecot" 12993 "$dovecot_pid"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
