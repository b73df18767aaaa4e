#!/usr/bin/env bash
# DKIM sign/verify cost per 10 KB message and inbound SPF+DKIM+DMARC checks per second against a real DNS server:
# dnsmasq on 127.0.3.2:53 (this machine's mail-authentication loopback range) serving the benchmark's records
# (`sealmail bench mailauth --print-zone`: fixed-seed keys, SPF and DMARC of bench.test). Needs root (port 53).
# Usage: bench/mailauth.sh [SECONDS] [THREADS]   (defaults 5 4)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-5}"; threads="${2:-4}"
work="$(mktemp -d /tmp/sealmail-mailauth.XXXXXX)"
dns_pid=""
cleanup() {
  [[ -n "$dns_pid" ]] && kill "$dns_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
mapfile -t zone < <("$root/sealmail" bench mailauth --print-zone)
dnsmasq --no-daemon --conf-file=/dev/null --port=53 --listen-address=127.0.3.2 --bind-interfaces --no-resolv \
  --no-hosts --user=root --pid-file= --local=/test/ "${zone[@]}" > "$work/dnsmasq.log" 2>&1 &
dns_pid=$!
for _ in $(seq 1 50); do grep -q "started" "$work/dnsmasq.log" && break; sleep 0.2; done
grep -q "started" "$work/dnsmasq.log" || { cat "$work/dnsmasq.log"; exit 1; }
"$root/sealmail" bench mailauth --seconds "$seconds" --threads "$threads" --dns 127.0.3.2:53
