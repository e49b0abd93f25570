"""Statsmodels baseline for bench/forecast.bench.ts.

Reads a JSON job list on stdin:
  {"level": 0.8, "repetitions": 500, "jobs": [{"id": "...", "train": [...], "m": 288, "horizon": 288}]}
and writes one JSON document on stdout:
  {"statsmodels": "0.13.5", "results": [{"id", "forecast", "lower", "upper", "seasonal",
   "converged", "message", "seconds"} | {"id", "error"}]}

Each job is fit with Holt-Winters exponential smoothing, additive damped trend and additive
season of length m, parameters and initial states estimated by statsmodels:
  ExponentialSmoothing(train, trend='add', damped_trend=True, seasonal='add',
                       seasonal_periods=m, initialization_method='estimated').fit()
With fewer than 2*m training points the season is dropped. The interval at `level` comes
from `simulate(..., repetitions, anchor='end')` quantiles (normal errors, seeded).
If statsmodels cannot be imported, it writes {"missing": "..."} and exits 0.
Run with Debian's /usr/bin/python3 (python3-statsmodels).
"""

import json
import sys
import time
import warnings

try:
    import numpy as np
    import statsmodels
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
except ImportError as err:  # the bench prints a row saying how to install it
    json.dump({"missing": str(err)}, sys.stdout)
    sys.exit(0)


def fit_one(job, level, repetitions):
    """Fits one job and returns its forecast, interval and convergence record."""
    train = np.asarray(job["train"], dtype=float)
    m = int(job["m"])
    horizon = int(job["horizon"])
    seasonal = len(train) >= 2 * m
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ExponentialSmoothing(
            train,
            trend="add",
            damped_trend=True,
            seasonal="add" if seasonal else None,
            seasonal_periods=m if seasonal else None,
            initialization_method="estimated",
        )
        result = model.fit()
    forecast = result.forecast(horizon)
    paths = result.simulate(
        horizon, repetitions=repetitions, anchor="end", error="add", random_state=20240601
    )
    tail = (1 - level) / 2
    lower = np.quantile(paths, tail, axis=1)
    upper = np.quantile(paths, 1 - tail, axis=1)
    retvals = getattr(result, "mle_retvals", None)
    success = getattr(retvals, "success", None)
    if success is None and isinstance(retvals, dict):
        success = retvals.get("success")
    warned = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    converged = bool(success) if success is not None else not warned
    if warned:
        converged = False
    message = "; ".join(warned) or str(getattr(retvals, "message", "") or "")
    return {
        "id": job["id"],
        "forecast": [float(x) for x in forecast],
        "lower": [float(x) for x in lower],
        "upper": [float(x) for x in upper],
        "seasonal": seasonal,
        "converged": converged,
        "message": message[:200],
        "seconds": time.perf_counter() - started,
    }


def main():
    request = json.load(sys.stdin)
    level = float(request.get("level", 0.8))
    repetitions = int(request.get("repetitions", 500))
    results = []
    for i, job in enumerate(request["jobs"]):
        try:
            results.append(fit_one(job, level, repetitions))
        except Exception as err:  # recorded per job; the bench reports it, never crashes
            results.append({"id": job["id"], "error": f"{type(err).__name__}: {err}"[:300]})
        print(f"  statsmodels {i + 1}/{len(request['jobs'])} {job['id']}", file=sys.stderr)
    json.dump({"statsmodels": statsmodels.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
