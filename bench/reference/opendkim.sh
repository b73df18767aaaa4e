#!/usr/bin/env bash
# OpenDKIM (Debian's opendkim 2.11) as a milter of the reference Postfix (bench/reference/postfix-dovecot.sh), signing
# every submitted message of bench.test relaxed/relaxed with a fresh key of the given type, From oversigned, as
# Sealmail signs: the reference for "submission with DKIM signing on". The milter listens on 127.0.3.20:8891
# (this machine's mail-authentication loopback range); Postfix fails a message temporarily when it cannot sign.
# Usage: bench/reference/opendkim.sh start rsa-sha256|ed25519-sha256  |  bench/reference/opendkim.sh stop
set -euo pipefail
action="${1:-start}"
alg="${2:-rsa-sha256}"
work=/var/lib/sealmail-reference/opendkim
socket="inet:8891@127.0.3.20"

stop() {
  if [[ -f "$work/opendkim.pid" ]]; then
    kill "$(cat "$work/opendkim.pid")" 2>/dev/null || true
    rm -f "$work/opendkim.pid"
  fi
  postconf -X smtpd_milters milter_default_action 2>/dev/null || true
}
if [[ "$action" == stop ]]; then stop; postfix reload >/dev/null 2>&1 || true; exit 0; fi

command -v opendkim >/dev/null || { echo "needs opendkim (Debian package opendkim)" >&2; exit 1; }
stop
mkdir -p "$work"
case "$alg" in
  rsa-sha256) openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$work/bench.key" 2>/dev/null ;;
  ed25519-sha256) openssl genpkey -algorithm ed25519 -out "$work/bench.key" ;;
  *) echo "unknown algorithm $alg" >&2; exit 1 ;;
esac
chown -R opendkim:opendkim "$work"; chmod 0600 "$work/bench.key"
cat > "$work/opendkim.conf" <<CONF
Syslog                  no
LogWhy                  no
Mode                    s
Domain                  bench.test
Selector                bench
KeyFile                 $work/bench.key
SignatureAlgorithm      $alg
Canonicalization        relaxed/relaxed
OversignHeaders         From
InternalHosts           127.0.0.0/8
Socket                  $socket
UserID                  opendkim:opendkim
PidFile                 $work/opendkim.pid
CONF
opendkim -x "$work/opendkim.conf"
for _ in $(seq 1 50); do [[ -s "$work/opendkim.pid" ]] && break; sleep 0.1; done
postconf -e "smtpd_milters = inet:127.0.3.20:8891" "milter_default_action = tempfail"
postfix reload >/dev/null
echo "opendkim $alg milter on 127.0.3.20:8891 (pid $(cat "$work/opendkim.pid")), Postfix signs through it"
