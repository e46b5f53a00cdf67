"""`forumbot directory import|export`, `forumbot recommendations import` and `forumbot report
quarterly` as an operator runs them: subprocesses against a real SQLite file."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from tests.support.cli import forumbot


def test_directory_import_export_and_the_quarterly_report_from_the_command_line(
    tmp_path: Path,
) -> None:
    assert forumbot(tmp_path, "db", "upgrade").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,scope,link\nX,tool,borough,javascript:1\nY,bogus,borough,\n")
    refused = forumbot(tmp_path, "directory", "import", str(bad))
    assert refused.returncode == 1
    assert "2 problem(s) found. Nothing was changed." in refused.stderr
    assert "must be a web address" in refused.stderr
    good = tmp_path / "good.csv"
    good.write_text(
        "name,kind,scope,topics,link\nTransport leads,informal network,sub-region,transport,"
        "https://example.org/t\n",
        encoding="cp1252",
    )
    imported = forumbot(tmp_path, "directory", "import", str(good))
    assert "1 added, 0 updated" in imported.stdout, imported.stderr
    out = tmp_path / "export.csv"
    assert forumbot(tmp_path, "directory", "export", str(out)).returncode == 0
    assert '"Transport leads","informal network","sub-region"' in out.read_text("utf-8-sig")
    tracker = tmp_path / "tracker.csv"
    tracker.write_text("number,status,rag\n5,in progress,amber\n")
    assert (
        "1 recommendation(s)"
        in forumbot(tmp_path, "recommendations", "import", str(tracker)).stdout
    )
    made = forumbot(
        tmp_path, "report", "quarterly", "--quarter", "2026Q1", "--out", str(tmp_path / "out")
    )
    assert made.returncode == 0, made.stderr
    assert "Quarterly report, January to March 2026, written" in made.stdout
    docx = (tmp_path / "out" / "forum-quarterly-report-January-to-March-2026.docx").read_bytes()
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "Entries in the directory: 1 (networks: 1," in text
    assert (
        tmp_path / "out" / "forum-quarterly-report-January-to-March-2026.xlsx"
    ).stat().st_size > 0
    wrong = forumbot(tmp_path, "report", "quarterly", "--quarter", "spring")
    assert wrong.returncode == 1
    assert "Say which quarter" in wrong.stderr
