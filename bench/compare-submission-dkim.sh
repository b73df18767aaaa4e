#!/usr/bin/env bash
# Submission with DKIM signing on, side by side: Sealmail signing every message (`sealmail demo --dkim ALG`) against
# Postfix + Dovecot (bench/reference/postfix-dovecot.sh) signing through an OpenDKIM milter with a key of the same
# type (bench/reference/opendkim.sh). Same generator as compare-smtp.sh: 16 STARTTLS + AUTH sessions, 10 KB messages,
# a warm-up first, every acknowledged message searched for in the Maildirs and its DKIM-Signature counted.
# Rounds are interleaved Sealmail, Postfix, Postfix, Sealmail, ... so both meet the same load; each figure is
# printed with the load average before it. Needs root (Postfix, Dovecot, OpenDKIM).
# Usage: bench/compare-submission-dkim.sh [ALG] [ROUNDS] [MESSAGES] [WARMUP]   (defaults rsa-sha256 2 6000 6000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sealmail="${SEALMAIL:-$root/sealmail}"   # SEALMAIL="java -jar /path/quarkus-run.jar" measures a fixed build
alg="${1:-rsa-sha256}"; rounds="${2:-2}"; msgs="${3:-6000}"; warmup="${4:-6000}"
conns=16; size=10240; users=16; offset=23000
work="$(mktemp -d /tmp/sealmail-dkim-compare.XXXXXX)"
demo=""
reference=""
cleanup() {
  [[ -n "$demo" ]] && kill "$demo" 2>/dev/null || true
  if [[ -n "$reference" ]]; then  # only what this script started: the reference is the machine's one Postfix/Dovecot
    "$root/bench/reference/opendkim.sh" stop >/dev/null 2>&1 || true
    "$root/bench/reference/postfix-dovecot.sh" stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

generator() { # host port cafile maildir
  $sealmail bench smtp --host localhost --port "$1" --tls starttls --cafile "$2" \
    --user 'bench%d@bench.test' --users $users --password benchpass --connections $conns --messages "$msgs" \
    --size $size --warmup "$warmup" --verify-maildir "$3" | grep -E "^accepted|^delivery check"
  echo "   stored with a DKIM-Signature: $(grep -rl '^DKIM-Signature: v=1' "$3" | wc -l)"
}

sealmail_round() {
  local dir="$work/sealmail-$1" args=()
  for i in $(seq 1 $users); do args+=(--user "bench$i@bench.test:benchpass"); done
  $sealmail demo --data-dir "$dir" --port-offset $offset "${args[@]}" --dkim "$alg" > "$dir.log" 2>&1 &
  demo=$!
  for _ in $(seq 1 120); do grep -q "sealmail demo ready" "$dir.log" && break; sleep 1; done
  grep -q "sealmail demo ready" "$dir.log" || { cat "$dir.log"; exit 1; }
  echo "== round $1 Sealmail, DKIM $alg (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  generator $((offset + 587)) "$dir/tls/ca.crt" "$dir/data/mail"
  kill $demo; wait $demo 2>/dev/null || true; demo=""
  rm -rf "$dir"
}

postfix_round() {
  reference=started
  "$root/bench/reference/postfix-dovecot.sh" start $users > /dev/null
  "$root/bench/reference/opendkim.sh" start "$alg" > /dev/null
  echo "== round $1 Postfix $(postconf -h mail_version) + OpenDKIM $(opendkim -V | sed -n 's/.*Filter v//p'), DKIM $alg (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  generator 12587 /var/lib/sealmail-reference/tls/ca.crt /var/vmail
  "$root/bench/reference/opendkim.sh" stop > /dev/null
  "$root/bench/reference/postfix-dovecot.sh" stop
  reference=""
}

if pgrep -x dovecot >/dev/null || postfix status >/dev/null 2>&1; then
  echo "the machine's Postfix or Dovecot is running (another benchmark?): not touching it; try again later" >&2
  exit 1
fi
$sealmail version >/dev/null 2>&1 || true  # builds the jar first if needed, outside the timed runs
for r in $(seq 1 "$rounds"); do
  if (( r % 2 == 1 )); then sealmail_round "$r"; postfix_round "$r"; else postfix_round "$r"; sealmail_round "$r"; fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
