"""Benchmark: 1.8 million actual rows from the local PostgreSQL server into a validated frame, vs the same rows from Parquet.

Run (needs the server of ``scripts/install-postgres.sh`` and ``pip install '.[postgres]'``):
``.venv/bin/python benchmarks/bench_sources.py [--people 5000] [--repeat 3]``

The rows are ``bench_tracking.make_data``'s year of daily credit lines for 5,000 salespeople
(1,825,000 rows) plus a gross-profit column; in PostgreSQL they sit in a table typed as an ERP
would type them (``date``, ``text``, ``numeric(14,2)``), in a schema of its own that is dropped
at the end.  Timed in pairs (Parquet, then PostgreSQL, ``--repeat`` times), best and median:

* **parquet** — ``io.read_actuals(file.parquet)``: read + header aliases + pandera validation;
* **postgresql** — ``load_sources(...).read("actuals")`` on ``{table: …}``: connect, a read-only
  transaction, fetch, build the frame, the same validation (the Arrow reader: ADBC);
* the split of the PostgreSQL time: fetch into Arrow (``sources.arrow_table``), Arrow → pandas
  (``sources.frame_from_arrow``), validation (``sources.validated``);
* the row reader (SQLAlchemy + psycopg, what runs without ADBC) for comparison;
* the floor: the server's own ``COPY (…) TO STDOUT (FORMAT binary)`` of the same rows into
  ``/dev/null`` through ``psql`` (no client decoding at all), for ``select *`` and for the statement
  the Arrow reader sends.

The target (BENCHMARKS.md, Sources) is PostgreSQL within 2× of Parquet.
"""

from __future__ import annotations

import argparse
import io as text_io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tracking import make_data  # noqa: E402

URL = os.environ.get("SALESANALYTICS_BENCH_PG",
                     "postgresql+psycopg://salesanalytics_test:pw-Planted-7f3c9a@127.0.0.1:5432/salesanalytics_test")
COLUMNS = ["date", "deal_id", "branch", "salesperson", "product", "share", "revenue", "gross_profit"]


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def summary(times: list[float]) -> dict:
    return {"best": round(min(times), 3), "median": round(statistics.median(times), 3)}


def load(engine, schema: str, actuals) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"create schema {schema}")
        conn.exec_driver_sql(f"create table {schema}.actuals (date date, deal_id text, branch text, salesperson text, product text, "
                             "share numeric(6,2), revenue numeric(14,2), gross_profit numeric(14,2))")
        buf = text_io.StringIO()
        actuals.to_csv(buf, index=False, header=False, date_format="%Y-%m-%d")
        raw = conn.connection.dbapi_connection
        with raw.cursor().copy(f"copy {schema}.actuals ({', '.join(COLUMNS)}) from stdin with (format csv)") as copy:
            copy.write(buf.getvalue())
        conn.exec_driver_sql(f"analyze {schema}.actuals")
    return time.perf_counter() - t0


def server_copy(sql: str, repeat: int) -> dict | str:
    """``psql \\copy (sql) to /dev/null`` in binary: the server's scan and output of the rows, no decoding."""
    from sqlalchemy.engine import make_url

    psql = shutil.which("psql")
    if psql is None:
        return "psql not installed"
    url = make_url(URL)
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    args = [psql, "-X", "-q", "-h", url.host or "localhost", "-p", str(url.port or 5432), "-U", url.username or "", "-d",
            url.database or "", "-c", f"\\copy ({sql}) to /dev/null with (format binary)"]
    times = [timed(lambda: subprocess.run(args, env=env, check=True, capture_output=True))[0] for _ in range(repeat)]
    return summary(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import pandas as pd
    import sqlalchemy as sa

    from salesanalytics.adapters import io, sources

    _, actuals = make_data(args.people)
    actuals["gross_profit"] = np.round(actuals["revenue"] * 0.08, 2)
    actuals = actuals[COLUMNS]
    folder = Path(tempfile.mkdtemp(prefix="sa-bench-sources-"))
    parquet = folder / "actuals.parquet"
    actuals.to_parquet(parquet, index=False)
    engine = sa.create_engine(URL)
    schema = f"bench_sources_{os.getpid()}"
    spec = folder / "sources.yaml"
    spec.write_text(f"database: env:SALESANALYTICS_BENCH_URL\nactuals: {{table: {schema}.actuals}}\n", encoding="utf-8")
    os.environ["SALESANALYTICS_BENCH_URL"] = URL
    result = {"rows": len(actuals), "people": args.people, "python": platform.python_version(), "repeat": args.repeat,
              "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    try:
        result["load_s"] = round(load(engine, schema, actuals), 2)
        src = sources.load_sources(spec)
        entry = src.entries["actuals"]
        db = src._db(entry)
        if db.arrow_uri() is None:
            sys.exit("the Arrow reader is not available: pip install 'salesanalytics[postgres]'")
        io.read_actuals(parquet), sources.load_sources(spec).read("actuals")  # warm both (imports, page cache)

        parquet_s, postgres_s, ratios = [], [], []
        for _ in range(args.repeat):
            tp, from_parquet = timed(lambda: io.read_actuals(parquet))
            tq, from_db = timed(lambda: sources.load_sources(spec).read("actuals"))
            parquet_s.append(tp)
            postgres_s.append(tq)
            ratios.append(tq / tp)
        pd.testing.assert_frame_equal(from_db, from_parquet)  # the same frame, to the last bit
        result["parquet_s"] = summary(parquet_s)
        result["postgresql_s"] = summary(postgres_s)
        result["ratio_postgresql_to_parquet"] = {"of_best": round(min(postgres_s) / min(parquet_s), 2),
                                                 "of_medians": round(statistics.median(postgres_s) / statistics.median(parquet_s), 2),
                                                 "median_of_pairs": round(statistics.median(ratios), 2)}

        fetch_s, convert_s, validate_s = [], [], []
        for _ in range(args.repeat):
            t, (table, numeric) = timed(lambda: sources.arrow_table(db, entry, "bench"))
            fetch_s.append(t)
            t, raw = timed(lambda: sources.frame_from_arrow(table, numeric))
            convert_s.append(t)
            t, _ = timed(lambda: sources.validated("actuals", raw, "bench"))
            validate_s.append(t)
        result["split_s"] = {"fetch_into_arrow": summary(fetch_s), "arrow_to_pandas": summary(convert_s),
                             "validation": summary(validate_s)}

        sources.ARROW_READ = False
        rows_s = [timed(lambda: sources.load_sources(spec).read("actuals"))[0] for _ in range(args.repeat)]
        sources.ARROW_READ = True
        result["row_reader_s"] = summary(rows_s)

        base = sources._statement_text(entry)
        import adbc_driver_postgresql.dbapi as adbc

        with adbc.connect(db.arrow_uri()) as conn, conn.cursor() as cursor:
            sent, _ = sources._typed_select(base, cursor.adbc_execute_schema(base))
        result["server_copy_binary_to_dev_null_s"] = {"select *": server_copy(base.replace("\n", " "), args.repeat),
                                                      "as the Arrow reader sends it": server_copy(sent.replace("\n", " "), args.repeat)}
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"drop schema if exists {schema} cascade")
        engine.dispose()
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
