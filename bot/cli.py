"""`forumbot`: the operating contract of SPEC section 10."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.logs import configure_logging
from bot.services import utc_now
from bot.settings import Settings
from forum_ops.db import create_database, upgrade
from forum_ops.errors import ImportRejected

log = logging.getLogger("forumbot")


def read_text(path: Path) -> str:
    """A text file as Excel or an editor saved it: UTF-8 (with or without BOM) or Windows-1252."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app

    web.run_app(create_app(settings), host=args.host, port=args.port, access_log=None, print=None)
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    db = create_database(settings.forum_database_url)
    upgrade(db)
    db.dispose()
    print(f"Database is up to date: {db.engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_demo_load(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.demo import DEMO_SECRETARIAT_ID, demo_members, load_demo_features
    from forum_ops.members import upsert_members

    db = create_database(settings.forum_database_url)
    upgrade(db)
    with db.transaction() as session:
        report = upsert_members(session, demo_members(), utc_now())
        load_demo_features(session, utc_now())
    print(f"Demo members loaded: {report.added} added, {report.updated} updated.")
    from analytics.gias_synthetic import synthetic_extract
    from bot.supplier_import import import_suppliers
    from forum_ops.reference import LOCAL_AUTHORITIES

    extract = synthetic_extract([(la.code, la.name, str(la.subregion)) for la in LOCAL_AUTHORITIES])
    changes = import_suppliers(db, extract.encode("cp1252"), "synthetic-gias-london.csv", utc_now())
    print(f"Demo supplier directory loaded: {changes.total} fictitious London schools.")
    from analytics.returns_synthetic import synthetic_returns
    from forum_ops.returns import Submission, replace_return

    returns = synthetic_returns([la.code for la in LOCAL_AUTHORITIES]).placements
    with db.transaction() as session:
        for (borough, period), frame in returns.groupby(["borough", "period"]):
            submission = Submission(str(borough), str(period), "demo", "synthetic-return.xlsx")
            replace_return(session, submission, frame, utc_now())
    print(
        f"Demo INMSS returns loaded: {len(returns):,} fictitious placements from "
        f"{returns['borough'].nunique()} boroughs ({returns['period'].iloc[0]})."
    )
    db.dispose()
    print(f"Talk to the bot as the demo secretariat: forumbot chat --as {DEMO_SECRETARIAT_ID}")
    return 0


def cmd_members_import(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.members import import_members

    db = create_database(settings.forum_database_url)
    try:
        report = import_members(db, read_text(args.file), utc_now())
    except ImportRejected as rejected:
        print_problems(rejected)
        return 1
    finally:
        db.dispose()
    print(f"Members imported: {report.added} added, {report.updated} updated.")
    return 0


def cmd_meetings_import(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.meetings import import_plan

    db = create_database(settings.forum_database_url)
    try:
        added, updated = import_plan(db, read_text(args.file), utc_now())
    except ImportRejected as rejected:
        print_problems(rejected)
        return 1
    finally:
        db.dispose()
    print(f"Forward plan imported: {added} meetings added, {updated} updated.")
    return 0


def cmd_sen2_import(settings: Settings, args: argparse.Namespace) -> int:
    from analytics.errors import UnexpectedLayout
    from analytics.sen2 import Area, load_caseload, load_needs, plans_over_time, year_label, years
    from forum_ops.sen2 import Sen2File, replace_release

    files = [Sen2File("caseload", args.caseload.name, read_text(args.caseload))]
    if args.needs:
        files.append(Sen2File("needs", args.needs.name, read_text(args.needs)))
    try:
        caseload = load_caseload(files[0].content, files[0].filename)
        if args.needs:
            load_needs(files[1].content, files[1].filename)
    except UnexpectedLayout as error:
        print(f"{error}. Nothing was changed.", file=sys.stderr)
        return 1
    db = create_database(settings.forum_database_url)
    with db.transaction() as session:
        replace_release(session, files, utc_now())
    db.dispose()
    periods = years(caseload)
    london = plans_over_time(caseload, Area.london())
    print(
        f"SEN2 release imported: {year_label(periods[0])} to {year_label(periods[-1])}; "
        f"London {london[periods[-1]]:,.0f} EHC plans in {year_label(periods[-1])}"
        + ("; with primary needs." if args.needs else "; no primary-need file.")
    )
    return 0


def cmd_suppliers_import(settings: Settings, args: argparse.Namespace) -> int:
    from analytics.errors import UnexpectedLayout
    from bot.supplier_import import import_suppliers
    from forum_ops.suppliers import MassClosure

    db = create_database(settings.forum_database_url)
    try:
        changes = import_suppliers(
            db,
            args.file.read_bytes(),
            args.file.name,
            utc_now(),
            progress=lambda step: print(f"  {step}…", flush=True),
            max_closed_share=(
                None if args.allow_mass_closure else settings.forum_suppliers_max_closed_share
            ),
        )
    except UnexpectedLayout as error:
        print(f"{error}. Nothing was changed.", file=sys.stderr)
        return 1
    except MassClosure as error:
        print(
            f"{error}. Nothing was changed. If so many schools really closed, import it again "
            "with --allow-mass-closure.",
            file=sys.stderr,
        )
        return 1
    finally:
        db.dispose()
    print(
        f"Supplier directory replaced: {changes.total:,} schools; {changes.opened:,} opened, "
        f"{changes.closed:,} closed, {changes.changed:,} changed since the last import."
    )
    return 0


def cmd_returns_template(settings: Settings, args: argparse.Namespace) -> int:
    from analytics.returns_template import template_workbook

    args.file.write_bytes(template_workbook())
    print(f"INMSS return template written: {args.file}")
    return 0


def cmd_returns_import(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    from forum_ops.returns import Submission, submit_return

    submission = Submission(args.borough, args.period, f"cli:{getpass.getuser()}", args.file.name)
    limit = settings.forum_max_upload_bytes  # the same limit as a file sent in chat
    if args.file.stat().st_size > limit:
        print(
            f"{args.file.name} is over {limit / 2**20:.0f} MB: is it the right file?",
            file=sys.stderr,
        )
        return 1
    db = create_database(settings.forum_database_url)
    try:
        report = submit_return(db, args.file.read_bytes(), submission, utc_now())
    except ImportRejected as rejected:
        print_problems(rejected)
        return 1
    finally:
        db.dispose()
    print(
        f"Return imported for {args.borough} {args.period}: {report.placements:,} placements, "
        f"£{report.spend:,.2f} a year; {report.replaced:,} placements of the earlier return replaced."
    )
    return 0


def print_problems(rejected: ImportRejected) -> None:
    print(f"{rejected}. Nothing was changed.", file=sys.stderr)
    print(f"{'line':>6}  {'column':<26} problem", file=sys.stderr)
    for problem in rejected.problems:
        print(f"{problem.line:>6}  {problem.column[:26]:<26} {problem.reason}", file=sys.stderr)


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.chat import run_chat

    return asyncio.run(run_chat(settings, args.as_id, url=args.url))


def cmd_app_package(settings: Settings, args: argparse.Namespace) -> int:
    from bot.manifest import write_package

    out = write_package(settings, args.out)
    print(f"Teams app package written: {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="forumbot", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def add(
        name: str,
        run: Callable[[Settings, argparse.Namespace], int],
        help: str,
        parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
    ) -> argparse.ArgumentParser:
        command = parent.add_parser(name, help=help, description=help)
        command.set_defaults(run=run)
        return command

    serve = add("serve", cmd_serve, "serve POST /api/messages and GET /healthz")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3978)

    db = sub.add_parser("db", help="the database").add_subparsers(dest="db_command", required=True)
    add("upgrade", cmd_db_upgrade, "create or migrate the database", db)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(
        dest="demo_command", required=True
    )
    add("load", cmd_demo_load, "load demo members (and, later, meetings, suppliers, returns)", demo)

    members = sub.add_parser("members", help="the membership registry")
    members_sub = members.add_subparsers(dest="members_command", required=True)
    imp = add("import", cmd_members_import, "upsert members from a CSV file", members_sub)
    imp.add_argument("file", type=Path)

    meetings = sub.add_parser("meetings", help="the forum's forward plan")
    meetings_sub = meetings.add_subparsers(dest="meetings_command", required=True)
    imp = add("import", cmd_meetings_import, "add or change meetings from a CSV file", meetings_sub)
    imp.add_argument("file", type=Path)

    sen2 = sub.add_parser("sen2", help="DfE EHC plan statistics").add_subparsers(
        dest="sen2_command", required=True
    )
    sen2_import = add(
        "import", cmd_sen2_import, "import the DfE SEN2 caseload (and needs) CSV", sen2
    )
    sen2_import.add_argument("caseload", type=Path)
    sen2_import.add_argument("needs", type=Path, nargs="?")

    suppliers = sub.add_parser("suppliers", help="the specialist supplier directory")
    suppliers_sub = suppliers.add_subparsers(dest="suppliers_command", required=True)
    gias = add("import", cmd_suppliers_import, "import a GIAS establishment extract", suppliers_sub)
    gias.add_argument("file", type=Path)
    gias.add_argument(
        "--allow-mass-closure",
        action="store_true",
        help="accept an extract that closes more than FORUM_SUPPLIERS_MAX_CLOSED_SHARE "
        "of the directory's schools (10 %% by default)",
    )

    returns = sub.add_parser("returns", help="INMSS placement returns")
    returns_sub = returns.add_subparsers(dest="returns_command", required=True)
    template = add("template", cmd_returns_template, "write the Excel return template", returns_sub)
    template.add_argument("file", type=Path)
    ret_import = add("import", cmd_returns_import, "import a borough's return", returns_sub)
    ret_import.add_argument("file", type=Path)
    ret_import.add_argument("--borough", required=True, help="the borough's DfE LA code, e.g. 202")
    ret_import.add_argument("--period", required=True, help="the academic year, e.g. 2025-26")

    chat = add("chat", cmd_chat, "talk to the bot in the terminal, without Teams")
    chat.add_argument("--as", dest="as_id", default=None, help="the Entra object id to speak as")
    chat.add_argument("--url", default=None, help="a running `forumbot serve` (default: start one)")

    app = sub.add_parser("app", help="the Teams app").add_subparsers(
        dest="app_command", required=True
    )
    package = add("package", cmd_app_package, "zip the Teams app package", app)
    package.add_argument("--out", type=Path, default=Path("appPackage.zip"))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"Settings are not valid: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.forum_log_level)
    try:
        return int(args.run(settings, args))
    except (ValueError, FileNotFoundError) as error:
        print(f"forumbot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
