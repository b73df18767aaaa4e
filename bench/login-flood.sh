#!/usr/bin/env bash
# A bad-login flood against Sealmail and Dovecot, side by side: ATTACKERS IMAPS connections, each from its own
# loopback address (127.4.0.1 and up, i.e. 127.4.0.0/16), send wrong passwords as fast as each server answers,
# while a legitimate user from 127.0.4.2 logs in and SELECTs INBOX on fresh connections; `sealmail bench
# login-flood` prints that user's LOGIN+SELECT p50/p95/p99. Both servers listen on 127.0.4.1 (Sealmail 14993,
# Dovecot 15993), each with its own configuration in a temporary directory (no system service is touched).
# Sealmail hashes with its default Argon2id (19 MiB, 2 passes); Dovecot with SHA512-CRYPT (its usual scheme,
# far cheaper per attempt). Failure delays: Sealmail 1 s (scheduled), Dovecot's auth_failure_delay 2 s.
# Each run also prints the CPU the server spent meanwhile, by kind of work (Argon2id hashing, TLS and protocol work
# on the event loops, Maildir work; Dovecot: auth, imap-login, imap), and the load generator's own CPU (its 500
# attacker threads do client-side TLS on the same cores).
# Usage: bench/login-flood.sh [ATTACKERS] [SAMPLES]   (defaults 500 200). Needs root (Dovecot).
# SEALMAIL_ENGINE_JAR=/path/quarkus-run.jar runs another build as the Sealmail server (to compare builds).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
attackers="${1:-500}"; samples="${2:-200}"
ulimit -n "$(ulimit -Hn)"
work="$(mktemp -d /tmp/sealmail-loginflood.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$work/dovecot/run/master.pid" ]] && kill "$(cat "$work/dovecot/run/master.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

"$root/sealmail" ca init --out "$work/ca" >/dev/null
"$root/sealmail" ca issue --ca "$work/ca" --dns localhost --ip 127.0.4.1 --out "$work/tls" >/dev/null
ca="$work/tls/ca.crt"

# Sealmail: one IMAPS listener, production defaults except the connection limit (500 attackers + the user).
mkdir -p "$work/sealmail/data/mail"
"$root/sealmail" bench fill --maildir "$work/sealmail/data/mail/user@bench.test" --account user@bench.test --messages 100 >/dev/null
printf 'user@bench.test %s\n' "$(printf 'benchpass\n' | "$root/sealmail" hash-password)" > "$work/sealmail/accounts"
cat > "$work/sealmail/engine.yaml" <<YAML
hostname: localhost
domains: [bench.test]
listeners:
  - {role: imaps, address: 127.0.4.1, port: 14993}
tls:
  certFile: $work/tls/tls.crt
  keyFile: $work/tls/tls.key
accountsFile: $work/sealmail/accounts
dataDir: $work/sealmail/data
httpAddress: 127.0.4.1
httpPort: -1
limits:
  maxConnections: $((attackers + 100))
YAML
# SEALMAIL_ENGINE_JAR runs another build as the server (to compare builds under the same load).
if [[ -n "${SEALMAIL_ENGINE_JAR:-}" ]]; then
  java -jar "$SEALMAIL_ENGINE_JAR" engine --config "$work/sealmail/engine.yaml" > "$work/sealmail/engine.log" 2>&1 &
else
  "$root/sealmail" engine --config "$work/sealmail/engine.yaml" > "$work/sealmail/engine.log" 2>&1 &
fi
sealmail_pid=$!
pids+=("$sealmail_pid")

# Dovecot: its own base_dir and configuration, IMAPS only, on 127.0.4.1.
d="$work/dovecot"; mkdir -p "$d/run" "$d/mail/user"
cp -a "$work/sealmail/data/mail/user@bench.test/." "$d/mail/user/"
chown -R nobody:nogroup "$d/mail" 2>/dev/null || true
chmod 0755 "$work" "$d"; chmod 0644 "$work/tls/tls.key"
printf 'user@bench.test:{SHA512-CRYPT}%s\n' "$(openssl passwd -6 benchpass)" > "$d/users"
cat > "$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/run
protocols = imap
listen = 127.0.4.1
ssl = required
ssl_cert = <$work/tls/tls.crt
ssl_key = <$work/tls/tls.key
ssl_min_protocol = TLSv1.2
mail_location = maildir:$d/mail/%n
first_valid_uid = 1
auth_mechanisms = plain login
disable_plaintext_auth = yes
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%u $d/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/mail/%n
}
service imap-login {
  service_count = 0
  client_limit = 4000
  process_min_avail = 2
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.4.1
    port = 15993
    ssl = yes
  }
}
service auth {
  client_limit = 6000
}
default_client_limit = 6000
default_process_limit = 2000
log_path = $d/dovecot.log
CONF
dovecot -c "$d/dovecot.conf"

for port in 14993 15993; do
  up=""
  for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.4.1/$port) 2>/dev/null && { up=1; break; }; sleep 1; done
  if [[ -z "$up" ]]; then
    echo "nothing listens on 127.0.4.1:$port:"; tail -20 "$work/sealmail/engine.log" "$d/dovecot.log" 2>/dev/null; exit 1
  fi
done
# CPU seconds so far (utime+stime), by what does the work: for a JVM pid its threads grouped by name (Argon2 hashing
# on sealmail-auth-*, TLS handshakes and protocol work on the Netty event loops, Maildir work on sealmail-mailaccess-*),
# for Dovecot's master pid its processes by name (imap-login does TLS, auth/auth-worker hash, imap serves).
cpu() { # pid...
  python3 - "$@" <<'PY'
import os, sys, collections
hz = os.sysconf('SC_CLK_TCK'); out = collections.Counter()
def stat(path):
    with open(path) as f: s = f.read()
    comm = s[s.index('(') + 1:s.rindex(')')]; rest = s[s.rindex(')') + 2:].split()
    return comm, int(rest[1]), (int(rest[11]) + int(rest[12])) / hz   # name, ppid, utime+stime
def group(comm):
    for prefix, name in (('sealmail-auth', 'hashing'), ('epollEventLoop', 'event loops (TLS, protocol)'),
                         ('nioEventLoop', 'event loops (TLS, protocol)'), ('sealmail-mailac', 'mail access'),
                         ('attacker-', 'attackers'), ('imap-login', 'imap-login (TLS)'), ('auth', 'auth (hashing)'),
                         ('imap', 'imap')):
        if comm.startswith(prefix): return name
    return 'other'
for pid in sys.argv[1:]:
    try:
        tasks = os.listdir(f'/proc/{pid}/task')
    except FileNotFoundError:
        continue
    root_comm = stat(f'/proc/{pid}/stat')[0]
    if root_comm == 'dovecot':
        for p in filter(str.isdigit, os.listdir('/proc')):
            try:
                comm, ppid, t = stat(f'/proc/{p}/stat')
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
            if p == pid or ppid == int(pid):
                out[group(comm)] += t
    else:
        for t in tasks:
            try:
                comm, _, secs = stat(f'/proc/{pid}/task/{t}/stat')
            except FileNotFoundError:
                continue
            out[group(comm)] += secs
for k, v in sorted(out.items()): print(f'{k}\t{v:.2f}')
PY
}
cpu_delta() { # before after
  python3 - "$1" "$2" <<'PY'
import sys
def read(s): return {l.split('\t')[0]: float(l.split('\t')[1]) for l in s.splitlines() if '\t' in l}
a, b = read(sys.argv[1]), read(sys.argv[2])
print('   ' + ', '.join(f'{k} {b[k] - a.get(k, 0):.1f} s' for k in sorted(b) if b[k] - a.get(k, 0) >= 0.05))
PY
}
run() { # name port attackers server-pid
  echo "== $1 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  local before after start=$SECONDS
  before="$(cpu "$4")"
  "$root/sealmail" bench login-flood --address 127.0.4.1 --port "$2" --cafile "$ca" --user user@bench.test \
    --password benchpass --attackers "$3" --samples "$samples" &
  local gen=$!
  # The load generator's own CPU (its attacker threads do client-side TLS) counts against the same two cores.
  local genlast=""
  local sample
  while kill -0 "$gen" 2>/dev/null; do
    sample="$(cpu "$gen")"; [[ -n "$sample" ]] && genlast="$sample"   # empty once the generator has exited
    after="$(cpu "$4")"; sleep 1
  done
  wait "$gen"
  echo "   server CPU during the run ($((SECONDS - start)) s wall):"
  cpu_delta "$before" "$after"
  echo "   load generator CPU (client TLS of attackers and user):"
  cpu_delta "" "$genlast"
}
dovecot_pid="$(cat "$d/run/master.pid")"
run "Sealmail $(cd "$root" && git describe --always --dirty 2>/dev/null || echo dev), no attackers" 14993 0 "$sealmail_pid"
run "Dovecot $(dovecot --version | cut -d' ' -f1), no attackers" 15993 0 "$dovecot_pid"
run "Sealmail, $attackers attackers" 14993 "$attackers" "$sealmail_pid"
run "Dovecot, $attackers attackers" 15993 "$attackers" "$dovecot_pid"
