#!/usr/bin/env bash
# Sets up Debian's Postfix + Dovecot on loopback as the reference Sealmail is measured against:
#   Postfix submission 12587 (STARTTLS required, AUTH via Dovecot SASL) and smtps 12465,
#   delivering over LMTP to Dovecot with mail_fsync=always (the same durability as Sealmail:
#   a message is acknowledged only after it is on disk), Dovecot IMAPS 12993 and POP3S 12995.
# Certificates come from our own CA (`sealmail ca`), so clients trust one ca.crt for both servers.
# Usage: bench/reference/postfix-dovecot.sh start|stop [USERS]   (USERS default 16: bench1..benchN@bench.test, password "benchpass")
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
action="${1:-start}"
users="${2:-16}"
work=/var/lib/sealmail-reference
domain=bench.test

stop() {
  postfix stop >/dev/null 2>&1 || true
  doveadm stop >/dev/null 2>&1 || pkill -x dovecot || true
}

if [[ "$action" == stop ]]; then stop; exit 0; fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v postfix >/dev/null || ! command -v dovecot >/dev/null || [[ ! -e /usr/lib/dovecot/lmtp ]]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postfix dovecot-core dovecot-lmtpd dovecot-imapd dovecot-pop3d >/dev/null
fi
stop
mkdir -p "$work"
if [[ ! -f "$work/tls/tls.crt" ]]; then
  rm -rf "$work/ca" "$work/tls"
  "$root/sealmail" ca init --out "$work/ca" >/dev/null
  "$root/sealmail" ca issue --ca "$work/ca" --dns localhost --dns "$domain" --ip 127.0.0.1 --out "$work/tls" >/dev/null
fi
chmod 0644 "$work/tls/tls.crt" "$work/tls/ca.crt"; chmod 0640 "$work/tls/tls.key"; chgrp dovecot "$work/tls/tls.key" 2>/dev/null || true

# Users: the same accounts the load generator uses.
id vmail >/dev/null 2>&1 || useradd -r -u 5000 -d /var/vmail -s /usr/sbin/nologin vmail 2>/dev/null || useradd -r -d /var/vmail -s /usr/sbin/nologin vmail
rm -rf /var/vmail; mkdir -p /var/vmail; chown vmail:vmail /var/vmail
hash="{SHA512-CRYPT}$(openssl passwd -6 benchpass)"
: > /etc/dovecot/bench-users
for i in $(seq 1 "$users"); do echo "bench$i@$domain:$hash" >> /etc/dovecot/bench-users; done
chmod 0640 /etc/dovecot/bench-users; chgrp dovecot /etc/dovecot/bench-users

cat > /etc/dovecot/dovecot.conf <<CONF
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <$work/tls/tls.crt
ssl_key = <$work/tls/tls.key
ssl_min_protocol = TLSv1.2
mail_location = maildir:/var/vmail/%d/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = 100
# Durability equal to Sealmail's: fsync every message before acknowledging it.
mail_fsync = always
auth_mechanisms = plain login
disable_plaintext_auth = yes
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT /etc/dovecot/bench-users
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=/var/vmail/%d/%n
}
service imap-login {
  # High-performance mode (many clients per login process), for bench/compare-imap.sh's idle connections.
  service_count = 0
  client_limit = 6000
  process_min_avail = 2
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = 12993
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = 12995
    ssl = yes
  }
}
service lmtp {
  unix_listener /var/spool/postfix/private/dovecot-lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
log_path = /var/log/dovecot-reference.log
# Room for bench/compare-imap.sh's 5,000 idle IMAPS connections from one address (login processes are in
# high-performance mode above; one imap process per connection, as by default).
default_client_limit = 20000
default_process_limit = 12000
default_vsz_limit = 1G
service imap {
  process_limit = 12000
}
protocol imap {
  mail_max_userip_connections = 12000
  # COMPRESS=DEFLATE (RFC 4978), for bench/compare-imap.sh's compress figures; offered only when asked for.
  mail_plugins = \$mail_plugins imap_zlib
}
protocol pop3 {
  mail_max_userip_connections = 100
}
CONF

cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
postconf -e \
  "myhostname = $domain" "mydestination =" "mynetworks = 127.0.0.0/8" \
  "inet_interfaces = loopback-only" "inet_protocols = ipv4" \
  "virtual_mailbox_domains = $domain" "virtual_transport = lmtp:unix:private/dovecot-lmtp" \
  "smtpd_tls_cert_file = $work/tls/tls.crt" "smtpd_tls_key_file = $work/tls/tls.key" \
  "smtpd_tls_security_level = may" "smtpd_tls_mandatory_protocols = >=TLSv1.2" "smtpd_tls_protocols = >=TLSv1.2" \
  "smtpd_sasl_type = dovecot" "smtpd_sasl_path = private/auth" \
  "smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination" \
  "maillog_file = /var/log/postfix-reference.log" "compatibility_level = 3.6" \
  "default_process_limit = 200" "message_size_limit = 26214400"
postconf -M "12587/inet=12587 inet n - y - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject"
postconf -M "12465/inet=12465 inet n - y - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject"
postconf -MX smtp/inet >/dev/null 2>&1 || true
newaliases >/dev/null 2>&1 || true
(ulimit -n "$(ulimit -Hn)" 2>/dev/null || true; dovecot </dev/null >/dev/null 2>&1)
postfix start >/dev/null 2>&1 || postfix start
sleep 1
echo "reference ready: submission 127.0.0.1:12587, smtps :12465, imaps :12993, pop3s :12995; users bench1..bench$users@$domain / benchpass; CA $work/tls/ca.crt"
