"""Which of the `dispute` table's indexes the queries use, on PostgreSQL.

Against a database that already holds a county (PINGLI_DATABASE_URL; e.g. a scratch copy with
`pingli seed-demo --disputes 10000`), in this process:
1. the index counters are reset (`pg_stat_reset`);
2. a workload goes through the app as its users do: every demo role's home (the work queues),
   the case list under each filter and combination the page offers, the county dashboard and
   boards, the map layers, the API list with a cursor, and the deadline sweep job;
3. `pg_stat_user_indexes` says how often each index of `dispute` was scanned;
4. every distinct statement on `dispute` the workload sent is EXPLAINed, and the index (or
   scan) its plan reads `dispute` through is listed with the statement's first words.

Run: PINGLI_DATABASE_URL=postgresql://… python -m bench.indexes [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import re
import sys
import time
from collections import Counter

PASSWORD = "pingli-demo-2026"
ROLES = ("demo-county", "demo-township", "demo-village", "demo-grid")
LIST_FILTERS = [
    {},
    {"status": "logged"},
    {"status": "mediating"},
    {"status": "resolved"},
    {"category": "land"},
    {"risk_level": "high"},
    {"level": "township"},
    {"overdue": "1"},
    {"open_only": "1"},
    {"q": "邻里"},
    {"date_from": "2026-06-01", "date_to": "2026-09-30"},
    {"status": "mediating", "category": "debt"},
    {"page": "3"},
]


async def workload(client) -> None:
    for username in ROLES:
        r = await client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        me = (await client.get("/api/v1/me")).json()
        for path in ("/", "/monitor", "/monitor/boards", "/alerts", "/sweeps"):
            await client.get(path)
        for params in LIST_FILTERS:
            await client.get("/disputes", params=params)
            await client.get("/api/v1/disputes", params=params)
        first = (await client.get("/api/v1/disputes", params={"per_page": 50})).json()
        cursor = first.get("next_cursor") if isinstance(first, dict) else None
        if cursor:
            await client.get("/api/v1/disputes", params={"cursor": cursor, "per_page": 50})
        for layer in ("areas", "cases", "hotspots"):
            await client.get(f"/api/v1/map/{layer}")
        del me
    from app.disputes import jobs

    await jobs.sweep_deadlines()


def dispute_index(plan: dict) -> list[str]:
    """How each plan node reads `dispute`: the index name, or 'Seq Scan'."""
    found = []

    def index_names(node: dict) -> list[str]:
        names = [node["Index Name"]] if "Index Name" in node else []
        for child in node.get("Plans", []):
            names += index_names(child)
        return names

    def walk(node: dict) -> None:
        if node.get("Relation Name") == "dispute":
            if node["Node Type"] == "Bitmap Heap Scan":  # its indexes are its children
                found.append("bitmap " + " + ".join(index_names(node)))
            else:
                found.append(node.get("Index Name") or node["Node Type"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return found


async def main(out: str | None) -> None:
    import httpx

    from app import db
    from app.disputes.tables import Dispute
    from app.main import create_app

    app = create_app(run_scheduler=False)
    engine = db.engine()
    statements: dict[str, list] = {}  # statement -> the arguments it was first sent with
    kind = type(engine)  # the engine has __slots__: the class's method is wrapped
    original = kind._run_in_pool

    async def recording(self, query, args=None):
        statements.setdefault(query, list(args or []))
        return await original(self, query, args)

    async with app.lifespan():
        await Dispute.raw("SELECT pg_stat_reset()")
        kind._run_in_pool = recording  # type: ignore[method-assign]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
        ) as client:
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                await workload(client)
            spent = time.perf_counter() - started
        kind._run_in_pool = original  # type: ignore[method-assign]
    # each backend hands its counters over when it ends (or a second later, when idle): the
    # pool is closed now; read them on a connection of our own
    import asyncpg

    await asyncio.sleep(2)
    connection = await asyncpg.connect(os.environ["PINGLI_DATABASE_URL"])
    usage = await connection.fetch(
        "SELECT indexrelname AS index, idx_scan AS scans FROM pg_stat_user_indexes"
        " WHERE relname = 'dispute' ORDER BY idx_scan DESC, indexrelname"
    )
    table = await connection.fetchrow(
        "SELECT seq_scan, idx_scan FROM pg_stat_user_tables WHERE relname = 'dispute'"
    )
    plans: Counter = Counter()
    failed: list[str] = []
    for query, args in statements.items():
        if not re.search(r'\bdispute\b|"dispute"', query) or not query.lstrip().upper().startswith(
            ("SELECT", "WITH", "UPDATE")
        ):
            continue
        try:
            rows = await connection.fetch("EXPLAIN (FORMAT JSON) " + query, *args)
        except Exception as exc:
            failed.append(f"{type(exc).__name__}: {exc}"[:160])
            continue
        plan = rows[0]["QUERY PLAN"]
        plan = json.loads(plan)[0] if isinstance(plan, str) else plan[0]
        flat = " ".join(query.split())
        where = flat.find(" WHERE ")
        first = (flat[where + 1 :] if where >= 0 else flat)[:140]
        for how in dispute_index(plan):
            plans[(how, first)] += 1
    await connection.close()
    lines = [
        f"workload: {spent:.1f} s; dispute read by {table['seq_scan']} sequential scans and"
        f" {table['idx_scan']} index scans",
        "",
        "index scans during the workload (pg_stat_user_indexes):",
    ]
    lines += [f"  {r['scans']:>7}  {r['index']}" for r in usage]
    lines.append("")
    lines.append("how each distinct statement reads dispute (EXPLAIN):")
    for (how, first), n in sorted(plans.items()):
        lines.append(f"  {how:<44} ×{n:<3} {first}")
    lines.append(f"\n{len(statements)} statements recorded; {len(failed)} not explained")
    lines += [f"  {f}" for f in dict.fromkeys(failed)][:5]
    text = "\n".join(lines)
    print(text)
    if out:
        with open(out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out")
    args = parser.parse_args()
    if "postgres" not in os.environ.get("PINGLI_DATABASE_URL", ""):
        sys.exit("PINGLI_DATABASE_URL must name a PostgreSQL database")
    asyncio.run(main(args.out))
