#!/usr/bin/env bash
# The first SELECT of a large INBOX after a restart (issue 12's goal: under 1 s for 100,000 messages), Sealmail
# beside Dovecot on the same generated Maildir (sealmail bench fill: same octets, same names).
# Usage: bench/first-select.sh [MESSAGES] [ROUNDS]      (defaults 100000 3)
#   Each server first SELECTs the folder once (the initial indexing, reported as "initial"), then ROUNDS times:
#   the server is restarted (engine: SIGTERM and a new JVM; Dovecot: doveadm stop and start), one client logs in
#   and SELECTs INBOX ("after restart"), then SELECTs it again ("again"). Figures: the SELECT's wall clock and the
#   server's CPU time for it (process tree, /proc, 10 ms ticks). The engine answers these from the folder's snapshot
#   (sealmail-snapshot, written when it stops); one more round removes it first ("without snapshot": the engine lists
#   cur/ and reads its UID list and MODSEQ log, as after a kill right after a change). DROP_CACHES=1 also empties the
#   page cache before each restart (cold disk). The engine listens on 127.0.6.1 (this helper's loopback range), Dovecot on 127.0.0.1.
# Needs root (Dovecot, /var/vmail). Run it as benchmarks run here:
#   flock /work/build.lock flock /work/reference.lock bench/first-select.sh 100000 3
# SEALMAIL=path runs that launcher instead of ./sealmail (a copy of a built jar, so a build may run meanwhile).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sm="${SEALMAIL:-$root/sealmail}"
messages="${1:-100000}"; rounds="${2:-3}"
work="$(mktemp -d /tmp/sealmail-firstselect.XXXXXX)"
ref=/var/lib/sealmail-reference
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$root/bench/reference/postfix-dovecot.sh" start 2 >/dev/null
ca="$ref/tls/ca.crt"
"$sm" bench fill --maildir /var/vmail/bench.test/bench1 --account bench1@bench.test --messages "$messages" >/dev/null
chown -R vmail:vmail /var/vmail
mkdir -p "$work/data/mail"
cp -a /var/vmail/bench.test/bench1 "$work/data/mail/bench1@bench.test"

hash="$(printf 'benchpass\n' | "$sm" hash-password --memory 1024 --iterations 1)"
echo "bench1@bench.test $hash" > "$work/accounts"
cat > "$work/engine.yaml" <<YAML
hostname: localhost
domains: [bench.test]
listeners:
  - {role: imaps, address: 127.0.6.1, port: 16993}
tls:
  certFile: $ref/tls/tls.crt
  keyFile: $ref/tls/tls.key
accountsFile: $work/accounts
dataDir: $work/data
httpAddress: 127.0.6.1
httpPort: -1
YAML
engine=""
start_engine() {
  "$sm" engine --config "$work/engine.yaml" >> "$work/engine.log" 2>&1 &
  engine=$!
  for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.6.1/16993) 2>/dev/null && return 0; sleep 0.5; done
  echo "engine did not start" >&2; exit 1
}
stop_engine() { [[ -n "$engine" ]] && kill "$engine" 2>/dev/null && wait "$engine" 2>/dev/null || true; engine=""; }
trap 'stop_engine; "$root/bench/reference/postfix-dovecot.sh" stop' EXIT
restart_dovecot() {
  doveadm stop >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do [[ -e /run/dovecot/master.pid ]] || break; sleep 0.2; done
  dovecot
  for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/12993) 2>/dev/null && return 0; sleep 0.5; done
}
drop() { [[ "${DROP_CACHES:-0}" == 1 ]] && { sync; echo 3 > /proc/sys/vm/drop_caches; } || true; }

# first_select_client.py HOST PORT SERVER-PID LABEL...: logs in once, then one SELECT INBOX per label, each with its figures.
cat > "$work/first_select_client.py" <<'PY'
import imaplib, os, ssl, sys, time
host, port, pid, ca = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def tree(root):
    kids = {}
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
                kids.setdefault(int(f[1]), []).append(int(p))
            except OSError:
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop(); out.append(p); todo += kids.get(p, [])
    return out
def cpu_ms(root):
    t = 0
    for p in tree(root):
        try:
            f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
            t += sum(int(x) for x in f[11:15])
        except OSError:
            pass
    return t * 10
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False  # the chain is still checked; the certificate names 127.0.0.1, not 127.0.6.1
m = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
m.login('bench1@bench.test', 'benchpass')
for label in sys.argv[5:]:
    c0, w0 = cpu_ms(pid), time.perf_counter()
    typ, data = m.select('INBOX')
    w1 = time.perf_counter(); c1 = cpu_ms(pid)
    assert typ == 'OK', data
    print(f'{label}: SELECT of {int(data[0])} messages {1000 * (w1 - w0):.0f} ms wall, server CPU {c1 - c0} ms', flush=True)
    m.unselect() if hasattr(m, 'unselect') else m.close()
m.logout()
PY
measure() { python3 "$work/first_select_client.py" "$@"; }

sealmail="Sealmail $(cd "$root" && git describe --always --dirty 2>/dev/null || echo dev)"
dovecot="Dovecot $(dovecot --version | cut -d' ' -f1)"
echo "== $sealmail, $messages messages"
start_engine
measure 127.0.6.1 16993 "$engine" "$ca" "initial (the folder indexed)" "again"
for r in $(seq 1 "$rounds"); do
  stop_engine; drop; start_engine
  measure 127.0.6.1 16993 "$engine" "$ca" "round $r after restart (load $(cut -d' ' -f1 /proc/loadavg))" "round $r again"
done
stop_engine; rm -f "$work/data/mail/bench1@bench.test/sealmail-snapshot"; drop; start_engine
measure 127.0.6.1 16993 "$engine" "$ca" "without snapshot, after restart (load $(cut -d' ' -f1 /proc/loadavg))" "again"
# Heap held for the selected folder: used heap after a full GC, before and after one SELECT in a fresh engine (the
# folder stays loaded after the session ends: it is shared by every session of the process).
heap() { jcmd "$engine" GC.run >/dev/null; jcmd "$engine" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9; }
stop_engine; start_engine
before=$(heap)
measure 127.0.6.1 16993 "$engine" "$ca" "memory round" >/dev/null
after=$(heap)
echo "heap used after GC: ${before} KiB before SELECT, ${after} KiB after: $(( (after - before) / 1024 )) MiB for the selected folder"
stop_engine
echo "== $dovecot, $messages messages"
measure 127.0.0.1 12993 "$(cat /run/dovecot/master.pid)" "$ca" "initial (the folder indexed)" "again"
for r in $(seq 1 "$rounds"); do
  drop; restart_dovecot
  measure 127.0.0.1 12993 "$(cat /run/dovecot/master.pid)" "$ca" "round $r after restart (load $(cut -d' ' -f1 /proc/loadavg))" "round $r again"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$work"
