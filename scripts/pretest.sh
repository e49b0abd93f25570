#!/usr/bin/env bash
# Installs what the tests need beyond npm when it is missing, so that `npm test` stays one
# command on a fresh machine: Debian's prometheus/promtool, prometheus-alertmanager (the notify
# test pushes alerts to a private one), chromium for the dashboard's browser tests (driven
# by playwright-core, which downloads no browser of its own), and python3-celery with
# python3-redis (the `loadtest --queue` test runs real Celery workers on Debian's Python).
set -euo pipefail
need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
/usr/bin/python3 -c 'import celery, redis' >/dev/null 2>&1 || need+=(python3-celery python3-redis)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "pretest: tests need Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "pretest: installing ${need[*]} from Debian's packages (once) ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
  # The package's service is not wanted: tests start their own Prometheus on a free port.
  if [[ " ${need[*]} " == *" prometheus "* ]]; then pkill -x prometheus 2>/dev/null || true; fi
  if [[ " ${need[*]} " == *" prometheus-alertmanager "* ]]; then
    pkill -x prometheus-alertmanager 2>/dev/null || true
  fi
fi
