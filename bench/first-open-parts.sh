#!/usr/bin/env bash
# Where the first open of a large folder spends its CPU, part by part, each in a fresh JVM (cold, as after a restart):
# the listing of cur/, reading the UID list and the MODSEQ log, decoding the folder's snapshot, the snapshot plus a
# listing of cur/ matched name by name (the least a log-tail replay must do once cur/ changed), and the mailbox
# component's first open with and without the snapshot. Figures and the conclusion: docs/store.md ("Not done").
# INDEXING=1 adds, per round, the initial indexing of a folder whose MESSAGES files are all in new/ (moved to cur/
# and given UIDs), as a first SELECT after delivery by another program or a migration does it.
# Usage: bench/first-open-parts.sh [MESSAGES] [ROUNDS]     (defaults 100000 3)
# Needs the compiled classes (./mvnw -o test-compile). Run as benchmarks run here: flock /work/build.lock bench/...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
messages="${1:-100000}"; rounds="${2:-3}"
work="$(mktemp -d /tmp/sealmail-openparts.XXXXXX)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && ./mvnw -B -o -q dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null)
cp="$root/target/test-classes:$root/target/classes:$(cat "$work/cp.txt")"
data="$work/data"
run() { java ${PARTS_JAVA_OPTS:-} -cp "$cp" io.sealmail.store.maildir.FirstOpenParts "$data" "$@" 2>&1 | grep -v ' WARN ' || true; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
run fill "$messages"
snap="$work/data/mail/parts@example.com/sealmail-snapshot"
for _ in $(seq 1 "$rounds"); do
  for part in list logs snapshot snapshot+entries snapshot+list select; do run "$part"; done
  mv "$snap" "$snap.aside"; run select; mv "$snap.aside" "$snap"
  if [[ "${INDEXING:-0}" == 1 ]]; then
    data="$work/indexing"; rm -rf "$data"
    run fill-new "$messages"; sync; run select "select (initial indexing)"
    data="$work/data"
  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
