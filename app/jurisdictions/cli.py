"""`pingli import-boundaries FILE` and `pingli export-boundaries [FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys


def _speak_the_default_language() -> None:
    """Messages (problems with a file) in PINGLI_DEFAULT_LOCALE, as the web app speaks."""
    from app.i18n import current_locale
    from app.settings import get_settings

    current_locale.set(get_settings().default_locale)


def cmd_import(args: argparse.Namespace) -> None:
    from app.cli import _with_db
    from app.jurisdictions.boundaries import BoundaryErrors, import_feature_collection, read_file

    _speak_the_default_language()

    async def run() -> None:
        report = await import_feature_collection(read_file(args.file))
        print(
            f"boundaries imported from {args.file}: {report.created} created, {report.updated} updated"
        )

    try:
        asyncio.run(_with_db(run()))
    except BoundaryErrors as exc:
        print(f"nothing was imported from {args.file}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_export(args: argparse.Namespace) -> None:
    from app.cli import _with_db
    from app.jurisdictions.boundaries import BoundaryErrors, export_collection

    _speak_the_default_language()
    try:
        collection = asyncio.run(_with_db(export_collection(args.root)))
    except BoundaryErrors as exc:
        raise SystemExit("\n".join(exc.problems)) from None
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    if args.file in (None, "-"):
        sys.stdout.write(text + "\n")
    else:
        with open(args.file, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        print(f"{len(collection['features'])} jurisdictions written to {args.file}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-boundaries",
        help="load or update jurisdictions and their polygons from GeoJSON (all or nothing)",
    )
    p.add_argument("file", help="a FeatureCollection; properties: code, level, parent_code, name")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export-boundaries", help="write the jurisdictions and polygons as GeoJSON")
    p.add_argument("file", nargs="?", help="where to write (default: standard output)")
    p.add_argument("--root", help="only this jurisdiction code and what lies under it")
    p.set_defaults(func=cmd_export)
