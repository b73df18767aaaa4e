#!/usr/bin/env bash
# A fresh clone on a machine with only a JDK, shown on this machine: a private mount namespace in which every
# program a test may use (and wget/curl, which only the Maven wrapper would use) is replaced by an empty,
# non-executable file, an empty HOME (no ~/.m2: Maven and every dependency downloaded again), then the README's
# test command. Root only (unshare, mount). Usage: .ci/jdk-only-clone.sh [COMMIT] [LOG] (clones the repository it is in;
# set REPO to clone another).
set -euo pipefail
commit="${1:-main}"; log="${2:-/tmp/fresh-jdk-only.log}"
export REPO="${REPO:-$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)}"
exec unshare -m bash -s "$commit" "$log" <<'INNER'
set -euo pipefail
commit="$1"; log="$2"
mount --make-rprivate /
blank=/tmp/fresh-blank; : > "$blank"; chmod 644 "$blank"
hidden=()
for t in openssl curl wget python3 python3.11 swaks argon2 htpasswd kubectl helm dnsmasq postfix postconf postdrop opendkim-genkey dkimsign \
         postqueue sendmail saslpasswd2 dkimverify opendkim opendkim-testmsg mbsync dovecot doveadm doveconf; do
  while read -r p; do
    [[ -n "$p" ]] || continue
    real=$(readlink -f "$p")
    mount --bind "$blank" "$real"; hidden+=("$t=$real")
  done < <(which -a "$t" 2>/dev/null | sort -u)
done
for p in /usr/lib/postfix/sbin/master /usr/lib/postfix/sbin/smtpd /usr/lib/dovecot/imap /usr/lib/dovecot/pop3; do
  [[ -e "$p" ]] && { mount --bind "$blank" "$p"; hidden+=("$p"); }
done
echo "hidden: ${hidden[*]}" > "$log"
export HOME=/tmp/fresh-home; rm -rf "$HOME" /tmp/fresh-clone; mkdir -p "$HOME"
unset SEALMAIL_REQUIRE_TOOLS
git clone -q "$REPO" /tmp/fresh-clone && cd /tmp/fresh-clone && git checkout -q "$commit"
echo "clone of $(git rev-parse --short HEAD); java: $(java -version 2>&1 | head -1); PATH=$PATH" >> "$log"
for t in openssl curl python3 swaks postfix dnsmasq helm kubectl; do command -v "$t" >/dev/null && [[ -x "$(command -v "$t")" ]] && echo "STILL EXECUTABLE: $t" >> "$log"; done
./mvnw -B verify >> "$log" 2>&1; echo "exit $?" >> "$log"
INNER
