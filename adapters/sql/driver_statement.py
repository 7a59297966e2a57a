"""The money path's hot statements, run on the driver's cursor.

SQLAlchemy builds them (Core, as everywhere else) and compiles each once per dialect; each call
then only converts its parameters (the bind processors SQLAlchemy would apply: aware UTC
datetimes, say), runs the SQL on the DBAPI cursor and converts the rows it returns. SQLAlchemy's
per-call execution context (cache look-up, parameter set-up, result metadata) cost about three
times what SQLite spends running the statement itself. What stays SQLAlchemy's:
- the transaction: a connection not yet in one begins one first, as `Connection.execute` would
  (so `begin` listeners, SQLite's `BEGIN IMMEDIATE` among them, still run, and the commit and
  rollback still reach the driver);
- the errors: a driver's error is raised as SQLAlchemy's (`IntegrityError`, `OperationalError`);
- the `before_cursor_execute` listeners, which still see every statement.
Statements with expanding (`IN`) parameters or per-call defaults are not for this path.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any] | None
_NO_PARAMS: Mapping[str, Any] = {}
_CURSOR = "imagestudio.driver_statement.cursor"


class DriverRows:
    """What a statement returned: its rows (named tuples) and the driver's rowcount."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount: int = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def one(self) -> Any:
        if not self.rows:
            raise NoResultFound("no row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("multiple rows were found when one was required")
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


@dataclass(frozen=True, slots=True)
class _Bind:
    key: str  # the caller's parameter; "" for a value fixed in the statement
    value: Any  # the fixed value, converted already
    process: Processor


class _Compiled:
    """One statement compiled for one dialect, with its conversions."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.positional = dialect.positional
        names = list(compiled.positiontup or ()) if self.positional else list(compiled.binds)
        escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
        self.binds: list[tuple[str, _Bind]] = []
        for name in names:
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"{name}: expanding parameters are not run on the driver")
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                self.binds.append((escaped.get(name, name), _Bind(bind.key, None, process)))
            else:
                value = bind.effective_value
                fixed = process(value) if process is not None else value
                self.binds.append((escaped.get(name, name), _Bind("", fixed, None)))
        self.row: Any = None
        self.results: list[Processor] = []
        # Whether it returns rows: known but for text. Asking the cursor costs: psycopg builds
        # a column object per column of the result each time its `description` is read.
        self.returns_rows: bool | None = None
        if not isinstance(statement, TextClause):
            self.returns_rows = bool(compiled._result_columns)
        if self.returns_rows:
            columns = compiled._result_columns
            self.row = _row_type([column.keyname for column in columns])
            self.results = [
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
            ]
        self.converts = any(process is not None for process in self.results)
        # The common cases on a positional driver: every value the caller's, as given (`plain`),
        # or some of them converted (`converted`: which, by what).
        self.plain: Callable[[Mapping[str, Any]], Any] | None = None
        self.converted: list[tuple[int, Callable[[Any], Any]]] = []
        if self.positional and all(bind.key for _, bind in self.binds):
            keys = [bind.key for _, bind in self.binds]
            if not keys:
                self.plain = lambda _params: ()
            elif len(keys) == 1:
                self.plain = lambda params, key=keys[0]: (params[key],)
            else:
                self.plain = itemgetter(*keys)
            self.converted = [
                (index, bind.process)
                for index, (_, bind) in enumerate(self.binds)
                if bind.process is not None
            ]

    def values(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        if self.plain is not None:
            if not self.converted:
                return cast(Sequence[Any], self.plain(params))
            values = list(self.plain(params))
            for index, process in self.converted:
                values[index] = process(values[index])
            return values
        converted = [
            bind.value
            if not bind.key
            else (params[bind.key] if bind.process is None else bind.process(params[bind.key]))
            for _, bind in self.binds
        ]
        if self.positional:
            return converted
        return {name: value for (name, _), value in zip(self.binds, converted, strict=True)}

    def rows(self, cursor: Any) -> list[Any]:
        returns_rows = self.returns_rows
        if not returns_rows and (returns_rows is not None or cursor.description is None):
            return []
        raw = cursor.fetchall()
        row: Any = self.row
        if row is None:  # a text statement: the names the database gives, the same each time
            row = self.row = _row_type([description[0] for description in cursor.description])
        if not self.converts:
            return [row._make(values) for values in raw]
        processors = self.results
        return [
            row._make(
                value if process is None else process(value)
                for process, value in zip(processors, values, strict=True)
            )
            for values in raw
        ]


def _cursor(connection: Connection) -> Any:
    """The driver connection's one cursor for these statements, kept with the pooled connection
    (its `info`, cleared when the pool replaces the driver's connection): psycopg's cursors
    cost more to make than a short statement costs to send. Every statement reads all its rows,
    so the cursor is free again when `run` returns."""
    pooled = connection.connection
    dbapi_connection = pooled.dbapi_connection
    kept = pooled.info.get(_CURSOR)
    if kept is not None and kept[0] is dbapi_connection:
        return kept[1]
    cursor = cast(Any, dbapi_connection).cursor()
    pooled.info[_CURSOR] = (dbapi_connection, cursor)
    return cursor


def _row_type(names: list[str]) -> Any:
    """Rows read by name or by position, as SQLAlchemy's are (a clashing name by position only)."""
    return namedtuple("Row", names, rename=True)


class DriverStatement:
    """A statement (or one per dialect name, as `per_dialect` builds them) run on the driver."""

    def __init__(self, statement: ClauseElement | Mapping[str, ClauseElement]) -> None:
        self._statement = statement
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._last: tuple[Dialect | None, _Compiled | None] = (None, None)  # one tuple: atomic

    def run(self, connection: Connection, params: Mapping[str, Any] | None = None) -> DriverRows:
        """Run it in `connection`'s transaction (begun if none is); its rows and rowcount."""
        dialect = connection.dialect
        last_dialect, compiled = self._last
        if last_dialect is not dialect or compiled is None:
            compiled = self._compiled.get((dialect.name, dialect.driver))
            if compiled is None:
                compiled = self._compile(dialect)
            self._last = (dialect, compiled)
        if not connection.in_transaction():
            connection.begin()
        values = compiled.values(params or _NO_PARAMS)
        cursor = _cursor(connection)
        try:
            if connection._has_events or connection.engine._has_events:
                listeners = connection.dispatch.before_cursor_execute
                if listeners:
                    for listener in listeners:
                        listener(connection, cursor, compiled.sql, values, None, False)
            cursor.execute(compiled.sql, values)
            return DriverRows(compiled.rows(cursor), cursor.rowcount)
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(
                compiled.sql, values, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self._statement
        if isinstance(statement, Mapping):
            statement = statement[dialect.name]
        compiled = _Compiled(statement, dialect)
        self._compiled[(dialect.name, dialect.driver)] = compiled
        return compiled
