"""Benchmark: 1.8 million actual rows from the local PostgreSQL server into a validated frame, vs the same rows from Parquet.

Run (needs the server of ``scripts/install-postgres.sh``):
``.venv/bin/python benchmarks/bench_sources.py [--people 5000] [--repeat 3]``

The rows are ``bench_tracking.make_data``'s year of daily credit lines for 5,000 salespeople
(1,825,000 rows) plus a gross-profit column; in PostgreSQL they sit in a table typed as an ERP
would type them (``date``, ``text``, ``numeric(14,2)``), in a schema of its own that is dropped
at the end.  What is timed, best of ``--repeat``:

* **parquet** — ``io.read_actuals(file.parquet)``: read + header aliases + pandera validation;
* **postgresql** — ``load_sources(...).read("actuals")`` on ``{table: …}``: connect, a read-only
  transaction, fetch, build the frame, the same validation;
* the split of the PostgreSQL time into fetch (``sources.fetch_frame``) and validation, and —
  when the packages are installed — the fetch alone through ``connectorx`` and ADBC
  (``adbc-driver-postgresql``) for comparison.

The target (BENCHMARKS.md, Sources) is PostgreSQL within 2× of Parquet.
"""

from __future__ import annotations

import argparse
import io as text_io
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tracking import make_data  # noqa: E402

URL = os.environ.get("SALESANALYTICS_BENCH_PG",
                     "postgresql+psycopg://salesanalytics_test:pw-Planted-7f3c9a@127.0.0.1:5432/salesanalytics_test")


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def load(engine, schema: str, actuals) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"create schema {schema}")
        conn.exec_driver_sql(f"create table {schema}.actuals (date date, branch text, salesperson text, product text, deal_id text, "
                             "share numeric(6,2), revenue numeric(14,2), gross_profit numeric(14,2))")
        buf = text_io.StringIO()
        actuals.to_csv(buf, index=False, header=False, date_format="%Y-%m-%d")
        raw = conn.connection.dbapi_connection
        with raw.cursor().copy(f"copy {schema}.actuals from stdin with (format csv)") as copy:
            copy.write(buf.getvalue())
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import sqlalchemy as sa

    from salesanalytics.adapters import io, sources

    _, actuals = make_data(args.people)
    actuals["gross_profit"] = np.round(actuals["revenue"] * 0.08, 2)
    actuals = actuals[["date", "deal_id", "branch", "salesperson", "product", "share", "revenue", "gross_profit"]]
    folder = Path(tempfile.mkdtemp(prefix="sa-bench-sources-"))
    parquet = folder / "actuals.parquet"
    actuals.to_parquet(parquet, index=False)
    engine = sa.create_engine(URL)
    schema = f"bench_sources_{os.getpid()}"
    spec = folder / "sources.yaml"
    spec.write_text(f"database: env:SALESANALYTICS_BENCH_URL\nactuals: {{table: {schema}.actuals}}\n", encoding="utf-8")
    os.environ["SALESANALYTICS_BENCH_URL"] = URL
    result = {"rows": len(actuals), "people": args.people, "python": platform.python_version(), "repeat": args.repeat}
    try:
        result["load_s"] = round(load(engine, schema, actuals), 2)
        result["parquet_s"], from_parquet = best(lambda: io.read_actuals(parquet), args.repeat)
        result["postgresql_s"], from_db = best(lambda: sources.load_sources(spec).read("actuals"), args.repeat)
        assert len(from_db) == len(from_parquet) and from_db["revenue"].sum() == from_parquet["revenue"].sum()

        src = sources.load_sources(spec)
        db = src._db(src.entries["actuals"])

        def fetch():
            with db.connect("bench") as conn:
                return sources.fetch_frame(conn, sources._statement(src.entries["actuals"]), "bench", db)

        result["postgresql_fetch_s"], raw = best(fetch, args.repeat)
        result["validation_s"], _ = best(lambda: sources.validated("actuals", raw, "bench"), args.repeat)
        result["ratio_postgresql_to_parquet"] = round(result["postgresql_s"] / result["parquet_s"], 2)
        plain = URL.replace("+psycopg", "")
        query = f"select * from {schema}.actuals"
        try:
            import connectorx as cx

            result["connectorx_fetch_s"], _ = best(lambda: cx.read_sql(plain, query, return_type="pandas"), args.repeat)
        except ImportError:
            result["connectorx_fetch_s"] = "not installed"
        try:
            import adbc_driver_postgresql.dbapi as adbc

            def adbc_fetch():
                with adbc.connect(plain) as conn, conn.cursor() as cur:
                    cur.execute(query)
                    return cur.fetch_arrow_table().to_pandas()

            result["adbc_fetch_s"], _ = best(adbc_fetch, args.repeat)
        except ImportError:
            result["adbc_fetch_s"] = "not installed"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"drop schema if exists {schema} cascade")
        engine.dispose()
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    result = {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
