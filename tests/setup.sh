#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: Debian's graphviz, libseccomp2,
# chromium, redis-server, haproxy and a CJK font (without their recommended extras, which the
# tests do not use), and a .venv with the pinned packages. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v dot >/dev/null || missing+=(graphviz fonts-liberation2)
PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q "libseccomp.so.2 " || missing+=(libseccomp2)
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
# The seed snippets carry Chinese comments; without a CJK font the screenshots show boxes.
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
# The room store's tests and the replicas' (deploy/cluster.sh): Redis and HAProxy.
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check \
  -r requirements.txt -r tests/requirements.txt
