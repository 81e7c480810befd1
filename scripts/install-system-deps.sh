#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages flowpaint needs outside npm. Idempotent: a package that is
# already installed is left alone, and apt-get runs only when something is missing (its index is
# refreshed once, and only then).
#
#   tesseract-ocr      OCR for `flowpaint eval text`: an independent reader of generated lettering
#                      (English model tesseract-ocr-eng comes with it as a dependency)
#   redis-server       the server's multi-machine queue mode (BullMQ); its tests start their own
#                      instance on a free loopback port
#   chromium           the playground's end-to-end tests (src/server/playground.test.ts) drive it
#                      headless with playwright-core; never `npx playwright install`
#
# Usage: scripts/install-system-deps.sh        (as root, or with sudo available)
set -euo pipefail

PACKAGES=(tesseract-ocr tesseract-ocr-eng redis-server chromium)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: all present (${PACKAGES[*]})" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "install-system-deps: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
  fi
fi

echo "install-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Try from the existing package index first; refresh it only if that fails (stale or empty lists).
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
