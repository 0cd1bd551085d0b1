"""Statements built once: a hot query's SQL made at its first run and reused (issue #15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from piccolo.columns.base import Column
from piccolo.columns.column_types import Serial
from piccolo.columns.combination import UNDEFINED, Combination, Where
from piccolo.columns.defaults.base import Default
from piccolo.query.methods.select import First
from piccolo.querystring import QueryString

from app.db import engine, run_fixed

# Piccolo builds a query's SQL anew every time it runs: for a select with joins that is most of
# the Python time a request spends on it (a third or more; issue #15's profiles), more than the
# database needs to answer. A hot statement is therefore built once as a Piccolo query with
# `Param` placeholders where its values go, compiled once, and run with the values of each call;
# the rows come back exactly as the query would have returned them (its own post-processing).


class Param:
    """A placeholder for a value of a prepared statement (see `Prepared`)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class _Compiled:
    """What an engine's run_querystring needs of a QueryString, with the SQL already made."""

    __slots__ = ("_sql", "_args", "query_type", "table")

    def __init__(self, sql: str, args: list[Any], query_type: str, table: Any) -> None:
        self._sql, self._args, self.query_type, self.table = sql, args, query_type, table

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        return self._sql, self._args

    def __str__(self) -> str:
        return self._sql


class Prepared:
    """A Piccolo query made once (by `build`, at its first run: the engine is known then) with
    `Param("name")` where values go; `await prepared.run(name=value, ...)` answers what the
    query with those values would."""

    __slots__ = (
        "_build",
        "_query",
        "_first",
        "_sql",
        "_args",
        "_slots",
        "_type",
        "_table",
        "_fixed",
    )

    def __init__(self, build: Callable[[], Any], fixed_plan: bool = True) -> None:
        """`fixed_plan`: the best plan is the same whatever the values (a row by its key, the
        rows of one owner), so PostgreSQL may plan it once per connection (app/db.py,
        `run_fixed`). False for a statement whose best index depends on a value (a list's
        filters: `ByShape`)."""
        self._build = build
        self._query: Any = None
        self._fixed = fixed_plan

    def _prepare(self) -> None:
        query = self._build()
        # `.first()` is a proxy around the select: its one row (or None) is taken here
        self._first = isinstance(query, First)
        if self._first:
            query = query.query
        (querystring,) = query.querystrings
        sql, args = querystring.compile_string(engine_type=engine().engine_type)
        self._sql, self._args = sql, list(args)
        self._slots = [(i, a.name) for i, a in enumerate(args) if isinstance(a, Param)]
        self._type, self._table = querystring.query_type, querystring.table
        self._query = query

    async def run(self, **values: Any) -> Any:
        if self._query is None:
            self._prepare()
        args = list(self._args)
        for index, name in self._slots:
            args[index] = values[name]
        compiled = _Compiled(self._sql, args, self._type, self._table)
        results = await (run_fixed if self._fixed else engine().run_querystring)(compiled)
        rows = await self._query._process_results(results)
        if self._first:
            return rows[0] if rows else None
        return rows


class PreparedInsert:
    """One row's `table.insert(table(...))`, its SQL made once (issue #15: Piccolo turns each
    value of each column into SQL on every insert, a case row's forty columns more than the
    database takes to write them). Every column but a serial key is a Param; one the call
    leaves out takes its default, worked out per call as `table(...)` would (a time default
    is the time of the call, not of the first insert)."""

    __slots__ = ("_columns", "_names", "_prepared")

    def __init__(self, table: Any, on_conflict: str | None = None) -> None:
        """`on_conflict`: Piccolo's action, e.g. "DO NOTHING" (a row stored once by its key)."""
        columns = [c for c in table._meta.columns if not isinstance(c, Serial)]
        # by name, looked up once: a column's name is a property, asked forty times an insert
        self._columns = [(c._meta.name, c) for c in columns]
        self._names = names = [name for name, _c in self._columns]

        def build() -> Any:
            query = table.insert(table(**{n: Param(n) for n in names}))
            return query.on_conflict(action=on_conflict) if on_conflict else query

        self._prepared = Prepared(build)

    def values_of(self, row: Any) -> dict[str, Any]:
        """A Table instance's values, as `run` takes them."""
        return {name: row[name] for name in self._names}

    async def run(self, **values: Any) -> dict[str, Any]:
        """Insert the row; returns its values as written (the defaults filled in)."""
        for name, column in self._columns:
            if name not in values:
                value = column.get_default_value()
                values[name] = value.python() if isinstance(value, Default) else value
        await self._prepared.run(**values)
        return values


# -- statements kept by the shape of their filter ------------------------------------------------
#
# A list's condition is made of the filters a user set, so its statement cannot be written once
# with placeholders. But there are few shapes (which filters, in which order, with how many
# values in a list) and many requests per shape: `ByShape` reads the condition's shape and its
# values (a walk of Piccolo's And/Or/Where tree, much cheaper than building the SQL), and keeps
# one `Prepared` per shape, built from the same condition with a `Param` in place of each value.
# A condition it cannot read that way (a column compared with a column, a subquery as a value)
# is simply built as Piccolo builds it.

_SHAPES_KEPT = 256


class _NotPlain(Exception):
    """A condition with a part ByShape does not take apart (built the ordinary way)."""


def _column_key(column: Any) -> tuple:
    meta = column._meta
    return (
        meta.table._meta.tablename,
        meta.db_column_name,
        *(c._meta.name for c in meta.call_chain),
    )


def _walk(where: Any, values: list[Any]) -> tuple:
    """The shape of `where` (hashable); its values appended to `values` in the walk's order."""
    if isinstance(where, Combination):
        return (where.operator, _walk(where.first, values), _walk(where.second, values))
    if isinstance(where, Where):
        shape: tuple = (_column_key(where.column), where.operator)
        if where.value is not UNDEFINED:
            if isinstance(where.value, (Column, QueryString)):
                raise _NotPlain
            values.append(where.value)
            shape += ("v",)
        if where.values is not UNDEFINED:
            if isinstance(where.values, QueryString):
                raise _NotPlain
            values.extend(where.values)
            shape += (len(where.values),)
        return shape
    raise _NotPlain


def _with_params(where: Any, counter: list[int]) -> Any:
    """`where` again with Param("p0"), Param("p1")… in place of its values (the walk's order)."""

    def param() -> Param:
        counter[0] += 1
        return Param(f"p{counter[0] - 1}")

    if isinstance(where, Combination):
        first = _with_params(where.first, counter)
        return type(where)(first, _with_params(where.second, counter))
    copy = Where.__new__(Where)
    copy.column, copy.operator = where.column, where.operator
    copy.value = where.value if where.value is UNDEFINED else param()
    copy.values = where.values if where.values is UNDEFINED else [param() for _ in where.values]
    return copy


class ByShape:
    """`build(where, *extra)` made into a statement once per shape of `where` (and per `extra`,
    which must be hashable and is written into the SQL as it is: an order, a page size)."""

    def __init__(self, build: Callable[..., Any]) -> None:
        self._build = build
        self._kept: dict[tuple, Prepared] = {}

    async def run(self, where: Any, *extra: Any, fixed_plan: bool = False) -> Any:
        """`fixed_plan`: this time, the best plan does not depend on the values (see
        `Prepared`); by default it does, as for a list filtered by what a person chose."""
        values: list[Any] = []
        try:
            key = (_walk(where, values), extra, fixed_plan)
        except _NotPlain:
            return await self._build(where, *extra)
        prepared = self._kept.get(key)
        if prepared is None:
            if len(self._kept) >= _SHAPES_KEPT:
                self._kept.pop(next(iter(self._kept)))
            template = _with_params(where, [0])
            prepared = self._kept[key] = Prepared(
                lambda: self._build(template, *extra), fixed_plan=fixed_plan
            )
        return await prepared.run(**{f"p{i}": v for i, v in enumerate(values)})
