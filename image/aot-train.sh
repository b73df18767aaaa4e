#!/usr/bin/env bash
# The image's AOT cache for image/build.sh (Jib builds without running anything, so the training runs here): the
# base image's root filesystem with the app at /app, every app file dated as Jib dates it in the image
# (EPOCH_PLUS_SECOND; the JVM refuses a cache whose jars' times or sizes differ), then the image's own
# /usr/local/lib/sealmail/aot-train in a chroot, as the image's user, in fresh mount and PID namespaces.
#
#   image/aot-train.sh BASE.tar APPDIR OUT.aot      (needs root: chroot, unshare, mknod)
set -euo pipefail
BASE=$1 APP=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
[[ $(id -u) == 0 ]] || { echo "aot-train.sh: the chroot needs root" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sealmail-aot.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs
mkdir -p "$ROOT"
tar -xf "$BASE" -C "$WORK" layer.tar
tar -xf "$WORK/layer.tar" -C "$ROOT"
rm "$WORK/layer.tar"
mkdir -p "$ROOT/dev" "$ROOT/proc"
for dev in null:3 zero:5 random:8 urandom:9; do
  mknod -m 666 "$ROOT/dev/${dev%%:*}" c 1 "${dev##*:}"
done
cp -a "$APP/." "$ROOT/app/"
cp -a "$HERE/root/." "$ROOT/"
find "$ROOT/app" -exec touch -h -d @1 {} +
chmod 1777 "$ROOT/tmp"
# aot-train bounds its own java (timeout 600); this bounds the rest. --kill-child does not reach past chroot's user
# change, so the inner timeout is what stops a hung JVM.
timeout 900 unshare --mount --pid --fork --kill-child=SIGTERM --mount-proc="$ROOT/proc" \
  chroot --userspec=10001:10001 "$ROOT" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/var/lib/sealmail \
  JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75 /usr/local/lib/sealmail/aot-train /tmp/sealmail.aot
mkdir -p "$(dirname "$OUT")"
cp "$ROOT/tmp/sealmail.aot" "$OUT"
echo "AOT cache written: $OUT ($(du -h "$OUT" | cut -f1))"
