"""The DfE's real SEN2 release (shared/data/dfe), imported into a test database."""

from __future__ import annotations

from forum_ops.db import Database
from forum_ops.senddata.sen2 import Sen2File, replace_release
from tests.conftest import NOW, SHARED

DFE = SHARED / "data" / "dfe"
CASELOAD, NEEDS = (
    DFE / "ehcp_caseload_by_placement_2025.csv",
    DFE / "ehcp_primary_need_by_placement_2025.csv",
)


def import_release(db: Database) -> None:
    with db.transaction() as session:
        replace_release(
            session,
            [
                Sen2File("caseload", CASELOAD.name, CASELOAD.read_text(encoding="utf-8")),
                Sen2File("needs", NEEDS.name, NEEDS.read_text(encoding="utf-8")),
            ],
            NOW,
        )
