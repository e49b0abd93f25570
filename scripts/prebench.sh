#!/usr/bin/env bash
# Installs what the benchmarks need beyond npm when it is missing, from Debian's packages:
# python3-statsmodels, the forecast bench's baseline, and python3-simpy (SimPy 2), the simulate
# bench's baseline (both loaded by /usr/bin/python3); wrk, the loadtest bench's latency baseline.
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import statsmodels' >/dev/null 2>&1 || missing+=(python3-statsmodels)
/usr/bin/python3 -c 'import SimPy' >/dev/null 2>&1 || missing+=(python3-simpy)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ "${#missing[@]}" = 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "prebench: the forecast, simulate and loadtest benches need Debian's ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "prebench: installing ${missing[*]} from Debian's packages (once) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
