#!/usr/bin/env bash
# One command for the image tarball without Docker: the Debian base (cached), then the app on top with Jib, then
# ImageIT runs the image's entrypoint in a chroot.  Output: target/jib-image.tar (load it with
# `docker load -i` or `podman load -i`, or push it with skopeo/crane).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${SEALMAIL_BASE_TAR:-$HOME/.cache/sealmail/base-trixie-jre25.tar}
image/make-base.sh "$BASE"
./mvnw -B -Pimage -Dsealmail.base.tar="$BASE" -Dsealmail.skipUnitTests=true "$@" verify
