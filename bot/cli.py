"""`forumbot`: the operating contract of SPEC section 10."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from bot.logs import configure_logging
from bot.settings import Settings
from forum_ops.errors import ForumError, ImportRejected
from forum_ops.ports import SystemClock

if TYPE_CHECKING:
    from forum_ops.db import Database

log = logging.getLogger("forumbot")
CLOCK = SystemClock()  # the one Clock shape, as the app's

R = TypeVar("R")


# SQLAlchemy is imported when a command first needs the database, not when `forumbot` starts:
# `forumbot serve` listens before it is loaded (bot/app.py).
def create_database(url: str) -> Database:
    from forum_ops.db import create_database as create

    return create(url)


def upgrade(db: Database) -> None:
    from forum_ops.install import upgrade as migrate

    migrate(db)


@contextmanager
def database(settings: Settings) -> Iterator[Database]:
    """The forum's database for one command, closed when it is done, whatever happened."""
    db = create_database(settings.forum_database_url)
    try:
        yield db
    finally:
        db.dispose()


def run_import(settings: Settings, load: Callable[[Database], R], said: Callable[[R], str]) -> int:
    """`load` a file into the database and say what changed; a file it rejects changes nothing
    and its problems are listed line by line (exit status 1)."""
    with database(settings) as db:
        try:
            result = load(db)
        except ImportRejected as rejected:
            print_problems(rejected)
            return 1
    print(said(result))
    return 0


def read_text(path: Path) -> str:
    """A text file as Excel or an editor saved it: UTF-8 (with or without BOM) or Windows-1252."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def local_url(host: str, port: int) -> str:
    """Where `serve --host --port` is reached from this machine (all interfaces: loopback)."""
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - compared, not bound
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.heap import freeze_startup_heap, keep_giving_back, limit_malloc_arenas

    if "forum_public_url" not in settings.model_fields_set:  # links point at this very server
        settings = settings.model_copy(update={"forum_public_url": local_url(args.host, args.port)})
    limit_malloc_arenas()  # before any thread starts
    keep_giving_back()
    app = create_app(settings, settled=freeze_startup_heap)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    with database(settings) as db:
        upgrade(db)
    print(f"Database is up to date: {db.engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_demo_load(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.demo import DEMO_SECRETARIAT_ID, demo_members
    from forum_ops.demo_cast import demo_cast
    from forum_ops.members.registry import upsert_members

    with database(settings) as db:
        upgrade(db)
        if args.if_empty and _has_members(db):
            print(
                "The database has members already: the demo is not loaded again, so what was "
                "changed stays (forumbot demo load loads it over them)."
            )
            return 0
        with db.transaction() as session:
            report = upsert_members(session, demo_members(), CLOCK.now())
        print(f"Demo members loaded: {report.added} added, {report.updated} updated.")
        from analytics.gias_synthetic import synthetic_extract
        from bot.commands.suppliers.imports import import_suppliers
        from forum_ops.members.reference import LOCAL_AUTHORITIES

        extract = synthetic_extract(
            [(la.code, la.name, str(la.subregion)) for la in LOCAL_AUTHORITIES]
        )
        changes = import_suppliers(
            db, extract.encode("cp1252"), "synthetic-gias-london.csv", CLOCK.now()
        )
        print(f"Demo supplier directory loaded: {changes.total} fictitious London schools.")
        from analytics.returns_synthetic import synthetic_returns
        from forum_ops.returns.releases import release_now
        from forum_ops.returns.service import Submission, replace_return

        returns = synthetic_returns([la.code for la in LOCAL_AUTHORITIES]).placements
        with db.transaction() as session:
            for (borough, period), frame in returns.groupby(["borough", "period"]):
                submission = Submission(str(borough), str(period), "demo", "synthetic-return.xlsx")
                replace_return(session, submission, frame, CLOCK.now())
            released = release_now(session, CLOCK.now(), "demo")
        print(
            f"Demo INMSS returns loaded: {len(returns):,} fictitious placements from "
            f"{returns['borough'].nunique()} boroughs ({returns['period'].iloc[0]}); "
            + (
                f"released (release {released[0].id})."
                if released
                else "unchanged since the last release."
            )
        )
        from forum_ops.demo import load_feature_demos

        for line in load_feature_demos(db, CLOCK.now()):
            print(line)
    print(f"Talk to the bot as the demo secretariat: forumbot chat --as {DEMO_SECRETARIAT_ID}")
    print("or as someone else (forumbot chat --as <id>):")
    for role, member in demo_cast():
        print(f"  {role:<34} {member.name:<20} {member.aad_object_id}")
    print("Everyone: forumbot members list [--org <organisation>]")
    return 0


def _has_members(db: Database) -> bool:
    from sqlalchemy import select

    from forum_ops.db.schema import MemberRow

    with db.transaction() as session:
        return session.scalars(select(MemberRow.id).limit(1)).first() is not None


def cmd_members_list(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.members.registry import list_members

    with database(settings) as db:
        members = list_members(db, args.org or "")
    print(f"{'id':<36}  {'name':<24} {'organisation':<34} roles")
    for m in members:
        roles = ";".join(sorted(r.value for r in m.roles))
        print(f"{m.aad_object_id:<36}  {m.name[:24]:<24} {m.organisation.name[:34]:<34} {roles}")
    print(f"{len(members)} member{'' if len(members) == 1 else 's'}.")
    return 0


def cmd_members_import(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.members.registry import import_members

    return run_import(
        settings,
        lambda db: import_members(db, read_text(args.file), CLOCK.now()),
        lambda report: f"Members imported: {report.added} added, {report.updated} updated.",
    )


def cmd_meetings_import(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.meetings.service import import_plan

    return run_import(
        settings,
        lambda db: import_plan(db, read_text(args.file), CLOCK.now()),
        lambda plan: f"Forward plan imported: {plan[0]} meetings added, {plan[1]} updated.",
    )


def cmd_sen2_import(settings: Settings, args: argparse.Namespace) -> int:
    from analytics.errors import UnexpectedLayout
    from analytics.sen2 import Area, load_caseload, load_needs, plans_over_time, year_label, years
    from forum_ops.senddata.sen2 import Sen2File, replace_release

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
    with database(settings) as db, db.transaction() as session:
        replace_release(session, files, CLOCK.now())
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
    from bot.commands.suppliers.imports import import_suppliers
    from forum_ops.errors import MassClosure

    try:
        with database(settings) as db:
            changes = import_suppliers(
                db,
                args.file.read_bytes(),
                args.file.name,
                CLOCK.now(),
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

    from forum_ops.members.authorities import resolve_authority
    from forum_ops.returns.service import Submission, submit_return

    borough = resolve_authority(args.borough).code  # a name ("Camden") or an LA code ("202")
    submission = Submission(borough, args.period, f"cli:{getpass.getuser()}", args.file.name)
    limit = settings.forum_max_upload_bytes  # the same limit as a file sent in chat
    if args.file.stat().st_size > limit:
        print(
            f"{args.file.name} is over {limit / 2**20:.0f} MB: is it the right file?",
            file=sys.stderr,
        )
        return 1
    return run_import(
        settings,
        lambda db: submit_return(
            db, args.file.read_bytes(), submission, CLOCK.now(), settings.plausibility()
        ),
        lambda report: (
            f"Return imported for {args.borough} {args.period}: {report.placements:,} placements, "
            f"£{report.spend:,.2f} a year; {report.replaced:,} placements of the earlier return "
            "replaced."
            + (
                " Held for the secretariat's check before it enters a release."
                if report.held
                else ""
            )
        ),
    )


def cmd_returns_release(settings: Settings, args: argparse.Namespace) -> int:
    """Release London's figures now (as `returns release` does in chat)."""
    import getpass

    from forum_ops.returns.releases import release_now

    with database(settings) as db, db.transaction() as session:
        cut = release_now(session, CLOCK.now(), f"cli:{getpass.getuser()}")
    for release in cut:
        print(
            f"Release {release.id}: {release.period}, {release.boroughs} boroughs, "
            f"{release.placements:,} placements."
        )
    if not cut:
        print("Nothing new to release: no return has changed since the last release.")
    return 0


def print_problems(rejected: ImportRejected) -> None:
    print(f"{rejected}. Nothing was changed.", file=sys.stderr)
    print(f"{'line':>6}  {'column':<26} problem", file=sys.stderr)
    for problem in rejected.problems:
        print(f"{problem.line:>6}  {problem.column[:26]:<26} {problem.reason}", file=sys.stderr)


def cmd_tor_add(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    from forum_ops.ports import SystemClock
    from forum_ops.tor.service import add_version

    try:
        with database(settings) as db:
            version = add_version(
                db, SystemClock(), f"cli:{getpass.getuser()}", args.file.name,
                args.file.read_bytes(),
            )  # fmt: skip
    except ForumError as error:
        print(f"{error}", file=sys.stderr)
        return 1
    print(f"ToR version {version.number} added: {version.title} (sha256 {version.content_hash}).")
    return 0


def cmd_tor_votes(settings: Settings, args: argparse.Namespace) -> int:
    import csv
    import io

    from forum_ops.tor.service import export_votes

    try:
        with database(settings) as db:
            data = export_votes(db, args.version)
    except ForumError as error:
        print(f"{error}", file=sys.stderr)
        return 1
    args.out.write_bytes(data)
    rows = len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) - 1
    print(f"{rows} votes of version {args.version} written: {args.out}")
    return 0


def cmd_directory_import(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.directory.service import import_directory

    return run_import(
        settings,
        lambda db: import_directory(db, read_text(args.file), CLOCK.now()),
        lambda report: f"Directory imported: {report.added} added, {report.updated} updated.",
    )


def cmd_directory_export(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.directory.service import export_directory

    with database(settings) as db:
        args.file.write_bytes(export_directory(db))
    print(f"Directory exported: {args.file}")
    return 0


def cmd_recommendations_import(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    from forum_ops.directory.recommendations import import_tracker

    return run_import(
        settings,
        lambda db: import_tracker(
            db, read_text(args.file), CLOCK.now(), f"cli:{getpass.getuser()}"
        ),
        lambda changed: f"Recommendations tracker updated: {changed} recommendation(s).",
    )


def cmd_recommendations_export(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.directory.recommendations import export_tracker

    with database(settings) as db:
        args.file.write_bytes(export_tracker(db, CLOCK.now()))
    print(f"Recommendations tracker exported: {args.file}")
    return 0


def cmd_report_quarterly(settings: Settings, args: argparse.Namespace) -> int:
    from forum_ops.members.model import Member, Organisation, OrganisationKind, Role
    from forum_ops.ports import SystemClock
    from forum_ops.report.service import produce_report

    # the operator of the CLI has the database itself: the secretariat's authority
    operator = Member(
        "cli", "forumbot", "", Organisation("LIIA", "LIIA", OrganisationKind.SECRETARIAT),
        frozenset({Role.SECRETARIAT}),
    )  # fmt: skip
    with database(settings) as db:  # a ForumError is said by main(), as "forumbot: …"
        report = produce_report(
            db, SystemClock(), operator, args.quarter, settings.disclosure_rules()
        )
    args.out.mkdir(parents=True, exist_ok=True)
    for suffix, body in (("docx", report.docx), ("xlsx", report.xlsx)):
        (args.out / f"{report.stem}.{suffix}").write_bytes(body)
    print(
        f"Quarterly report, {report.figures.quarter.title}, written: {args.out / report.stem}.docx and .xlsx"
    )
    return 0


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
    load = add(
        "load", cmd_demo_load, "load demo members, suppliers, returns, meetings, asks, ToR", demo
    )
    load.add_argument(
        "--if-empty",
        action="store_true",
        help="only into a database with no members yet (make run: keeps what people changed)",
    )

    members = sub.add_parser("members", help="the membership registry")
    members_sub = members.add_subparsers(dest="members_command", required=True)
    imp = add("import", cmd_members_import, "upsert members from a CSV file", members_sub)
    imp.add_argument("file", type=Path)
    listed = add("list", cmd_members_list, "list members, with their ids", members_sub)
    listed.add_argument("--org", help="one organisation: a name, LA code or ICB code")

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
    ret_import.add_argument(
        "--borough", required=True, help="the borough: a name or DfE LA code, e.g. Camden or 202"
    )
    ret_import.add_argument("--period", required=True, help="the academic year, e.g. 2025-26")
    add("release", cmd_returns_release, "release London's INMSS figures now", returns_sub)

    tor = sub.add_parser("tor", help="the Terms of Reference and their ratification")
    tor_sub = tor.add_subparsers(dest="tor_command", required=True)
    tor_add = add("add", cmd_tor_add, "add a ToR version from a .docx, .md or .txt file", tor_sub)
    tor_add.add_argument("file", type=Path)
    tor_votes = add("votes", cmd_tor_votes, "export every vote cast on a version as CSV", tor_sub)
    tor_votes.add_argument("version", type=int)
    tor_votes.add_argument("--out", type=Path, default=Path("votes.csv"))

    directory = sub.add_parser("directory", help="the directory of networks and best practice")
    directory_sub = directory.add_subparsers(dest="directory_command", required=True)
    add(
        "import", cmd_directory_import, "upsert entries from a CSV file", directory_sub
    ).add_argument("file", type=Path)
    add(
        "export", cmd_directory_export, "write the approved entries as CSV", directory_sub
    ).add_argument("file", type=Path)

    recs = sub.add_parser("recommendations", help="the recommendations tracker")
    recs_sub = recs.add_subparsers(dest="recommendations_command", required=True)
    add(
        "import", cmd_recommendations_import, "update the tracker from a CSV file", recs_sub
    ).add_argument("file", type=Path)
    add("export", cmd_recommendations_export, "write the tracker as CSV", recs_sub).add_argument(
        "file", type=Path
    )

    report = sub.add_parser("report", help="reports").add_subparsers(
        dest="report_command", required=True
    )
    quarterly = add(
        "quarterly", cmd_report_quarterly, "the quarterly report (Word and Excel)", report
    )
    quarterly.add_argument("--quarter", default="", help="e.g. 2026Q1 (default: the last one)")
    quarterly.add_argument("--out", type=Path, default=Path("."))

    chat = add("chat", cmd_chat, "talk to the bot in the terminal, without Teams")
    chat.add_argument("--as", dest="as_id", default=None, help="the Entra object id to speak as")
    chat.add_argument("--url", default=None, help="a running `forumbot serve` (default: start one)")

    app = sub.add_parser("app", help="the Teams app").add_subparsers(
        dest="app_command", required=True
    )
    package = add("package", cmd_app_package, "zip the Teams app package", app)
    package.add_argument("--out", type=Path, default=Path("appPackage.zip"))
    return top


def settings_problems(error: ValidationError) -> str:
    """What is wrong with the settings, in sentences naming the environment variables (not
    pydantic's report)."""
    sentences = []
    for problem in error.errors():
        message = str(problem.get("msg", "")).removeprefix("Value error, ")
        names = [str(part).upper() for part in problem.get("loc", ()) if part != "__root__"]
        sentences.append(f"{names[0]}: {message}" if names else message)
    return "the settings are not valid. " + " ".join(
        s if s.endswith(".") else s + "." for s in sentences
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"forumbot: {settings_problems(error)}", file=sys.stderr)
        return 2
    configure_logging(settings.forum_log_level)
    try:
        return int(args.run(settings, args))
    except ForumError as error:  # the person's mistake, said for them: never a traceback
        print(f"forumbot: {error}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as error:
        print(f"forumbot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
