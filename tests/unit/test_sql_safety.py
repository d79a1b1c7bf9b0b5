"""Parameterised SQL everywhere: a scan of libs/, services/, deploy/native/ and bench/ that
fails when an asyncpg query is built from values at run time (an f-string, `+`, `%` or
`.format()`).

Values go as bind parameters ($1, $2 ...). DDL, which takes none, quotes identifiers on the
server: `await conn.fetchval("SELECT format('... %I', $1::text)", name)` builds the statement,
and executing what the server returned is fine. SQL assembled at import time from a module's
own constants (column lists) is code, not data, and is allowed.

The end-to-end proof is tests/e2e/test_hostile_inputs.py: SQL in titles and companies is read
back from PostgreSQL unchanged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("libs", "services", "deploy/native", "bench")
# asyncpg Connection / Pool methods whose first argument is SQL text.
QUERY_METHODS = frozenset(
    {
        "execute",
        "executemany",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetchmany",
        "prepare",
        "cursor",
        "copy_from_query",
    }
)


def built_at_run_time(node: ast.expr) -> bool:
    """Whether an expression builds a string from other values: f-string with fields,
    `+` or `%` on strings, or str.format()."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        sides = (node.left, node.right)
        return any(
            built_at_run_time(side)
            or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            for side in sides
        ) or isinstance(node.op, ast.Mod)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in {"format", "format_map"}:
            return True
        # ", ".join(values) builds text; path.join and friends are not strings.
        receiver = node.func.value
        return node.func.attr == "join" and isinstance(receiver, ast.Constant)
    return False


def assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    """Every value each plain name is assigned in a function (not nested functions)."""
    found: dict[str, list[ast.expr]] = {}
    for node in _walk_own(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AnnAssign | ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            value = node.value
            if isinstance(node, ast.AugAssign):  # sql += text: sql + text
                value = ast.BinOp(left=ast.Name(id=node.target.id), op=node.op, right=value)
            found.setdefault(node.target.id, []).append(value)
    return found


def _walk_own(scope: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        yield child
        yield from _walk_own(child)


def unsafe_queries(source: str, filename: str) -> list[str]:
    """`file:line: call` for each query built from run-time values."""
    tree = ast.parse(source, filename)
    problems: list[str] = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        local = assignments(function)
        for node in _walk_own(function):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in QUERY_METHODS
            ):
                continue
            query = node.args[0] if node.args else _keyword(node, "query")
            if query is None:
                continue
            if _unsafe(query, local, seen=set()):
                problems.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:120]}")
    return problems


def _unsafe(query: ast.expr, local: dict[str, list[ast.expr]], seen: set[str]) -> bool:
    if isinstance(query, ast.JoinedStr):
        # f"{verb} ROLE" with verb one of two literals picks between two statements: code.
        return any(
            isinstance(part, ast.FormattedValue) and not _literal_choice(part.value, local)
            for part in query.values
        )
    if built_at_run_time(query):
        return True
    if isinstance(query, ast.BinOp) and isinstance(query.op, ast.Add):
        # `sql + more` where sql is a local string: text glued at run time.
        return any(
            _unsafe(side, local, seen) or _text(side, local) for side in (query.left, query.right)
        )
    if isinstance(query, ast.Name) and query.id in local and query.id not in seen:
        seen.add(query.id)
        return any(_unsafe(value, local, seen) for value in local[query.id])
    if isinstance(query, ast.IfExp):
        return _unsafe(query.body, local, seen) or _unsafe(query.orelse, local, seen)
    return False


def _literal_choice(node: ast.expr, local: dict[str, list[ast.expr]], depth: int = 0) -> bool:
    """A string literal, a choice between literals, or a local name only ever assigned those."""
    if depth > 5:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.IfExp):
        return _literal_choice(node.body, local, depth + 1) and _literal_choice(
            node.orelse, local, depth + 1
        )
    if isinstance(node, ast.Name) and local.get(node.id):
        return all(_literal_choice(value, local, depth + 1) for value in local[node.id])
    return False


def _text(node: ast.expr, local: dict[str, list[ast.expr]]) -> bool:
    """A name assigned a string literal in the function."""
    return isinstance(node, ast.Name) and any(
        isinstance(value, ast.Constant) and isinstance(value.value, str)
        for value in local.get(node.id, [])
    )


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def python_files() -> Iterator[Path]:
    for folder in SCANNED:
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_no_query_is_built_from_values() -> None:
    files = list(python_files())
    assert len(files) > 50  # the scan sees the code
    problems = [
        problem
        for path in files
        for problem in unsafe_queries(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert not problems, "SQL built from values; use $n parameters:\n" + "\n".join(problems)


BAD = [
    "async def f(conn, name):\n    await conn.execute(f\"DELETE FROM t WHERE n = '{name}'\")",
    'async def f(conn, name):\n    await conn.fetch("SELECT * FROM t WHERE n = " + name)',
    'async def f(conn, n):\n    await conn.fetchval("SELECT %s" % n)',
    'async def f(conn, n):\n    await conn.fetchrow("SELECT {}".format(n))',
    'async def f(conn, t):\n    sql = f"DROP TABLE {t}"\n    await conn.execute(sql)',
    'async def f(conn, t):\n    sql = "SELECT 1"\n    sql += t\n    await conn.execute(sql)',
    'async def f(pool, n):\n    await pool.executemany(query=f"INSERT {n}", args=[])',
    'async def f(conn, d):\n    await conn.execute(f"CREATE DATABASE \\"{d}\\"")',
    'async def f(conn, verb):\n    await conn.execute(f"{verb} ROLE x")',
]
GOOD = [
    'async def f(conn, name):\n    await conn.execute("DELETE FROM t WHERE n = $1", name)',
    "async def f(conn, d):\n"
    "    sql = await conn.fetchval(\"SELECT format('CREATE DATABASE %I', $1::text)\", d)\n"
    "    await conn.execute(sql)",
    "Q = f\"SELECT {', '.join(COLUMNS)} FROM t\"\nasync def f(conn):\n    await conn.fetch(Q)",
    "async def f(conn, m):\n    await conn.execute(m.sql)",
    "async def f(conn, exists, role):\n"
    '    verb = "ALTER" if exists else "CREATE"\n'
    "    await conn.fetchval(f\"SELECT format('{verb} ROLE %I', $1::text)\", role)",
    'def f(x):\n    return f"not sql {x}".upper()',
]


@pytest.mark.parametrize("source", BAD)
def test_the_scan_catches_sql_built_from_values(source: str) -> None:
    assert unsafe_queries(source, "example.py"), source


@pytest.mark.parametrize("source", GOOD)
def test_the_scan_allows_parameters_and_server_side_quoting(source: str) -> None:
    assert not unsafe_queries(source, "example.py"), source
