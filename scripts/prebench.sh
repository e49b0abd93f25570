#!/usr/bin/env bash
# Installs what the benchmarks need beyond npm (Debian's python3-statsmodels, the forecast
# bench's baseline, loaded by /usr/bin/python3) when it is missing.
set -euo pipefail
if /usr/bin/python3 -c 'import statsmodels' >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "prebench: the forecast bench needs Debian's python3-statsmodels (run as root, or: sudo apt-get install python3-statsmodels)" >&2
  exit 0
fi
echo "prebench: installing python3-statsmodels from Debian's packages (once) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends python3-statsmodels >/dev/null
