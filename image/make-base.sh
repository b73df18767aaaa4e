#!/usr/bin/env bash
# Builds the image's base offline from Debian's packages, without Docker: a Debian trixie minbase root filesystem
# with openjdk-25-jre-headless, packed as a `docker save` style tarball that Jib takes as `tar://FILE`.
# Java 25 at run time (the build and the tests stay on 17): its AOT cache (JEP 483/515), recorded by image/aot-train.sh,
# spares the engine's first clients after a restart most of the JIT's first-use cost (docs/store.md).
#
#   image/make-base.sh [OUT.tar]      (default: ~/.cache/sealmail/base-trixie-jre25.tar)
#
# Idempotent: an existing OUT.tar is kept (delete it to rebuild). Needs root (debootstrap, chroot) and a Debian
# mirror (MIRROR, default deb.debian.org). No Docker engine and no registry are involved.
set -euo pipefail
OUT=${1:-${SEALMAIL_BASE_TAR:-$HOME/.cache/sealmail/base-trixie-jre25.tar}}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
if [[ -s "$OUT" ]]; then
  echo "base image exists: $OUT"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "make-base.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "make-base.sh: debootstrap needs root" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sealmail-base.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs
debootstrap --variant=minbase --include=openjdk-25-jre-headless,ca-certificates-java "$SUITE" "$ROOT" "$MIRROR" \
  >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }

# Smaller and reproducible-ish: no package caches, docs or logs in the image.
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/usr/share/doc/* \
  "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/var/log/* "$ROOT"/tmp/* "$ROOT"/proc/* "$ROOT"/sys/* \
  "$ROOT"/dev/*
# The non-root user the containers run as (Kubernetes runAsNonRoot needs it numeric; the name is for humans).
echo 'sealmail:x:10001:10001:Sealmail:/var/lib/sealmail:/usr/sbin/nologin' >>"$ROOT/etc/passwd"
echo 'sealmail:x:10001:' >>"$ROOT/etc/group"
mkdir -p "$ROOT/var/lib/sealmail" "$ROOT/etc/sealmail"
chown 10001:10001 "$ROOT/var/lib/sealmail"
chmod 1777 "$ROOT/tmp"

# Resolved inside the root filesystem: its links (/etc/alternatives/java) are absolute paths of that system.
JAVA=$(chroot "$ROOT" readlink -f /usr/bin/java)
[[ -x "$ROOT$JAVA" ]] || { echo "make-base.sh: no java in the root filesystem" >&2; exit 1; }

mkdir -p "$WORK/image"
tar --numeric-owner --sort=name --mtime=@0 -C "$ROOT" -cf "$WORK/image/layer.tar" .
DIFF_ID=sha256:$(sha256sum "$WORK/image/layer.tar" | cut -d' ' -f1)
cat >"$WORK/image/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=${JAVA%/bin/java}"]},
 "rootfs":{"type":"layers","diff_ids":["$DIFF_ID"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"image/make-base.sh: debootstrap --variant=minbase $SUITE + openjdk-25-jre-headless"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["sealmail-base:trixie-jre25"],"Layers":["layer.tar"]}]' >"$WORK/image/manifest.json"
mkdir -p "$(dirname "$OUT")"
tar -C "$WORK/image" -cf "$OUT.part" manifest.json config.json layer.tar
mv "$OUT.part" "$OUT"
echo "base image written: $OUT ($(du -h "$OUT" | cut -f1))"
