#!/usr/bin/env bash
# Sealmail vs Postfix + Dovecot, same load generator, same machine, same durability.
# Usage: bench/compare-smtp.sh [CONNECTIONS] [MESSAGES] [SIZE] [WARMUP]     (defaults 16 8000 10240 10000)
# Both servers get the same warm-up messages over the established sessions before the clock starts (a JVM compiles
# its hot paths over the first ten thousand messages or so; Postfix needs none, but gets the same treatment).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conns="${1:-16}"; msgs="${2:-8000}"; size="${3:-10240}"; warmup="${4:-10000}"
users=16
work="$(mktemp -d /tmp/sealmail-bench.XXXXXX)"

# ORDER=postfix-first runs the reference first: on a shared machine, run both orders and compare.
order="${ORDER:-sealmail-first}"
# DKIM="rsa-sha256" (or "rsa-sha256 ed25519-sha256" for dual signing): Sealmail signs every submitted message.
dkim_args=()
for alg in ${DKIM:-}; do dkim_args+=(--dkim "$alg"); done

sealmail_run() {
  # The demo with the same 16 accounts the reference uses.
  local args=()
  for i in $(seq 1 $users); do args+=(--user "bench$i@bench.test:benchpass"); done
  "$root/sealmail" demo --data-dir "$work/sealmail" --port-offset 10000 "${args[@]}" ${dkim_args[@]+"${dkim_args[@]}"} > "$work/demo.log" 2>&1 &
  demo=$!
  trap 'kill $demo 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do grep -q "sealmail demo ready" "$work/demo.log" && break; sleep 1; done
  grep -q "sealmail demo ready" "$work/demo.log" || { cat "$work/demo.log"; exit 1; }
  echo "== Sealmail (submission 10587, STARTTLS, AUTH PLAIN${DKIM:+, DKIM $DKIM})"
  "$root/sealmail" bench smtp --host localhost --port 10587 --tls starttls --cafile "$work/sealmail/tls/ca.crt" \
    --user 'bench%d@bench.test' --users $users --password benchpass --connections "$conns" --messages "$msgs" \
    --size "$size" --warmup "$warmup" --verify-maildir "$work/sealmail/data/mail"
  if [[ -n "${DKIM:-}" ]]; then
    echo "messages stored with a DKIM-Signature: $(grep -rl '^DKIM-Signature: v=1' "$work/sealmail/data/mail" | wc -l)"
  fi
  kill $demo; wait $demo 2>/dev/null || true
}

postfix_run() {
  # Postfix + Dovecot LMTP (mail_fsync=always), configured by bench/reference/postfix-dovecot.sh.
  "$root/bench/reference/postfix-dovecot.sh" start $users
  echo "== Postfix $(postconf -h mail_version) + Dovecot $(dovecot --version | cut -d' ' -f1) (submission 12587, STARTTLS, AUTH PLAIN)"
  "$root/sealmail" bench smtp --host localhost --port 12587 --tls starttls --cafile /var/lib/sealmail-reference/tls/ca.crt \
    --user 'bench%d@bench.test' --users $users --password benchpass --connections "$conns" --messages "$msgs" \
    --size "$size" --warmup "$warmup" --verify-maildir /var/vmail
  "$root/bench/reference/postfix-dovecot.sh" stop
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "$order" == postfix-first ]]; then postfix_run; sealmail_run; else sealmail_run; postfix_run; fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
