"""Word documents made in the test: a real one from python-docx, and the same package with its
document.xml swollen to many megabytes of empty paragraphs (it compresses a thousandfold)."""

from __future__ import annotations

import io
import zipfile

import docx

_BODY_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)


def empty_paragraphs_docx(unpacked_bytes: int) -> bytes:
    """A valid .docx whose document.xml is about `unpacked_bytes` of `<w:p/>`."""
    plain = io.BytesIO()
    docx.Document().save(plain)
    body = _BODY_START + "<w:p/>" * (unpacked_bytes // 6) + "</w:body></w:document>"
    swollen = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(swollen, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data = body.encode()
            target.writestr(
                member.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9
            )
    return swollen.getvalue()
