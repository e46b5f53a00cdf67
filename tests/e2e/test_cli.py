"""`forumbot` as an operator runs it: subprocesses against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from forum_ops.demo import DEMO_SECRETARIAT_ID
from tests.support.cli import forumbot, member_name

NEW = "0b0b0b0b-1c1c-4d2d-8e3e-4f4f4f4f4f4f"


def test_db_upgrade_then_demo_load_is_repeatable(tmp_path: Path) -> None:
    assert forumbot(tmp_path, "db", "upgrade").returncode == 0
    first = forumbot(tmp_path, "demo", "load")
    second = forumbot(tmp_path, "demo", "load")

    assert first.returncode == 0, first.stderr
    assert "72 added, 0 updated" in first.stdout
    assert "0 added, 72 updated" in second.stdout
    assert member_name(tmp_path, DEMO_SECRETARIAT_ID) is not None


def test_members_import_reports_bad_lines_as_a_table_and_changes_nothing(tmp_path: Path) -> None:
    forumbot(tmp_path, "db", "upgrade")
    bad = tmp_path / "members.csv"
    bad.write_text(
        "aad_object_id,name,email,organisation,roles,topics\n"
        f"{NEW},Lee Moreno,lee@nhs.example,QMJ,member,\n"
        f"{NEW[:-1]}x,Ann,ann@example,Camden,member,\n",
        encoding="utf-8",
    )

    result = forumbot(tmp_path, "members", "import", str(bad))

    assert result.returncode == 1
    assert "Nothing was changed" in result.stderr
    assert "3  aad_object_id" in result.stderr
    assert "3  email" in result.stderr
    assert member_name(tmp_path, NEW) is None


def test_members_import_reads_a_windows_1252_file_from_excel(tmp_path: Path) -> None:
    forumbot(tmp_path, "db", "upgrade")
    good = tmp_path / "members.csv"
    good.write_bytes(
        (
            "aad_object_id,name,email,organisation,roles,topics\r\n"
            f"{NEW},Zoë Brontë,zoe@camden.example,202,member;data_submitter,S75\r\n"
        ).encode("cp1252")
    )

    result = forumbot(tmp_path, "members", "import", str(good))

    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    assert member_name(tmp_path, NEW) == "Zoë Brontë"


def test_app_package_needs_an_app_id(tmp_path: Path) -> None:
    result = forumbot(tmp_path, "app", "package")
    assert result.returncode == 2
    assert "MICROSOFT_APP_ID" in result.stderr


def test_invalid_settings_are_explained(tmp_path: Path) -> None:
    result = forumbot(
        tmp_path, "db", "upgrade", MICROSOFT_APP_ID="2b8f0c3a-1111-4a5b-9c8d-7e6f5a4b3c2d"
    )
    assert result.returncode == 2
    assert "FORUM_ALLOWED_TENANTS must list the tenant ids" in result.stderr


def test_app_package_without_tenants_or_a_public_url_ends_in_a_sentence(tmp_path: Path) -> None:
    no_tenants = forumbot(tmp_path, "app", "package", MICROSOFT_APP_ID="2b8f0c3a-1111-4a5b")
    no_url = forumbot(
        tmp_path, "app", "package", MICROSOFT_APP_ID="2b8f0c3a-1111-4a5b",
        FORUM_ALLOWED_TENANTS="4f1c2a6e-7b1d-4e0a-9c55-0a8e3d2b1f10",
        FORUM_DISCLOSURE_CELL_KEY_SECRET="a test secret of thirty-two characters or more",
    )  # fmt: skip

    assert no_tenants.returncode == no_url.returncode == 2
    assert no_tenants.stderr == (
        "forumbot: the settings are not valid. FORUM_ALLOWED_TENANTS must list the tenant ids "
        "to serve when MICROSOFT_APP_ID is set.\n"
    )  # not pydantic's report: "1 validation error for Settings ... [type=value_error"
    assert no_url.stderr.startswith("forumbot: set FORUM_PUBLIC_URL to the bot's public https")
    assert no_url.stderr.count("\n") == 1
    assert not (tmp_path / "appPackage.zip").exists()


def test_make_run_loads_the_demo_only_into_an_empty_database(tmp_path: Path) -> None:
    """`make run` again must not put back what people changed (issue 25 item 17)."""
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    assert "forumbot demo load --if-empty" in makefile
    first = forumbot(tmp_path, "demo", "load", "--if-empty")
    renamed = tmp_path / "members.csv"
    renamed.write_text(
        "aad_object_id,name,email,organisation,roles,topics\n"
        f"{DEMO_SECRETARIAT_ID},Renamed Person,renamed@liia.example,LIIA,member;secretariat,\n"
    )
    assert forumbot(tmp_path, "members", "import", str(renamed)).returncode == 0

    again = forumbot(tmp_path, "demo", "load", "--if-empty")

    assert "72 added" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "the demo is not loaded again" in again.stdout
    assert member_name(tmp_path, DEMO_SECRETARIAT_ID) == "Renamed Person"
