#!/usr/bin/env bash
# Sealmail submission with DKIM signing off, rsa-sha256, ed25519-sha256 and both: the same generator as
# compare-smtp.sh (16 STARTTLS + AUTH sessions, 10 KB messages, warm-up first), one demo per run.
# Usage: bench/submission-dkim.sh [CONNECTIONS] [MESSAGES] [SIZE] [WARMUP] [PORT_OFFSET]   (defaults 16 6000 10240 6000 23000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conns="${1:-16}"; msgs="${2:-6000}"; size="${3:-10240}"; warmup="${4:-6000}"; offset="${5:-23000}"
users=16
work="$(mktemp -d /tmp/sealmail-dkim-bench.XXXXXX)"
demo=""
trap '[[ -n "$demo" ]] && kill $demo 2>/dev/null; rm -rf "$work"' EXIT

run() {
  local label="$1"; shift
  local dir="$work/$label" args=()
  for i in $(seq 1 $users); do args+=(--user "bench$i@bench.test:benchpass"); done
  "$root/sealmail" demo --data-dir "$dir" --port-offset "$offset" "${args[@]}" "$@" > "$work/$label.log" 2>&1 &
  demo=$!
  for _ in $(seq 1 120); do grep -q "sealmail demo ready" "$work/$label.log" && break; sleep 1; done
  grep -q "sealmail demo ready" "$work/$label.log" || { cat "$work/$label.log"; exit 1; }
  echo "== $label (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$root/sealmail" bench smtp --host localhost --port $((offset + 587)) --tls starttls --cafile "$dir/tls/ca.crt" \
    --user 'bench%d@bench.test' --users $users --password benchpass --connections "$conns" --messages "$msgs" \
    --size "$size" --warmup "$warmup" --verify-maildir "$dir/data/mail"
  echo "messages stored with a DKIM-Signature: $(grep -rl '^DKIM-Signature: v=1' "$dir/data/mail" | wc -l)"
  kill $demo; wait $demo 2>/dev/null || true; demo=""
}

run unsigned
run rsa-sha256 --dkim rsa-sha256
run ed25519-sha256 --dkim ed25519-sha256
run dual --dkim rsa-sha256 --dkim ed25519-sha256
