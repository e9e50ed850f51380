"""Where each input comes from: a file, or a table or query of the company's database.

A *sources file* (YAML) names, per input, a file or a database table/query::

    database: env:SALESANALYTICS_DB          # any SQLAlchemy URL, or env:NAME holding one
    password_file: ~/.pgpass                # optional: pgpass-style lines host:port:db:user:password
    history:    {table: monthly_sales}
    actuals:    {query: "select deal_date as date, deal_id, branch, ... from crm.deal_lines"}
    activities: {table: crm.daily_activities, columns: {拜访: visits}}
    roster:     {file: data/roster_2026.csv}   # relative to the sources file

:func:`load_sources` parses and checks the file without connecting; :meth:`Sources.read` reads
one input.  A frame from the database goes through the same checks as a file (header aliases,
``columns:`` renames, the pandera schemas of :mod:`salesanalytics.core.schema` through
:func:`salesanalytics.core.validation.finish`), and an error names the input, the table or the
query, the column and the rows (row N = the N-th row the database returned).

Two readers.  PostgreSQL is read through ADBC (``adbc-driver-postgresql``, installed with the
``postgres`` extra) straight into Arrow columns — the server's binary COPY, no Python object per
row — with ``numeric`` sent as its exact text and parsed to float64 in Arrow (:func:`arrow_table`,
:func:`frame_from_arrow`), so the frame has a Parquet file's dtypes and the same validation cost.
Every other database (SQLite out of the box, MySQL/MariaDB, SQL Server …), or PostgreSQL without
ADBC, is read through SQLAlchemy and the driver's row tuples (:func:`fetch_frame`); a statement
that fails in ADBC is run again there, so every error reads the same whichever reader ran.

Read-only, always, in three layers: a query must be one ``SELECT`` (or ``WITH … SELECT``)
with no writing keyword (:func:`check_query`); every statement sent is checked again just before
it goes out (a ``before_cursor_execute`` hook on the engine; :func:`_send` for ADBC, whose driver
wraps it in ``COPY (…) TO STDOUT``, a read); and the session itself is read-only where the
database allows it (PostgreSQL ``default_transaction_read_only``, for both readers, MySQL
``SET SESSION TRANSACTION READ ONLY``, SQLite ``PRAGMA query_only``).

Credentials never leave this module: the URL (with any password) is kept out of every
message, ``repr`` and fingerprint; databases are shown as ``user:***@host/db``, and any text
coming from a driver is scrubbed of the password before it is shown.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import schema as S
from ..core.exceptions import DataError, suggest
from ..core.validation import rename_columns
from ..methods.plan import Plan
from . import cache, io

#: inputs read as tables: the file reader of each (a database frame gets the same checks)
TABLE_INPUTS = ("history", "actuals", "activities", "targets", "industry", "roster", "ratings", "adjustments", "kpis")
#: inputs that are settings files (YAML): a file only, never a table
FILE_INPUTS = ("plan", "scenarios", "scheme", "incentive_plans")
INPUTS = FILE_INPUTS + TABLE_INPUTS
TOP_KEYS = ("database", "password_file") + INPUTS
ENTRY_KEYS = ("file", "sheet", "table", "query", "columns", "database")
#: rows fetched per round trip; the frame is built from all of them at the end
FETCH_ROWS = 100_000
#: seconds to wait for a PostgreSQL server before saying it cannot be reached (unless the URL sets connect_timeout)
CONNECT_TIMEOUT = 15
#: read PostgreSQL through ADBC into Arrow columns (no Python object per row) when adbc-driver-postgresql is installed
ARROW_READ = True

_FILE_READERS = {
    "history": io.read_history, "actuals": io.read_actuals, "activities": io.read_activities, "targets": io.read_targets,
    "industry": io.read_industry, "roster": io.read_roster, "ratings": io.read_ratings, "adjustments": io.read_adjustments,
    "kpis": io.read_person_kpis, "scenarios": io.read_scenarios, "scheme": io.read_scorecard_scheme,
    "incentive_plans": io.read_incentive_plans,
}


# ----------------------------------------------------------------------------
# read-only SQL
# ----------------------------------------------------------------------------
#: words that make a statement write (or create) something; a SELECT never needs them
WRITE_WORDS = ("insert", "update", "delete", "merge", "upsert", "into", "truncate", "drop", "create", "alter", "grant",
               "revoke", "copy", "call", "exec", "execute", "attach", "detach", "vacuum", "reindex", "lock")
_WRITE = re.compile(r"\b(" + "|".join(WRITE_WORDS) + r")\b", re.I)
_FIRST_WORD = re.compile(r"[\s(]*([A-Za-z]+)")


def _code_only(sql: str, backslash_escapes: bool) -> str | None:
    """``sql`` with comments removed and every quoted literal or identifier replaced by a blank.

    Databases differ on whether a backslash escapes a quote and ``#`` starts a comment (MySQL
    yes, standard SQL and PostgreSQL no; PostgreSQL's E'…' strings do escape), so the caller
    checks both readings and refuses what either finds; None when quotes do not close.
    """
    out, i, n = [], 0, len(sql)
    while i < n:
        c = sql[i]
        if sql.startswith("--", i) or (c == "#" and backslash_escapes):  # the MySQL reading: '#' starts a comment too
            j = sql.find("\n", i)
            i = n if j < 0 else j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            if j < 0:
                return None
            out.append(" ")
            i = j + 2
        elif c in "'\"`":
            j = i + 1
            while True:
                if j >= n:
                    return None
                if backslash_escapes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # a doubled quote is a quote inside
                        j += 2
                        continue
                    break
                j += 1
            out.append(" 'x' ")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _problem(sql: str, first_words: tuple[str, ...]) -> str | None:
    """What makes ``sql`` more than one reading statement, or None."""
    readings = [code for code in (_code_only(sql, False), _code_only(sql, True)) if code is not None]
    if not readings:
        return "a quote or comment is not closed"
    for code in readings:
        code = code.strip().rstrip(";").strip()
        if not code:
            return "it is empty"
        if ";" in code:
            return "it holds more than one statement (a ';' in the middle)"
        first = _FIRST_WORD.match(code)
        if not first or first.group(1).lower() not in first_words:
            return f"it starts with '{first.group(1).upper() if first else code[:10]}', not SELECT or WITH"
        word = _WRITE.search(code)
        if word:
            return f"it contains {word.group(1).upper()}, which writes"
        if first.group(1).lower() == "pragma" and "=" in code:
            return "it changes a setting"
    return None


def check_query(sql: str, *, where: str = "query") -> str:
    """``sql`` if it is one SELECT (or WITH … SELECT) that writes nothing; else a DataError naming ``where``."""
    if not isinstance(sql, str):
        raise DataError(f"the query must be text, not {type(sql).__name__}.", source=where, fix="write query: \"select ... from ...\"")
    problem = _problem(sql, ("select", "with"))
    if problem:
        raise DataError(f"the query is refused: {problem}. The tool only reads from the database.", source=where,
                        fix="write a single SELECT (or WITH ... SELECT) that reads the rows; no INSERT/UPDATE/DELETE/INTO")
    return sql.strip().rstrip(";").strip()


def _refuse_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    """The engine's last check before a statement goes out: reading statements only."""
    problem = _problem(statement, ("select", "with", "show", "pragma"))
    if problem:
        raise DataError(f"a statement was stopped before it reached the database: {problem}. The tool never writes there.",
                        source="database", fix="read with a SELECT only")


# ----------------------------------------------------------------------------
# connections and credentials
# ----------------------------------------------------------------------------
#: the drivers tried for a URL that names none, best first (installed with salesanalytics[postgres] / [mysql])
_DRIVERS = {"postgresql": ("psycopg", "psycopg2"), "mysql": ("pymysql", "mysqldb"), "mariadb": ("pymysql", "mysqldb")}
_DRIVER_MODULES = {"psycopg": "psycopg", "psycopg2": "psycopg2", "pymysql": "pymysql", "mysqldb": "MySQLdb"}
_EXTRA = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}


def _env(spec: str, what: str, where: str) -> str:
    name = spec[4:].strip()
    value = os.environ.get(name)
    if not value:
        raise DataError(f"{what} comes from the environment variable {name}, which is not set.", source=where,
                        fix=f"export {name}=... before the run (or in the scheduler's environment)")
    return value


def _pgpass_fields(line: str) -> list[str]:
    fields, cur, i = [], [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            cur.append(line[i + 1])
            i += 2
            continue
        if line[i] == ":":
            fields.append("".join(cur))
            cur = []
        else:
            cur.append(line[i])
        i += 1
    fields.append("".join(cur))
    return fields


def password_from_file(path: str | os.PathLike, url, where: str) -> str | None:
    """The password of ``url``'s host, port, database and user in a pgpass-style file (``*`` matches any)."""
    path = Path(path).expanduser()
    info = io.check_input(path, what="a password file (host:port:database:user:password lines)")
    if os.name == "posix" and info.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise DataError("the password file can be read by other users.", source=str(path), fix=f"chmod 600 {path}")
    default_port = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433}.get(url.get_backend_name())
    wanted = [url.host or "localhost", str(url.port or default_port or ""), url.database or "", url.username or ""]
    for line in io.read_text(path).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = _pgpass_fields(line)
        if len(fields) == 5 and all(f in ("*", w) for f, w in zip(fields[:4], wanted)):
            return fields[4]
    return None


def shown(url) -> str:
    """A URL as it may be shown: the password replaced by ***."""
    return url.render_as_string(hide_password=True)


@dataclass
class _Database:
    """One database of a sources file: the engine (made on first use) and the secrets to scrub."""

    spec: str = field(repr=False)
    password_file: str | None = field(default=None, repr=False)
    where: str = ""
    _url: Any = field(default=None, repr=False)
    _engine: Any = field(default=None, repr=False)
    _secrets: list = field(default_factory=list, repr=False)

    def url(self):
        if self._url is None:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            text = _env(self.spec, "the database", self.where) if self.spec.startswith("env:") else self.spec
            try:
                url = make_url(text)
            except ArgumentError:
                raise DataError("the database is not a URL such as postgresql://user@host/db or sqlite:///file.db.",
                                source=self.where, fix="write database: DIALECT://USER@HOST/DATABASE, or env:NAME") from None
            if url.password is None and self.password_file:
                password = password_from_file(self.password_file, url, self.where)
                if password is not None:
                    url = url.set(password=password)
            if url.password:
                from urllib.parse import quote

                self._secrets = sorted({str(url.password), quote(str(url.password), safe=""), quote(str(url.password))}, key=len, reverse=True)
            self._url = self._with_driver(url)
        return self._url

    def _with_driver(self, url):
        """A URL without a driver gets an installed one (``postgresql://`` → psycopg, ``mysql://`` → pymysql)."""
        import importlib.util

        backend = url.get_backend_name()
        if "+" in url.drivername or backend not in _DRIVERS:
            return url
        for driver in _DRIVERS[backend]:
            if importlib.util.find_spec(_DRIVER_MODULES[driver]) is not None:
                return url.set(drivername=f"{backend}+{driver}")
        raise DataError(f"no {backend} driver is installed.", source=self.where,
                        fix=f"pip install 'salesanalytics[{_EXTRA[backend]}]'")

    def scrub(self, text: str) -> str:
        """``text`` with the password (plain and URL-quoted) replaced by ***."""
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def engine(self):
        if self._engine is None:
            import sqlalchemy as sa
            from sqlalchemy import event
            from sqlalchemy.pool import NullPool

            url = self.url()
            backend = url.get_backend_name()
            connect_args = {}
            if backend == "postgresql" and url.get_driver_name() in ("psycopg", "psycopg2"):
                # a session that cannot write: every transaction of it is READ ONLY (libpq start-up option)
                options = " ".join(filter(None, [url.query.get("options"), "-c default_transaction_read_only=on"]))
                connect_args["options"] = options
                if "connect_timeout" not in url.query:  # libpq waits for ever on a host that drops packets: a scheduled run must end
                    connect_args["connect_timeout"] = CONNECT_TIMEOUT
            try:
                engine = sa.create_engine(url, poolclass=NullPool, connect_args=connect_args)
            except (ImportError, ModuleNotFoundError) as exc:
                raise DataError(f"the database driver is not installed ({exc.name or exc}).", source=self.where,
                                fix=f"pip install 'salesanalytics[{_EXTRA.get(backend, backend)}]' or the driver the URL names") from None
            except Exception as exc:  # noqa: BLE001 — a bad URL option: shown without the password
                raise DataError(f"the database URL is not usable: {self.scrub(str(exc))}", source=self.where,
                                fix="check the URL's driver and options") from None
            event.listen(engine, "connect", _read_only_session)
            event.listen(engine, "before_cursor_execute", _refuse_writes)
            self._engine = engine
        return self._engine

    def connect(self, what: str):
        """An open connection; a failure names the database without its password and says what to check."""
        import sqlalchemy.exc as sa_exc

        try:
            return self.engine().connect()
        except sa_exc.DBAPIError as exc:
            raise self.connect_error(str(exc.orig) or type(exc.orig).__name__, what) from None

    def connect_error(self, text: str, what: str) -> DataError:
        """The error for a connection the server refused or never answered: the driver's reason, scrubbed."""
        reason = self.scrub(" ".join(text.split()))
        refused = re.search(r"password|authentication|access denied|login failed", reason, re.I)
        fix = ("check the user name and the password (the environment variable, the password file or the URL)" if refused
               else "check that the server runs and is reachable from this machine, and the host, port and database name")
        return DataError(f"cannot connect to the database {shown(self.url())} for {what}: {reason}", source=self.where, fix=fix)

    def arrow_uri(self) -> str | None:
        """The URL as libpq takes it for the Arrow reader (read-only session, connect timeout), or None
        when that reader cannot serve this database (not PostgreSQL, adbc-driver-postgresql not installed)."""
        import importlib.util

        url = self.url()
        if not ARROW_READ or url.get_backend_name() != "postgresql" or importlib.util.find_spec("adbc_driver_postgresql") is None:
            return None
        from urllib.parse import quote, urlencode

        query = dict(url.query)
        query["options"] = " ".join(filter(None, [query.get("options"), "-c default_transaction_read_only=on"]))
        query.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
        # built here, not by SQLAlchemy: libpq wants every reserved character and space %-encoded (not '+')
        user = quote(url.username or "", safe="") + (":" + quote(str(url.password), safe="") if url.password else "")
        host = f"[{url.host}]" if url.host and ":" in url.host else url.host or ""
        netloc = (f"{user}@" if user else "") + host + (f":{url.port}" if url.port else "")
        return f"postgresql://{netloc}/{quote(url.database or '', safe='')}?{urlencode(query, doseq=True, quote_via=quote)}"

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _read_only_session(dbapi_connection, connection_record) -> None:
    """Make a new connection read-only where the database has a switch for it (PostgreSQL: a start-up option)."""
    module = type(dbapi_connection).__module__
    if hasattr(dbapi_connection, "adapters"):  # psycopg 3: numeric as float (Decimal objects cost 3x the read)
        from psycopg.types.numeric import FloatLoader

        dbapi_connection.adapters.register_loader("numeric", FloatLoader)
    statement = ("PRAGMA query_only = ON" if module.startswith(("sqlite3", "pysqlite")) else
                 "SET SESSION TRANSACTION READ ONLY" if module.startswith(("pymysql", "MySQLdb")) else None)
    if statement:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(statement)
        finally:
            cursor.close()


# ----------------------------------------------------------------------------
# one input
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """Where one input comes from: ``kind`` file / table / query and its ``target`` (path, table name or query text)."""

    key: str
    kind: str
    target: str
    columns: tuple[tuple[str, str], ...] = ()
    sheet: str | None = None
    database: str | None = field(default=None, repr=False)  # an entry's own database spec (URL or env:NAME)
    origin: str = ""  # the sources file's name, for messages

    def describe(self) -> str:
        """How messages name it: ``sources.yaml: actuals (query select …)`` — never the URL."""
        if self.kind == "file":
            return self.target
        what = f"table {self.target}" if self.kind == "table" else "query " + _short(self.target)
        return f"{self.origin}: {self.key} ({what})"

    def fingerprint(self) -> str:
        """The text the cache keys on besides the rows read: kind, table or query, column renames."""
        return f"{self.kind}:{self.target}|columns={list(self.columns)}"


def _short(text: str, limit: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _entry(key: str, spec: Any, base: Path, origin: str) -> Source:
    where = f"{origin}: {key}"
    if isinstance(spec, str):
        spec = {"file": spec}
    if not isinstance(spec, Mapping):
        raise DataError("give a mapping: {file: PATH}, {table: NAME} or {query: \"select ...\"}.", source=where)
    unknown = [k for k in spec if k not in ENTRY_KEYS]
    if unknown:
        raise DataError(f"unknown key '{unknown[0]}'.{suggest(unknown[0], ENTRY_KEYS)} Valid keys: {', '.join(ENTRY_KEYS)}.", source=where)
    kinds = [k for k in ("file", "table", "query") if spec.get(k) not in (None, "")]
    if len(kinds) != 1:
        raise DataError("give exactly one of file, table or query." if kinds else "give a file, a table or a query.", source=where,
                        fix=f"e.g. {key}: {{table: {key}}}")
    kind = kinds[0]
    if kind != "file" and key in FILE_INPUTS:
        raise DataError(f"{key} is a settings file (YAML), not a table.", source=where, fix=f"write {key}: {{file: PATH}}")
    columns = spec.get("columns") or {}
    if not isinstance(columns, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
        raise DataError("columns: give 'database column: input column' pairs, e.g. {拜访: visits}.", source=where)
    target = str(spec[kind]).strip()
    if kind == "file":
        path = Path(target).expanduser()
        target = str(path if path.is_absolute() else base / path)
    elif kind == "query":
        target = check_query(target, where=f"{where} (query {_short(target)})")
    elif not re.fullmatch(r"[^\s;'\"`]+(\s[^\s;'\"`]+)*", target) or target.startswith(".") or target.endswith("."):
        raise DataError(f"'{target}' is not a table name.", source=where, fix="write table: NAME or SCHEMA.NAME")
    database = spec.get("database")
    if database is not None and not isinstance(database, str):
        raise DataError("database: give a URL or env:NAME.", source=where)
    return Source(key, kind, target, tuple(columns.items()), None if spec.get("sheet") is None else str(spec["sheet"]), database, origin)


# ----------------------------------------------------------------------------
# a frame from the database, checked like a file
# ----------------------------------------------------------------------------
_REQUIRED = {
    "history": (S.MONTH, S.BRANCH, S.REVENUE), "actuals": (S.MONTH, S.BRANCH, S.REVENUE), "activities": (S.MONTH, S.BRANCH),
    "targets": (S.MONTH, S.BRANCH, "sales_task"), "industry": (S.YEAR, S.MARKET_SIZE), "roster": (S.BRANCH, S.SALESPERSON),
    "ratings": (S.RATER, S.SALESPERSON, S.DIMENSION, S.SCORE), "adjustments": (S.BRANCH, "reason", "author"),
    "kpis": (S.SALESPERSON, S.BRANCH, "actual", "target"),
}


#: the checks of each table input after its headers are mapped: the same functions the file readers call
_FROM_FRAME = {
    "history": io.history_from_frame, "actuals": io.actuals_from_frame, "activities": io.activities_from_frame,
    "targets": io.targets_from_frame, "industry": io.industry_from_frame, "roster": io.roster_from_frame,
    "ratings": io.ratings_from_frame, "adjustments": io.adjustments_from_frame, "kpis": io.kpis_from_frame,
}


def validated(key: str, raw: pd.DataFrame, where: str) -> pd.DataFrame:
    """A frame read from a database, checked exactly as ``io.read_<key>`` checks a file's rows.

    Row numbers in messages count the rows as the database returned them, from 1.
    """
    frame = raw.set_axis(pd.RangeIndex(-1, len(raw) - 1), axis=0)  # validation shows index + 2: the first row is row 1
    # an empty text is a missing value, as in a CSV file (a CRM often stores '' where nothing was entered)
    empty = {c: frame[c].mask(frame[c] == "") for c in frame.columns
             if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)) and (frame[c] == "").any()}
    frame = frame.assign(**empty) if empty else frame
    frame, original = rename_columns(frame)
    ctx = {"source": where, "sheet": None, "original": original}
    missing = [c for c in _REQUIRED[key] if c not in frame.columns]
    if missing:
        accepted = ", ".join(f"'{c}' ({'/'.join(((c,) + S.ALIASES.get(c, ()))[:4])})" for c in missing)
        raise DataError(f"missing column {accepted}. Found columns: {', '.join(map(str, raw.columns))}.", source=where,
                        fix="name it in the query (select x as revenue) or map it with columns: {x: revenue} in the sources file")
    out = _FROM_FRAME[key](frame, ctx)
    out.attrs["source"] = where
    return out


def fetch_frame(conn, statement, where: str, db: _Database, table: str | None = None) -> pd.DataFrame:
    """Run one reading statement and build a frame of its rows (column names as the database gives them)."""
    import sqlalchemy.exc as sa_exc

    try:
        result = conn.execute(statement)
        cursor = result.cursor
        names = [d[0] for d in cursor.description]
        # millions of row tuples make the cyclic garbage collector scan again and again: paused while they exist
        paused = gc.isenabled()
        gc.disable()
        try:
            rows: list = []
            while True:
                block = cursor.fetchmany(FETCH_ROWS)
                if not block:
                    break
                rows.extend(block)
            frame = pd.DataFrame.from_records(rows, columns=names, coerce_float=False, nrows=len(rows))
            del rows
        finally:
            if paused:
                gc.enable()
        result.close()
    except sa_exc.DBAPIError as exc:
        conn.rollback()
        raise _query_error(exc, conn, where, db, table) from None
    return frame


def _query_error(exc, conn, where: str, db: _Database, table: str | None) -> DataError:
    lines = [ln.strip() for ln in str(exc.orig).strip().splitlines() if ln.strip()]
    reason = db.scrub(lines[0] if lines else type(exc.orig).__name__)
    if re.search(r"does not exist|no such table|doesn't exist|invalid object name", reason, re.I) and "column" not in reason.lower():
        return DataError(f"the table does not exist: {reason}.{_table_hint(conn, table) if table else ''}", source=where,
                         fix="check the table's name and schema (table: SCHEMA.NAME), and that this user may read it")
    if re.search(r"read-only|read only|readonly|query_only", reason, re.I):
        return DataError(f"the database refused to write: {reason}. The tool reads only.", source=where,
                         fix="read with a SELECT that changes nothing (no nextval, no function that writes)")
    return DataError(f"the database could not run it: {reason}", source=where,
                     fix="run the query in a SQL client to see the problem, then correct it in the sources file")


# ----------------------------------------------------------------------------
# PostgreSQL through ADBC: Arrow columns straight from the server's binary COPY
# ----------------------------------------------------------------------------
#: PostgreSQL types the Arrow reader brings as the file readers bring them (numbers, text, days, times, flags)
_ARROW_AS_IS = frozenset({"int2", "int4", "int8", "float4", "float8", "text", "varchar", "bpchar", "name", "date", "timestamp", "bool"})
#: the connection refused or never made: said at once, not retried through SQLAlchemy
_CANNOT_CONNECT = re.compile(r"password|authentication|could not connect|connection refused|timeout|timed out|"
                             r"could not translate host|no route|does not exist|no pg_hba", re.I)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _typed_select(base: str, schema) -> tuple[str, list[str]]:
    """``base`` with each column cast, where needed, to what the Arrow reader brings as a file would: the query and
    the names of the ``numeric`` columns.

    ``numeric`` arrives as its exact decimal text and becomes float64 in Arrow (correctly rounded: the same
    double ``float("1234.56")`` gives, as for a CSV file) — the server's own ``numeric → float8`` cast costs
    three times more server time, and ADBC's decoding of binary ``numeric`` to text costs more still;
    ``timestamptz`` becomes the session's wall time (as psycopg gives it); any other type its text.
    """
    exprs, numeric, changed = [], [], False
    for f in schema:
        kind = (f.metadata or {}).get(b"POSTGRESQL:type", b"").decode()
        column = "q." + _quote_ident(f.name)
        if kind in _ARROW_AS_IS:
            exprs.append(column)
            continue
        changed = True
        cast = "timestamp" if kind == "timestamptz" else "text"
        exprs.append(f"{column}::{cast} as {_quote_ident(f.name)}")
        if kind == "numeric":
            numeric.append(f.name)
    return (f"select {', '.join(exprs)} from ({base}) as q" if changed else base), numeric


def _send(cursor, method: str, sql: str, where: str):
    """The Arrow reader's one way to the server: a reading statement only (the engine hook's check, for ADBC)."""
    problem = _problem(sql, ("select", "with"))
    if problem:
        raise DataError(f"a statement was stopped before it reached the database: {problem}. The tool never writes there.",
                        source=where, fix="read with a SELECT only")
    return getattr(cursor, method)(sql)


def arrow_table(db: _Database, source: Source, where: str):
    """``(table, numeric column names)`` read through ADBC in one read-only transaction, or None when the
    SQLAlchemy path must read it: no ADBC for this database, or the statement failed there (SQLAlchemy then
    runs it again and names the problem exactly as for any driver: missing table and its near names,
    division by zero, a write refused ...).  A connection the server refuses is an error at once."""
    uri = db.arrow_uri()
    if uri is None:
        return None
    import adbc_driver_postgresql.dbapi as adbc
    from adbc_driver_manager import Error as AdbcError

    try:
        conn = adbc.connect(uri)
    except AdbcError as exc:
        reason = re.sub(r"^\w+: \[libpq\] (Failed to connect: )?", "", str(exc).strip())
        if _CANNOT_CONNECT.search(reason):
            raise db.connect_error(reason, where) from None
        return None  # e.g. a URL option only SQLAlchemy's driver knows
    try:
        with conn.cursor() as cursor:
            base = _statement_text(source)
            schema = _send(cursor, "adbc_execute_schema", base, where)
            if len(set(schema.names)) != len(schema.names):
                return None  # twice the same column name: the row path keeps both, as a file's reader would
            sql, numeric = _typed_select(base, schema)
            _send(cursor, "execute", sql, where)
            return cursor.fetch_arrow_table(), numeric
    except AdbcError:
        return None
    finally:
        conn.close()


def frame_from_arrow(table, numeric: Iterable[str] = ()) -> pd.DataFrame:
    """The frame of an Arrow table with the dtypes a Parquet file gives (text as ``str``, days as datetime64,
    ``numeric`` columns as float64), so the validation costs what it costs for a file.  ``table`` is used up
    (its buffers are freed as the frame takes them): do not read it afterwards."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in numeric:
        i = table.schema.get_field_index(name)
        try:
            table = table.set_column(i, name, pc.cast(table.column(i), pa.float64()))
        except pa.ArrowInvalid:  # text no number parser reads ('NaN' aside): left as text, for the validation to name
            pass
    return table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)


def _table_hint(conn, table: str) -> str:
    """" Did you mean 'x'?" among the tables and views of the table's schema (empty when none is close)."""
    import sqlalchemy as sa

    schema, _, name = table.rpartition(".")
    try:
        inspector = sa.inspect(conn)
        names = inspector.get_table_names(schema=schema or None) + inspector.get_view_names(schema=schema or None)
    except Exception:  # noqa: BLE001 — a hint only; the error itself is already clear
        return ""
    return suggest(name, names)


def _statement_text(source: Source) -> str:
    """The SQL a source reads, as PostgreSQL takes it (a table's name quoted as SQLAlchemy quotes it)."""
    if source.kind == "query":
        return source.target
    from sqlalchemy.dialects import postgresql

    return str(_statement(source).compile(dialect=postgresql.dialect()))


def _statement(source: Source):
    import sqlalchemy as sa

    if source.kind == "query":
        return sa.text(source.target.replace(":", r"\:"))  # text() would read ':name' as a parameter
    schema, _, name = source.target.rpartition(".")
    return sa.select(sa.text("*")).select_from(sa.table(name, schema=schema or None))


# ----------------------------------------------------------------------------
# the sources file
# ----------------------------------------------------------------------------
@dataclass
class Sources:
    """A parsed sources file.  Reading is lazy: nothing connects until :meth:`read`."""

    path: Path | None
    entries: dict[str, Source]
    database: str | None = field(default=None, repr=False)
    password_file: str | None = field(default=None, repr=False)
    _databases: dict = field(default_factory=dict, repr=False)
    _read: dict = field(default_factory=dict, repr=False)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def keys(self) -> list[str]:
        return list(self.entries)

    def _db(self, source: Source) -> _Database:
        spec = source.database or self.database
        if not spec:
            raise DataError(f"{source.key} is a {source.kind}, but the sources file names no database.", source=source.describe(),
                            fix="add database: postgresql://USER@HOST/DB (or env:SALESANALYTICS_DB) at the top")
        if spec not in self._databases:
            self._databases[spec] = _Database(spec, self.password_file, where=f"{self.path.name if self.path else 'sources'}: database")
        return self._databases[spec]

    def read(self, key: str) -> Any:
        """The input ``key``: a checked frame (tables, files) or the parsed settings (YAML files); read once."""
        if key not in self._read:
            source = self.entries[key]
            if key == "plan":
                self._read[key] = self._plan(source)
            elif source.kind == "file":
                reader = _FILE_READERS[key]
                self._read[key] = reader(source.target) if key in FILE_INPUTS or source.sheet is None else reader(source.target, sheet=source.sheet)
            else:
                self._read[key] = self._from_database(source)
        return self._read[key]

    def read_all(self, keys: Iterable[str] | None = None) -> dict[str, Any]:
        try:
            return {k: self.read(k) for k in (keys if keys is not None else self.entries) if k in self.entries}
        finally:
            self.close()

    def _from_database(self, source: Source) -> pd.DataFrame:
        db = self._db(source)
        where = source.describe()
        arrow = arrow_table(db, source, where)
        if arrow is not None:
            raw = frame_from_arrow(*arrow)
        else:
            with db.connect(where) as conn:
                raw = fetch_frame(conn, _statement(source), where, db, source.target if source.kind == "table" else None)
        if source.columns:
            absent = [c for c, _ in source.columns if c not in raw.columns]
            if absent:
                raise DataError(f"columns: '{absent[0]}' is not a column of the result. Its columns: {', '.join(map(str, raw.columns))}.",
                                source=where, fix="map an existing column, or rename it in the query")
            raw = raw.rename(columns=dict(source.columns))
        if raw.empty:
            raise DataError("the database returned no rows.", source=where,
                            fix="check the table or the query's WHERE clause (dates, branch names) — an empty input is never used")
        return validated(source.key, raw, where)

    def _plan(self, source: Source) -> Plan:
        if source.kind != "file":
            raise DataError("the plan is a settings file.", source=source.describe(), fix="write plan: {file: plan.yaml}")
        return self.read_plan(source.target)

    def read_plan(self, path: str | os.PathLike) -> Plan:
        """The plan file at ``path``; with a roster among the sources, the plan uses that roster instead of the file it names."""
        if "roster" not in self.entries:
            return io.read_plan(path)
        path = Path(path)
        data = {k: v for k, v in io.read_yaml(path).items() if k != "roster"}
        branches = None
        spec = data.get("branches")
        if isinstance(spec, (str, Mapping)):  # a branch table beside the plan, as io.read_plan reads it
            file, sheet = (spec, None) if isinstance(spec, str) else (spec.get("file"), spec.get("sheet"))
            branches = io.read_branch_table(path.parent / str(file), sheet=sheet)
        return Plan.from_dict(data, source=path.name, branches=branches, roster=self.read("roster"))

    def fingerprint(self, key: str, value: Any = None) -> str:
        """What the cache keys on for ``key``: a file's bytes, or the table/query text and the rows read."""
        source = self.entries[key]
        if source.kind == "file":
            digest = cache.digest_file(source.target)
            if key == "plan" and "roster" in self.entries:
                digest += "|roster=" + self.fingerprint("roster")
            return f"file:{digest}"
        frame = self.read(key) if value is None else value
        return hashlib.sha256(f"{source.fingerprint()}|{cache.digest_frame(frame)}".encode()).hexdigest()

    def close(self) -> None:
        for db in self._databases.values():
            db.dispose()


def load_sources(path: str | os.PathLike) -> Sources:
    """Parse and check a sources file (no connection is made here)."""
    path = Path(path)
    data = io.read_yaml(path)
    if not isinstance(data, Mapping):
        raise DataError("a sources file is a mapping: database, then one entry per input.", source=str(path))
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise DataError(f"unknown key '{unknown[0]}'.{suggest(unknown[0], TOP_KEYS)} Valid keys: {', '.join(TOP_KEYS)}.", source=str(path),
                        fix="name each input as the tool does (history, actuals, activities, roster, ...)")
    database = data.get("database")
    if database is not None and not isinstance(database, str):
        raise DataError("database: give one URL, or env:NAME.", source=str(path))
    password_file = data.get("password_file")
    if password_file is not None:
        password_file = str(password_file if Path(str(password_file)).expanduser().is_absolute() else path.parent / str(password_file))
    base = path.resolve().parent
    entries = {key: _entry(key, data[key], base, path.name) for key in INPUTS if data.get(key) is not None}
    if not entries:
        raise DataError("the sources file names no input.", source=str(path), fix="add e.g. history: {table: monthly_sales}")
    return Sources(path, entries, database, password_file)


def as_sources(value: str | os.PathLike | Sources | None) -> Sources | None:
    """A :class:`Sources` from a path (or as given; None stays None)."""
    if value is None or value == "" or isinstance(value, Sources):
        return value or None
    return load_sources(value)


#: the year evaluation's inputs (names of :func:`io.read_evaluation_inputs`) → keys of a sources file
_EVALUATION_KEYS = {"plan": "plan", "history": "history", "roster": "roster", "actuals": "actuals", "activities": "activities",
                    "ratings": "ratings", "scheme": "scheme", "plans": "incentive_plans"}


def evaluation_inputs(sources: Sources, files: Mapping[str, str | os.PathLike], given: Iterable[str] = ()) -> dict:
    """What :func:`io.read_evaluation_inputs` gives, each input from ``sources`` unless its file was
    given on the command line (its name in ``given``); the rest from ``files`` (activities and
    ratings optional)."""
    readers = {"plan": sources.read_plan, "history": io.read_history, "roster": io.read_roster, "actuals": io.read_actuals,
               "activities": io.read_activities, "ratings": io.read_ratings, "scheme": io.read_scorecard_scheme,
               "plans": io.read_incentive_plans}
    given = set(given)
    out = {}
    try:
        for name, key in _EVALUATION_KEYS.items():
            if name not in given and key in sources:
                out[name] = sources.read(key)
            else:
                path = Path(files[name])
                out[name] = readers[name](path) if path.exists() or name not in ("activities", "ratings") else None
    finally:
        sources.close()
    return out
