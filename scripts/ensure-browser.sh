#!/usr/bin/env bash
# The dashboard's browser tests (tests/browser/) drive Debian's Chromium through playwright-core
# (Playwright's own browser download cannot work here) and need a CJK font, or Chinese renders as boxes.
# Installs `chromium` and `fonts-wqy-zenhei` when missing and this user may install packages (root with
# apt-get, as in CI); otherwise says what to do. Exits non-zero when Chromium is still missing.
set -u
have_chromium() { [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; }
have_cjk_font() { command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi 'WenQuanYi Zen Hei'; }

missing=()
have_chromium || missing+=(chromium)
have_cjk_font || missing+=(fonts-wqy-zenhei)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "hotline: installing ${missing[*]} for the dashboard's browser tests…"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null) \
    && echo "hotline: ${missing[*]} installed." \
    || echo "hotline: could not install ${missing[*]}." >&2
else
  echo "hotline: the browser tests need Debian's ${missing[*]}: apt-get install ${missing[*]}" >&2
fi

if ! have_chromium; then
  echo "hotline: no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}; tests/browser cannot run." >&2
  exit 1
fi
have_cjk_font || echo "hotline: no CJK font: screenshots will show boxes for Chinese." >&2
exit 0
