#!/usr/bin/env bash
# Port-25 messages per second through the engine with the inbound checks (SPF + DKIM + DMARC) on and off.
# A sender domain, sender.test, is served by dnsmasq on 127.0.3.4:53 (this machine's mail-authentication loopback
# range): its SPF record allows 127.0.0.0/8, its DMARC policy is p=reject, its DKIM key (rsa-2048, made here) is
# at bench._domainkey.sender.test. `sealmail bench smtp --dkim-key` signs every message as sender.test would and
# sends it over 16 STARTTLS sessions to `sealmail engine` (port 25 role on 127.0.3.5:10025, local domain
# bench.test, DNS from the dnsmasq above, inbound.dmarc enforce). Each round is a fresh engine with a warm-up
# first; rounds alternate on, off, off, on ... with the load average printed beside each figure. Every acknowledged
# message is searched for in the Maildir, and the stored copies carrying our dmarc=pass are counted.
# Needs root (port 53). Usage: bench/inbound-checks.sh [ROUNDS] [MESSAGES] [WARMUP]   (defaults 2 6000 6000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sealmail="${SEALMAIL:-$root/sealmail}"   # SEALMAIL="java -jar /path/quarkus-run.jar" measures a fixed build
rounds="${1:-2}"; msgs="${2:-6000}"; warmup="${3:-6000}"
dns_addr=127.0.3.4; mx_addr=127.0.3.5; port=10025
work="$(mktemp -d /tmp/sealmail-inbound-bench.XXXXXX)"
dns_pid=""; engine=""
cleanup() {
  [[ -n "$engine" ]] && kill "$engine" 2>/dev/null || true
  [[ -n "$dns_pid" ]] && kill "$dns_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The sender's key and records.
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$work/sender.key" 2>/dev/null
pub="$(openssl pkey -in "$work/sender.key" -pubout -outform DER | base64 -w0)"
# A TXT value over 255 octets goes as several strings (dnsmasq: comma-separated quoted parts).
dnsmasq --no-daemon --conf-file=/dev/null --port=53 --listen-address=$dns_addr --bind-interfaces --no-resolv \
  --no-hosts --user=root --pid-file= --local=/test/ \
  --txt-record=sender.test,"v=spf1 ip4:127.0.0.0/8 -all" \
  --txt-record=_dmarc.sender.test,"v=DMARC1; p=reject" \
  --txt-record=bench._domainkey.sender.test,"v=DKIM1; k=rsa; p=${pub:0:200}","${pub:200}" > "$work/dnsmasq.log" 2>&1 &
dns_pid=$!
for _ in $(seq 1 50); do grep -q "started" "$work/dnsmasq.log" && break; sleep 0.2; done
grep -q "started" "$work/dnsmasq.log" || { cat "$work/dnsmasq.log"; exit 1; }

# Our side: a certificate from our own CA, one local account.
$sealmail ca init --out "$work/ca" >/dev/null
$sealmail ca issue --ca "$work/ca" --dns mx.bench.test --ip $mx_addr --out "$work/tls" >/dev/null
hash="$(printf 'benchpass\n' | $sealmail hash-password --memory 1024 --iterations 1)"
echo "bench1@bench.test $hash" > "$work/accounts"

round() { # label checks(true|false)
  local dir="$work/$1-$RANDOM"
  mkdir -p "$dir"
  cat > "$dir/engine.yaml" <<YAML
hostname: mx.bench.test
domains: [bench.test]
listeners:
  - {role: smtp, address: $mx_addr, port: $port}
tls:
  certFile: $work/tls/tls.crt
  keyFile: $work/tls/tls.key
accountsFile: $work/accounts
dataDir: $dir/data
httpAddress: 127.0.0.1
httpPort: -1
outbound:
  dns:
    servers: ["$dns_addr:53"]
inbound:
  checks: $2
  dmarc: enforce
YAML
  $sealmail engine --config "$dir/engine.yaml" > "$dir/engine.log" 2>&1 &
  engine=$!
  for _ in $(seq 1 120); do (exec 3<>/dev/tcp/$mx_addr/$port) 2>/dev/null && break; sleep 1; done
  echo "== $1 (inbound.checks: $2; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  $sealmail bench smtp --host $mx_addr --port $port --tls starttls --cafile "$work/ca/ca.crt" \
    --user 'sender%d@sender.test' --users 16 --to bench1@bench.test --dkim-key "$work/sender.key" \
    --dkim-selector bench --connections 16 --messages "$msgs" --size 10240 --warmup "$warmup" \
    --verify-maildir "$dir/data/mail" | grep -E "^accepted|^delivery check|error"
  echo "   stored with spf=pass, dkim=pass and dmarc=pass from mx.bench.test: $(grep -rlZ '^Authentication-Results: mx.bench.test;' "$dir/data/mail" \
    | xargs -0 -r grep -lZ 'spf=pass' | xargs -0 -r grep -lZ 'dkim=pass' | xargs -0 -r grep -l 'dmarc=pass' | wc -l)"
  kill $engine; wait $engine 2>/dev/null || true; engine=""
  rm -rf "$dir"
}

for r in $(seq 1 "$rounds"); do
  if (( r % 2 == 1 )); then round "round $r, checks on" true; round "round $r, checks off" false
  else round "round $r, checks off" false; round "round $r, checks on" true; fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
