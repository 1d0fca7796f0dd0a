#!/usr/bin/env bash
# Debian's Chromium and a Chinese font, installed only when missing (Playwright cannot download
# its own browser on machines without internet).
set -euo pipefail
need=()
if ! { [ -x /usr/bin/chromium ] || [ -x /usr/lib/chromium/chromium ] || [ -n "${GOVWATCH_CHROMIUM:-}" ]; }; then
  need+=(chromium)
fi
if ! fc-list 2>/dev/null | grep -qiE 'wqy|noto sans cjk|source han'; then
  need+=(fonts-wqy-microhei)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]} from Debian's packages"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "error: ${need[*]} missing and not root: install them (apt-get install ${need[*]}) or set GOVWATCH_CHROMIUM" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
