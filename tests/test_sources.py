"""Inputs from the company's database (adapters/sources.py): read-only, checked like files, no leaked password.

SQLite runs everywhere.  The PostgreSQL tests need the local server that
``scripts/install-postgres.sh`` installs and starts (CI runs it in ``.ci/run``): without a
reachable server they are skipped locally and fail when the environment variable CI is set.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from pathlib import Path

import pandas as pd
import pytest

from salesanalytics.adapters import cache, cli, io, quarter
from salesanalytics.adapters import sources as src_mod
from salesanalytics.adapters.sources import check_query, load_sources
from salesanalytics.core.exceptions import DataError

from .conftest import DATA

#: the test server's password, set by scripts/install-postgres.sh: the "planted" password of the leak tests
PG_PASSWORD = os.environ.get("SALESANALYTICS_TEST_PG_PASSWORD", "pw-Planted-7f3c9a")
PG_URL = os.environ.get("SALESANALYTICS_TEST_PG", f"postgresql+psycopg://salesanalytics_test:{PG_PASSWORD}@127.0.0.1:5432/salesanalytics_test")
QUARTER = "2026Q3"
N_DRAWS = 200

#: bundled file -> (table, input key, date columns stored as timestamps)
BUNDLED = {
    "history_monthly.csv": ("history_monthly", "history", ["month"]),
    "actuals_2026.csv": ("actuals_2026", "actuals", ["date"]),
    "activities_2026.csv": ("activities_2026", "activities", ["date"]),
    "roster_2026.csv": ("roster_2026", "roster", []),
    "industry_market_size.csv": ("industry_market_size", "industry", []),
    "ratings_2026.csv": ("ratings_2026", "ratings", []),
    "adjustments_2026.csv": ("adjustments_2026", "adjustments", []),
}
FILE_READERS = {"history": io.read_history, "actuals": io.read_actuals, "activities": io.read_activities, "roster": io.read_roster,
                "industry": io.read_industry, "ratings": io.read_ratings, "adjustments": io.read_adjustments}


def load_bundled(engine, schema: str | None = None) -> None:
    """The bundled CSV files as typed tables (numbers as numbers, days as timestamps, blanks as NULL)."""
    for file, (table, _, dates) in BUNDLED.items():
        frame = pd.read_csv(DATA / file, encoding="utf-8-sig", parse_dates=dates)
        frame.to_sql(table, engine, schema=schema, index=False, if_exists="replace")


def sources_yaml(folder: Path, database: str, schema: str | None = None, **extra: str) -> Path:
    prefix = f"{schema}." if schema else ""
    lines = [f"database: {database}", f"plan: {{file: {DATA / 'plan_2026.yaml'}}}"]
    for table, key, _ in BUNDLED.values():
        lines.append(f"{key}: {extra.pop(key, '{table: ' + prefix + table + '}')}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    path = folder / f"sources-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------
# databases
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory) -> Path:
    import sqlalchemy as sa

    path = tmp_path_factory.mktemp("db") / "sales.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    load_bundled(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("create table empty_sales (month text, branch text, revenue real)")
        conn.exec_driver_sql("create table text_amounts (month text, branch text, revenue text)")
        conn.exec_driver_sql("insert into text_amounts values ('2025-01-01', '北京', '1200.5'), ('2025-02-01', '北京', 'abc'), "
                             "('2025-03-01', '北京', '三千')")
        conn.exec_driver_sql("create table renamed_activities as select date, branch, salesperson, visits as visit_count, "
                             "new_customers, quotes, deals, cash_collected from activities_2026")
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def sqlite_sources(sqlite_db, tmp_path_factory) -> Path:
    return sources_yaml(tmp_path_factory.mktemp("src"), f"sqlite:///{sqlite_db}")


@pytest.fixture(scope="module")
def pg_schema():
    """A schema of its own on the local PostgreSQL server, with the bundled data loaded (dropped afterwards)."""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("select 1")
    except Exception as exc:  # noqa: BLE001 — any failure to reach the server
        engine.dispose()
        message = f"no PostgreSQL server for the tests ({type(exc).__name__}); run: sudo bash scripts/install-postgres.sh"
        if os.environ.get("CI"):
            pytest.fail(message + " — required in CI")
        pytest.skip(message)
    schema = f"sa_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"create schema {schema}")
        conn.exec_driver_sql(f"create sequence {schema}.counter")
    load_bundled(engine, schema)
    try:
        yield engine, schema
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"drop schema {schema} cascade")
        engine.dispose()


@pytest.fixture
def db_env(monkeypatch):
    """The server's URL (with the password) only in the environment, as a scheduled run would have it."""
    monkeypatch.setenv("SALESANALYTICS_DB", PG_URL)
    return "env:SALESANALYTICS_DB"


# ----------------------------------------------------------------------------
# read-only SQL
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("query", [
    "select * from sales",
    "SELECT branch, sum(revenue) AS revenue FROM sales GROUP BY branch;",
    "with t as (select * from sales) select * from t",
    "  (select 1)",
    "select update_date, deleted_at, created_by from t",
    "select 'delete from t; drop table x' as note from t",
    'select "insert" from t -- a comment; delete from t',
    "select 1 /* ; delete */ from t",
    "select x::date from t where y like '%:abc%'",
])
def test_a_single_select_is_accepted(query):
    assert check_query(query) == query.strip().rstrip(";").strip()


@pytest.mark.parametrize("query, problem", [
    ("delete from sales", "starts with 'DELETE'"),
    ("update sales set revenue = 0", "starts with 'UPDATE'"),
    ("insert into sales values (1)", "starts with 'INSERT'"),
    ("drop table sales", "starts with 'DROP'"),
    ("select 1; delete from sales", "more than one statement"),
    ("select * into backup from sales", "contains INTO"),
    ("with gone as (delete from sales returning *) select * from gone", "contains DELETE"),
    ("select * from sales for update", "contains UPDATE"),
    ("select 'a\\'; delete from sales; --'", "more than one statement"),  # MySQL reads the backslash as an escape
    ("select 1 # ; \n; delete from sales", "more than one statement"),
    ("copy (select 1) to '/tmp/x'", "starts with 'COPY'"),
    ("select 'unterminated", "not closed"),
    ("   ", "empty"),
    ("", "empty"),
])
def test_a_query_that_writes_or_is_more_than_one_select_is_refused(query, problem):
    with pytest.raises(DataError, match="refused") as info:
        check_query(query, where="sources.yaml: actuals")
    assert problem in str(info.value) and "sources.yaml: actuals" in str(info.value)


# ----------------------------------------------------------------------------
# the sources file
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, message", [
    ("databse: sqlite://\nhistory: {table: h}\n", "unknown key 'databse'. Did you mean 'database'?"),
    ("database: sqlite://\nhistroy: {table: h}\n", "unknown key 'histroy'. Did you mean 'history'?"),
    ("database: sqlite://\nhistory: {table: h, query: select 1}\n", "exactly one of file, table or query"),
    ("database: sqlite://\nhistory: {sheet: 1}\n", "give a file, a table or a query"),
    ("database: sqlite://\nhistory: {tabel: h}\n", "unknown key 'tabel'. Did you mean 'table'?"),
    ("database: sqlite://\nplan: {table: plans}\n", "plan is a settings file (YAML), not a table"),
    ("database: sqlite://\nhistory: [h]\n", "give a mapping"),
    ("database: sqlite://\nhistory: {table: h, columns: [a, b]}\n", "columns: give 'database column: input column' pairs"),
    ("database: sqlite://\nhistory: {table: 'h; drop table x'}\n", "is not a table name"),
    ("database: sqlite://\nactuals: {query: delete from deals}\n", "actuals (query delete from deals): the query is refused"),
    ("database: sqlite://\n", "names no input"),
    ("database: [a, b]\nhistory: {table: h}\n", "database: give one URL"),
    ("- history\n", "must be a mapping"),
])
def test_a_bad_sources_file_is_refused_with_the_fix(tmp_path, text, message):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_sources(path)
    assert message in str(info.value)
    assert "sources.yaml" in str(info.value)


def test_nothing_connects_until_an_input_is_read(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("database: postgresql://nobody@127.0.0.1:1/none\nhistory: {table: monthly_sales}\n", encoding="utf-8")
    sources = load_sources(path)
    assert sources.keys() == ["history"] and "history" in sources and "actuals" not in sources


@pytest.mark.parametrize("text, message", [
    ("database: env:SA_TEST_NOT_SET\nhistory: {table: h}\n", "environment variable SA_TEST_NOT_SET, which is not set"),
    ("history: {table: h}\n", "names no database"),
    ("database: not a url\nhistory: {table: h}\n", "not a URL"),
    ("database: nosuchdialect://x/y\nhistory: {table: h}\n", "database URL is not usable"),
])
def test_a_database_that_cannot_be_used_says_why(tmp_path, text, message):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_sources(path).read("history")
    assert message in str(info.value)


# ----------------------------------------------------------------------------
# SQLite: every input as the file readers give it
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("file", list(BUNDLED))
def test_a_table_reads_as_the_same_frame_as_the_file(sqlite_sources, file):
    _, key, _ = BUNDLED[file]
    from_db = load_sources(sqlite_sources).read(key)
    from_file = FILE_READERS[key](DATA / file)
    pd.testing.assert_frame_equal(from_db, from_file)
    assert from_db.attrs.get("granularity") == from_file.attrs.get("granularity")
    assert f"{key} (table " in from_db.attrs["source"]


def test_a_query_with_renamed_columns_reads_like_the_file(sqlite_db, tmp_path):
    path = sources_yaml(tmp_path, f"sqlite:///{sqlite_db}",
                       activities="{table: renamed_activities, columns: {visit_count: 拜访}}",
                       actuals="{query: \"select date as 日期, deal_id, branch, salesperson, product, share, revenue, gross_profit "
                               "from actuals_2026 where date >= '2026-01-01' order by rowid\"}")
    sources = load_sources(path)
    pd.testing.assert_frame_equal(sources.read("activities"), io.read_activities(DATA / "activities_2026.csv"))
    pd.testing.assert_frame_equal(sources.read("actuals"), io.read_actuals(DATA / "actuals_2026.csv"))


@pytest.mark.parametrize("entry, message", [
    ("{table: histroy_monthly}", ["history (table histroy_monthly)", "the table does not exist", "Did you mean 'history_monthly'?"]),
    ("{query: \"select month, branch, revenu from history_monthly\"}", ["history (query select month", "could not run it", "revenu"]),
    ("{table: empty_sales}", ["history (table empty_sales)", "returned no rows", "WHERE clause"]),
    ("{table: text_amounts}", ["history (table text_amounts)", "column revenue", "rows 2, 3", "'abc' is not a number"]),
    ("{query: \"select month, branch from history_monthly\"}", ["missing column 'revenue'", "Found columns: month, branch",
                                                               "select x as revenue"]),
    ("{table: history_monthly, columns: {umsatz: revenue}}", ["columns: 'umsatz' is not a column of the result"]),
    ("{query: \"select 1; delete from history_monthly\"}", ["the query is refused", "more than one statement"]),
])
def test_bad_input_from_the_database_names_the_source_column_and_rows(sqlite_db, tmp_path, entry, message):
    path = sources_yaml(tmp_path, f"sqlite:///{sqlite_db}", history=entry)
    with pytest.raises(DataError) as info:
        load_sources(path).read("history")
    for part in message:
        assert part in str(info.value)
    assert path.name in str(info.value)


def test_the_sqlite_session_cannot_write_even_past_the_statement_check(sqlite_sources):
    sources = load_sources(sqlite_sources)
    db = sources._db(sources.entries["history"])
    with db.connect("a test") as conn:
        with pytest.raises(DataError, match="stopped before it reached the database"):
            conn.exec_driver_sql("create table intruder (a int)")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.connection.dbapi_connection.execute("create table intruder (a int)")
    db.dispose()


def _recorded_statements(read):
    """Every statement any SQLAlchemy engine sends while ``read()`` runs."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        read()
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return sent


def _only_reads(statements) -> None:
    assert statements
    for statement in statements:
        first = statement.split(None, 1)[0].lower().lstrip("(")
        assert first in ("select", "with", "show", "pragma"), statement
        assert "=" not in statement or first != "pragma", statement


def test_no_write_statement_is_sent_to_sqlite(sqlite_sources, sqlite_db):
    before = sqlite_db.read_bytes()
    sent = _recorded_statements(lambda: load_sources(sqlite_sources).read_all())
    _only_reads(sent)
    assert sqlite_db.read_bytes() == before


def test_the_quarter_from_sqlite_is_the_quarter_from_the_files(sqlite_sources):
    from_files = quarter.summary_json(quarter.load_state(QUARTER, n_draws=N_DRAWS))
    from_db = quarter.summary_json(quarter.load_state(QUARTER, n_draws=N_DRAWS, sources=sqlite_sources))
    assert from_db == from_files


def _entries(kind="quarter"):
    folder = cache.cache_dir() / kind
    return {p.name for p in folder.glob("*.pkl")} if folder.exists() else set()


def test_the_cache_keys_on_the_rows_read_and_the_query_text(sqlite_db, tmp_path):
    import sqlalchemy as sa

    db = tmp_path / "copy.db"
    db.write_bytes(sqlite_db.read_bytes())
    path = sources_yaml(tmp_path, f"sqlite:///{db}")
    first = quarter.load_state(QUARTER, n_draws=N_DRAWS, sources=path)
    known = _entries()
    quarter.load_state(QUARTER, n_draws=N_DRAWS, sources=path)
    assert _entries() == known  # unchanged rows: read from the cache
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("update actuals_2026 set revenue = revenue + 1000000 where deal_id = 'D26000001'")
    engine.dispose()
    changed = quarter.load_state(QUARTER, n_draws=N_DRAWS, sources=path)
    assert len(_entries() - known) == 1  # a changed row: computed again
    assert changed.summary["ytd_actual_yuan"] != first.summary["ytd_actual_yuan"]
    same_rows = sources_yaml(tmp_path, f"sqlite:///{db}", history="{query: \"select * from history_monthly\"}")
    a, b = load_sources(path), load_sources(same_rows)
    assert a.read("history").equals(b.read("history"))
    assert a.fingerprint("history") != b.fingerprint("history")  # the query text is part of the key


def test_track_from_sqlite_prints_what_track_from_the_files_prints(sqlite_sources, capsys):
    common = ["--as-of", "2026-09-30", "--draws", str(N_DRAWS), "--lang", "en"]
    assert cli.main(["track", "--targets", str(DATA / "plan_2026.yaml"), "--history", str(DATA / "history_monthly.csv"),
                     "--actuals", str(DATA / "actuals_2026.csv"), "--activities", str(DATA / "activities_2026.csv"), *common]) == 0
    from_files = capsys.readouterr().out
    assert cli.main(["track", "--sources", str(sqlite_sources), *common]) == 0
    assert capsys.readouterr().out == from_files


@pytest.mark.parametrize("argv, message", [
    (["track", "--as-of", "2026-09-30"], "--targets is needed: give a file, or name targets in a sources file"),
    (["forward"], "HISTORY is needed: give a file, or name history in a sources file"),
    (["combined"], "--plan is needed"),
])
def test_a_command_without_its_inputs_says_how_to_give_them(argv, message, capsys):
    assert cli.main(argv) != 0
    assert message in capsys.readouterr().err


# ----------------------------------------------------------------------------
# credentials
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "postgresql+psycopg://reporting:{pw}@127.0.0.1:1/sales",
    "postgresql://reporting:{pw}@127.0.0.1:1/sales?connect_timeout=2",
])
def test_an_unreachable_server_says_so_without_the_password(tmp_path, monkeypatch, capsys, url):
    planted = "Sekr3t-" + uuid.uuid4().hex[:8]
    monkeypatch.setenv("SA_TEST_DB", url.format(pw=planted))
    path = tmp_path / "sources.yaml"
    path.write_text("database: env:SA_TEST_DB\nhistory: {table: monthly_sales}\n", encoding="utf-8")
    code = cli.main(["forward", "--sources", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot connect to the database postgresql" in err and "reporting:***@127.0.0.1:1/sales" in err
    assert "server runs and is reachable" in err and planted not in err and err.count("\n") <= 2


def test_a_password_file_must_be_private_and_supplies_the_password(tmp_path):
    from sqlalchemy.engine import make_url

    pw = tmp_path / "pgpass"
    pw.write_text("# host:port:database:user:password\nother:5432:*:*:nope\n127.0.0.1:5432:sales:reporting:fr\\:om-file\n", encoding="utf-8")
    url = make_url("postgresql://reporting@127.0.0.1/sales")
    pw.chmod(0o644)
    with pytest.raises(DataError, match="can be read by other users"):
        src_mod.password_from_file(pw, url, "sources.yaml")
    pw.chmod(0o600)
    assert src_mod.password_from_file(pw, url, "sources.yaml") == "fr:om-file"
    assert src_mod.password_from_file(pw, make_url("postgresql://someone@127.0.0.1/sales"), "x") is None


def test_the_sources_never_show_the_url_in_their_repr(tmp_path, monkeypatch):
    path = tmp_path / "sources.yaml"
    path.write_text("database: postgresql://u:Sekr3t-repr@127.0.0.1:1/db\nhistory: {table: h, database: 'mysql://u:Sekr3t-two@h/d'}\n",
                    encoding="utf-8")
    sources = load_sources(path)
    assert "Sekr3t" not in repr(sources) and "Sekr3t" not in str(sources)
    assert "Sekr3t" not in sources.entries["history"].describe() + sources.entries["history"].fingerprint()


# ----------------------------------------------------------------------------
# PostgreSQL (the server scripts/install-postgres.sh starts)
# ----------------------------------------------------------------------------
def test_postgres_tables_read_as_the_same_frames_as_the_files(pg_schema, tmp_path, db_env):
    _, schema = pg_schema
    sources = load_sources(sources_yaml(tmp_path, db_env, schema))
    for file, (_, key, _) in BUNDLED.items():
        # a table has no order of its own: the same rows, in whatever order the server returns them
        from_db, from_file = (f.sort_values(list(f.columns)).reset_index(drop=True) for f in (sources.read(key), FILE_READERS[key](DATA / file)))
        pd.testing.assert_frame_equal(from_db, from_file)


def test_no_write_statement_is_sent_to_postgres_and_the_session_is_read_only(pg_schema, tmp_path, db_env, monkeypatch):
    """The row reader (SQLAlchemy + psycopg, used without ADBC); the Arrow reader's own test is further down."""
    monkeypatch.setattr(src_mod, "ARROW_READ", False)
    engine, schema = pg_schema
    path = sources_yaml(tmp_path, db_env, schema)
    _only_reads(_recorded_statements(lambda: load_sources(path).read_all()))
    sources = load_sources(path)
    db = sources._db(sources.entries["history"])
    with db.connect("a test") as conn:
        assert conn.exec_driver_sql("show transaction_read_only").scalar() == "on"
        import psycopg

        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):  # past our statement check, the server refuses
            conn.connection.dbapi_connection.execute(f"create table {schema}.intruder (a int)")
    db.dispose()
    nextval = sources_yaml(tmp_path, db_env, schema, history=f"{{query: \"select nextval('{schema}.counter') as n\"}}")
    with pytest.raises(DataError, match="refused to write"):
        load_sources(nextval).read("history")
    with engine.connect() as conn:
        assert conn.exec_driver_sql(f"select last_value, is_called from {schema}.counter").one() == (1, False)


@pytest.mark.parametrize("entry, message", [
    ("{table: nosuch}", ["the table does not exist", "nosuch"]),
    ("{query: \"select month, branch, revenue from {schema}.history_monthly where month < '1990-01-01'\"}", ["returned no rows"]),
    ("{query: \"select month, branch, revenue::text || 'x' as revenue from {schema}.history_monthly\"}",
     ["column revenue", "rows 1, 2, 3", "is not a number"]),
    ("{query: \"select month, branch, 1/0 as revenue from {schema}.history_monthly\"}", ["could not run it", "division by zero"]),
])
def test_bad_input_from_postgres_names_the_source(pg_schema, tmp_path, db_env, entry, message):
    _, schema = pg_schema
    path = sources_yaml(tmp_path, db_env, schema, history=entry.replace("{schema}", schema))
    with pytest.raises(DataError) as info:
        load_sources(path).read("history")
    for part in message:
        assert part in str(info.value)
    assert PG_PASSWORD not in str(info.value)


def test_a_wrong_password_says_so_without_any_password(pg_schema, tmp_path, monkeypatch, capsys):
    from sqlalchemy.engine import make_url

    wrong = "Wr0ng-" + uuid.uuid4().hex[:8]
    monkeypatch.setenv("SALESANALYTICS_DB", make_url(PG_URL).set(password=wrong).render_as_string(hide_password=False))
    path = sources_yaml(tmp_path, "env:SALESANALYTICS_DB", pg_schema[1])
    assert cli.main(["forward", "--sources", str(path)]) == 2
    err = capsys.readouterr().err
    assert "password authentication failed" in err and "check the user name and the password" in err
    assert wrong not in err and PG_PASSWORD not in err


def test_the_password_can_come_from_a_password_file(pg_schema, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    secret = tmp_path / "pgpass"
    secret.write_text(f"{url.host}:{url.port}:{url.database}:{url.username}:{PG_PASSWORD}\n", encoding="utf-8")
    secret.chmod(0o600)
    no_password = url._replace(password=None).render_as_string(hide_password=False)
    assert PG_PASSWORD not in no_password
    path = sources_yaml(tmp_path, no_password, pg_schema[1], password_file=str(secret))
    assert len(load_sources(path).read("history")) == len(io.read_history(DATA / "history_monthly.csv"))


def _tiny_report(folder: Path) -> Path:
    """A report notebook that shows the quarter's state built from its sources (a real page's parameters)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('quarter: str = ""\ndata_dir: str = ""\nlang: str = "zh"\ninteractive: bool = False\n'
                                       'sources_file: str = ""  # the sources file the state is read from\nn_draws: int = 1000')
    params.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell("from salesanalytics.adapters import quarter as q\n"
                                     "state = q.load_state(quarter, data_dir=data_dir or None, sources=sources_file or None, n_draws=n_draws, lang=lang)\n"
                                     "print(state.summary['ytd_actual_yuan'])")
    nb.cells = [params, body]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / "executive_summary.ipynb"))  # the name of a page of the set
    return folder


@pytest.mark.slow
def test_report_from_postgres_equals_the_files_and_no_output_holds_the_password(pg_schema, tmp_path, db_env, monkeypatch, capsys, recwarn):
    """``salesanalytics report --sources``: the same summary.json as from the files; the planted password nowhere."""
    from salesanalytics.core import config

    monkeypatch.setattr(config, "NOTEBOOKS_DIR", _tiny_report(tmp_path / "notebooks"))
    out = tmp_path / "reports"
    path = sources_yaml(tmp_path, db_env, pg_schema[1])
    argv = ["report", "--quarter", QUARTER, "--out", str(out), "-p", f"n_draws={N_DRAWS}", "--jobs", "1"]
    assert cli.main([*argv, "--sources", str(path)]) == 0
    said = capsys.readouterr()
    summary = (out / QUARTER / "summary.json").read_text(encoding="utf-8")
    assert summary == quarter.summary_json(quarter.load_state(QUARTER, n_draws=N_DRAWS))
    manifest = json.loads((out / QUARTER / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"][0]["parameters"]["sources_file"] == str(path.resolve())
    page = (out / QUARTER / "executive_summary.html").read_text(encoding="utf-8")
    assert f"{json.loads(summary)['ytd_actual_yuan']}" in page  # the page read the same state
    kept = io.file_digests(out / QUARTER)

    # a wrong password: one clear line, exit 2, the last good reports kept
    from sqlalchemy.engine import make_url

    wrong = "Wr0ng-" + uuid.uuid4().hex[:8]
    monkeypatch.setenv("SALESANALYTICS_DB", make_url(PG_URL).set(password=wrong).render_as_string(hide_password=False))
    assert cli.main([*argv, "--sources", str(path)]) == 2
    failed = capsys.readouterr()
    assert "cannot connect to the database" in failed.err and wrong not in failed.err + failed.out
    assert io.file_digests(out / QUARTER) == kept

    outputs = [said.out, said.err, failed.out, failed.err, *(str(w.message) for w in recwarn)]
    for folder in (out, cache.cache_dir(), tmp_path / "notebooks"):
        outputs += [p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()]
    leaked = [text[:80] for text in outputs if PG_PASSWORD in text or "Planted" in text]
    assert not leaked


# ----------------------------------------------------------------------------
# PostgreSQL through ADBC (the Arrow reader): same frames, read-only, no password, exact amounts
# ----------------------------------------------------------------------------
@pytest.fixture
def adbc_installed():
    try:
        import adbc_driver_postgresql.dbapi  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("adbc-driver-postgresql is not installed — required in CI (pip install '.[dev]')")
        pytest.skip("adbc-driver-postgresql is not installed (pip install 'salesanalytics[postgres]')")


@pytest.fixture
def adbc_statements(monkeypatch):
    """Every statement the Arrow reader sends through ADBC while the test runs."""
    from adbc_driver_manager import dbapi

    sent = []
    for name in ("execute", "adbc_execute_schema", "executemany", "adbc_prepare", "adbc_ingest"):
        original = getattr(dbapi.Cursor, name)

        def record(self, operation, *args, _original=original, **kwargs):
            sent.append(operation)
            return _original(self, operation, *args, **kwargs)

        monkeypatch.setattr(dbapi.Cursor, name, record)
    return sent


def _read_both(path: Path, key: str, monkeypatch) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``key`` read by the Arrow reader and by the row reader (SQLAlchemy + psycopg)."""
    fast = load_sources(path).read(key)
    with monkeypatch.context() as m:
        m.setattr(src_mod, "ARROW_READ", False)
        rows = load_sources(path).read(key)
    return fast, rows


def test_postgres_is_read_through_arrow_into_the_same_frames_as_the_row_reader(pg_schema, tmp_path, db_env, adbc_installed,
                                                                              adbc_statements, monkeypatch):
    _, schema = pg_schema
    path = sources_yaml(tmp_path, db_env, schema)

    def no_rows(*args, **kwargs):
        raise AssertionError("the row reader was used")

    with monkeypatch.context() as m:
        m.setattr(src_mod, "fetch_frame", no_rows)
        sources = load_sources(path)
        fast = {key: sources.read(key) for _, key, _ in BUNDLED.values()}
        prints = {key: sources.fingerprint(key) for _, key, _ in BUNDLED.values()}
    assert adbc_statements
    with monkeypatch.context() as m:
        m.setattr(src_mod, "ARROW_READ", False)
        sources = load_sources(path)
        for key, frame in fast.items():
            pd.testing.assert_frame_equal(frame, sources.read(key))
            assert prints[key] == sources.fingerprint(key)  # the cache keys on the rows, whichever reader read them


def test_an_erp_typed_table_reads_through_arrow_as_through_the_row_reader(pg_schema, tmp_path, db_env, adbc_installed, monkeypatch):
    """numeric(14,2) amounts, date days, text names, a timestamptz and blanks: the frame of the row reader."""
    engine, schema = pg_schema
    with engine.begin() as conn:
        conn.exec_driver_sql(f"create table {schema}.erp_lines (日期 date, branch varchar(20), salesperson text, product char(4), "
                             "deal_id text, share numeric(6,2), revenue numeric(14,2), gross_profit numeric(14,2), "
                             "booked timestamptz, note json)")
        conn.exec_driver_sql(f"insert into {schema}.erp_lines values "
                             "('2026-07-01', '北京', '张伟', '设备', 'D1', 60, 1234.56, 98.76, '2026-07-01 23:30+08', '{}'), "
                             "('2026-07-01', '北京', '李娜', '设备', 'D1', 40, 1234.56, 98.76, '2026-07-01 23:30+08', null), "
                             "('2026-07-02', '上海', '王芳', '', 'D2', 100, 0.01, null, null, '[1]'), "
                             "('2026-07-03', '上海', '王芳', null, null, 100, 9999999999.99, -0.01, '2026-12-31 16:00Z', null)")
    path = sources_yaml(tmp_path, db_env, schema, actuals=f"{{table: {schema}.erp_lines, columns: {{booked: booked_at}}}}")
    fast, rows = _read_both(path, "actuals", monkeypatch)
    pd.testing.assert_frame_equal(fast, rows)
    assert fast["revenue"].tolist() == [1234.56, 1234.56, 0.01, 9999999999.99] and fast.attrs["granularity"] == "day"
    table, numeric = src_mod.arrow_table(load_sources(path)._db(load_sources(path).entries["actuals"]),
                                         load_sources(path).entries["actuals"], "test")
    assert numeric == ["share", "revenue", "gross_profit"] and table.num_rows == 4


def test_numeric_amounts_read_through_arrow_are_the_files_floats_and_exact_to_the_fen(pg_schema, tmp_path, db_env, adbc_installed):
    """Every numeric(18,2) amount becomes the double a CSV cell of the same digits becomes (float(text),
    correctly rounded), up to the largest amount the tool accepts; so its fen are the file's fen.  Below 2^50
    fen (about 1.1 × 10^13 yuan, where core.money keeps float arithmetic exact) those are the exact fen."""
    import random
    from decimal import Decimal

    from salesanalytics.core.money import to_fen_array
    from salesanalytics.core.numbers import MAX_AMOUNT_YUAN

    engine, schema = pg_schema
    rng = random.Random(17)
    fen = [1, -1, 5, 10, 99, 100, 101, 12345, 2**50 - 1, 2**50, -(2**50), MAX_AMOUNT_YUAN * 100, -MAX_AMOUNT_YUAN * 100,
           MAX_AMOUNT_YUAN * 100 - 1, 999_999_999_999, 100_000_000_000_001]
    fen += [rng.randint(1, 10 ** rng.randint(1, 17)) * rng.choice((1, -1)) for _ in range(4000)]
    fen = [f for f in fen if abs(f) <= MAX_AMOUNT_YUAN * 100]
    texts = [str(Decimal(f).scaleb(-2)) for f in fen]
    with engine.begin() as conn:
        conn.exec_driver_sql(f"create table {schema}.amounts (month date, branch text, revenue numeric(18,2))")
        values = ", ".join(f"('2026-{1 + i % 12:02d}-01', 'B{i}', {t})" for i, t in enumerate(texts))
        conn.exec_driver_sql(f"insert into {schema}.amounts values {values}")
    path = sources_yaml(tmp_path, db_env, schema, history=f"{{query: \"select month, branch, revenue from {schema}.amounts order by branch\"}}")
    sources = load_sources(path)
    source = sources.entries["history"]
    table, numeric = src_mod.arrow_table(sources._db(source), source, "test")
    assert numeric == ["revenue"]
    frame = src_mod.frame_from_arrow(table, numeric)
    by_branch = dict(zip(frame["branch"], frame["revenue"]))
    read = [by_branch[f"B{i}"] for i in range(len(texts))]
    assert [x.hex() for x in read] == [float(t).hex() for t in texts]  # bit for bit the CSV cell's value
    small = [i for i, f in enumerate(fen) if abs(f) <= 2**50]
    assert len(small) > 1000 and [int(to_fen_array([read[i]])[0]) for i in small] == [fen[i] for i in small]


def test_the_arrow_reader_sends_only_reads_in_a_read_only_session(pg_schema, tmp_path, db_env, adbc_installed, adbc_statements):
    engine, schema = pg_schema
    path = sources_yaml(tmp_path, db_env, schema)
    recorded = _recorded_statements(lambda: load_sources(path).read_all())
    assert not recorded  # nothing went through SQLAlchemy: the Arrow reader read every table
    _only_reads(adbc_statements)
    import adbc_driver_postgresql.dbapi as adbc
    from adbc_driver_manager import ProgrammingError

    sources = load_sources(path)
    uri = sources._db(sources.entries["history"]).arrow_uri()
    with adbc.connect(uri) as conn, conn.cursor() as cursor:
        cursor.execute("select current_setting('transaction_read_only')")
        assert cursor.fetchone() == ("on",)
        with pytest.raises(ProgrammingError, match="read-only transaction"):  # past our statement check, the server refuses
            cursor.execute(f"create table {schema}.intruder (a int)")
    with pytest.raises(DataError, match="stopped before it reached the database"):
        src_mod._send(None, "execute", f"select 1; delete from {schema}.history_monthly", "test")
    nextval = sources_yaml(tmp_path, db_env, schema, history=f"{{query: \"select nextval('{schema}.counter') as n\"}}")
    with pytest.raises(DataError, match="refused to write"):
        load_sources(nextval).read("history")
    with engine.connect() as conn:
        assert conn.exec_driver_sql(f"select last_value, is_called from {schema}.counter").one() == (1, False)
        assert conn.exec_driver_sql(f"select to_regclass('{schema}.intruder')").scalar() is None


def test_a_wrong_password_through_arrow_says_so_without_any_password(pg_schema, tmp_path, monkeypatch, adbc_installed):
    from sqlalchemy.engine import make_url

    wrong = "Wr0ng-" + uuid.uuid4().hex[:8]
    monkeypatch.setenv("SALESANALYTICS_DB", make_url(PG_URL).set(password=wrong).render_as_string(hide_password=False))
    sources = load_sources(sources_yaml(tmp_path, "env:SALESANALYTICS_DB", pg_schema[1]))
    source = sources.entries["history"]
    with pytest.raises(DataError) as info:
        src_mod.arrow_table(sources._db(source), source, source.describe())
    said = str(info.value)
    assert "cannot connect to the database postgresql+psycopg://salesanalytics_test:***@127.0.0.1" in said
    assert "password authentication failed" in said and "check the user name and the password" in said
    assert wrong not in said and PG_PASSWORD not in said and "Failed to connect" not in said


def test_only_postgresql_is_read_through_arrow(tmp_path, monkeypatch, sqlite_sources):
    sources = load_sources(sqlite_sources)
    assert sources._db(sources.entries["history"]).arrow_uri() is None
    monkeypatch.setenv("SA_TEST_DB", "mysql+pymysql://u:p@h/db")
    path = tmp_path / "mysql.yaml"
    path.write_text("database: env:SA_TEST_DB\nhistory: {table: t}\n", encoding="utf-8")
    mysql = load_sources(path)
    assert mysql._db(mysql.entries["history"]).arrow_uri() is None


def test_the_arrow_uri_is_libpq_s_with_a_read_only_session(tmp_path, monkeypatch, adbc_installed):
    monkeypatch.setenv("SA_TEST_DB", "postgresql+psycopg://u:p%40ss w@db.example:6432/sales?sslmode=require&options=-c%20search_path%3Dcrm")
    path = tmp_path / "pg.yaml"
    path.write_text("database: env:SA_TEST_DB\nhistory: {table: t}\n", encoding="utf-8")
    sources = load_sources(path)
    uri = sources._db(sources.entries["history"]).arrow_uri()
    assert uri == ("postgresql://u:p%40ss%20w@db.example:6432/sales?sslmode=require"
                   "&options=-c%20search_path%3Dcrm%20-c%20default_transaction_read_only%3Don&connect_timeout=15")
