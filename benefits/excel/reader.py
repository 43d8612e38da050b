"""Reading an uploaded workbook safely: refuse hostile files before unpacking, then read values fast.

Checks run on the raw bytes and the zip directory first (cheap), then each part is unpacked as a
stream with a running byte count, so a zip bomb is stopped by what it really expands to, not by
what its directory claims. Sheet XML is scanned for formulas and merged cells on the way.
Only then does python-calamine (ADR 0051) read the values.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import python_calamine
from django.conf import settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
CHUNK = 1 << 20
FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
FORMULA_CELL_RE = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+\d+)\"[^>]*>\s*<(?:\w+:)?f[\s>/]")
MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z0-9:]+)\"")
SHEET_RE = re.compile(r"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]+)\"")
REL_RE = re.compile(
    r"<Relationship\b[^>]*?\bId=\"([^\"]+)\"[^>]*?\bTarget=\"([^\"]+)\"|<Relationship\b[^>]*?\bTarget=\"([^\"]+)\"[^>]*?\bId=\"([^\"]+)\""
)


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class Problem:
    """A problem found in a file; `sheet`/`row`/`column` are None when it concerns the whole file."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


class UnreadableWorkbook(Exception):
    """The file is refused whole before any cell is read; `problems` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class SheetRows:
    name: str
    first_row: int  # the Excel row number of rows[0]
    rows: list[list] = field(default_factory=list)


def _refuse(message: str) -> UnreadableWorkbook:
    return UnreadableWorkbook([Problem(message)])


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")


def _sheet_names_by_part(parts: dict[str, bytes]) -> dict[str, str]:
    """`xl/worksheets/sheet1.xml` → `2025-26`, from workbook.xml and its relationships."""
    workbook = parts.get("xl/workbook.xml", b"").decode("utf-8", "replace")
    rels = parts.get("xl/_rels/workbook.xml.rels", b"").decode("utf-8", "replace")
    targets: dict[str, str] = {}
    for m in REL_RE.finditer(rels):
        rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        target = target.lstrip("/")
        targets[rid] = target if target.startswith("xl/") else f"xl/{target}"
    return {targets.get(rid, ""): _unescape(name) for name, rid in SHEET_RE.findall(workbook)}


def _scan_parts(archive: zipfile.ZipFile, size: int) -> tuple[dict[str, bytes], list[Problem]]:
    """Unpack as a stream with hard limits; keep the small workbook parts; find formulas and merges."""
    max_total = limit("EXCEL_IMPORT_MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024)
    max_ratio = limit("EXCEL_IMPORT_MAX_RATIO", 200)
    infos = archive.infolist()
    declared = sum(i.file_size for i in infos)
    if declared > max_total:
        raise _refuse(
            f"The workbook would unpack to {declared // (1024 * 1024)} MB, more than the {max_total // (1024 * 1024)} MB allowed. "
            "Split it into smaller files."
        )
    if size and declared / size > max_ratio:
        raise _refuse("The workbook is compressed far more than a real spreadsheet can be (a 'zip bomb'); it was not opened.")
    keep = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    kept: dict[str, bytes] = {}
    formulas: dict[str, list[str]] = {}
    merges: dict[str, list[str]] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        produced = 0
        tail = b""
        buffer = bytearray() if info.filename in keep else None
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                produced += len(chunk)
                total += len(chunk)
                if total > max_total or produced > max(info.compress_size, 1) * max_ratio + CHUNK:
                    raise _refuse(
                        "The workbook unpacks to far more than its size suggests (a 'zip bomb'), or is larger than allowed; "
                        "it was not opened."
                    )
                if buffer is not None:
                    buffer.extend(chunk)
                if is_sheet:
                    window = tail + chunk
                    if FORMULA_RE.search(window):
                        formulas.setdefault(info.filename, []).extend(m.decode() for m in FORMULA_CELL_RE.findall(window))
                        formulas[info.filename] = formulas[info.filename] or ["?"]
                    for ref in MERGE_RE.findall(window):
                        merges.setdefault(info.filename, []).append(ref.decode())
                    tail = chunk[-512:]
        if buffer is not None:
            kept[info.filename] = bytes(buffer)
    names = _sheet_names_by_part(kept)
    problems: list[Problem] = []
    for part, cells in formulas.items():
        sheet = names.get(part, part)
        unique = list(dict.fromkeys(c for c in cells if c != "?")) or ["a cell"]
        shown = ", ".join(unique[:10]) + (f" and {len(unique) - 10} more" if len(unique) > 10 else "")
        problems.append(
            Problem(
                f"Sheet '{sheet}' has formulas ({shown}). Paste them as values (Paste Special → Values) and upload again.",
                sheet=sheet,
            )
        )
    for part, refs in merges.items():
        sheet = names.get(part, part)
        unique = list(dict.fromkeys(refs))
        problems.append(
            Problem(f"Sheet '{sheet}' has merged cells ({', '.join(unique[:10])}). Unmerge them and upload again.", sheet=sheet)
        )
    return kept, problems


def open_workbook(data: bytes) -> python_calamine.CalamineWorkbook:
    """Check the bytes, then open with calamine; raises UnreadableWorkbook with plain reasons."""
    max_bytes = limit("EXCEL_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
    if not data:
        raise _refuse("The file is empty. Choose an Excel workbook (.xlsx) to upload.")
    if len(data) > max_bytes:
        raise _refuse(f"The file is larger than the {max_bytes // (1024 * 1024)} MB allowed. Split it into smaller files.")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_INFO in data:
            raise _refuse(
                "The workbook is password-protected. Remove the password in Excel (File → Info → Protect Workbook) and upload again."
            )
        raise _refuse("This is an old-style Excel file (.xls). Save it as an Excel workbook (.xlsx) and upload again.")
    if not data.startswith(b"PK"):
        raise _refuse("The file is not an Excel workbook (.xlsx). Save it from Excel as .xlsx and upload again.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(
            "The file is not an Excel workbook (.xlsx), or it is damaged. Save it from Excel as .xlsx and upload again."
        )
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise _refuse(
                "The file is a zip archive but not an Excel workbook (.xlsx). Save it from Excel as .xlsx and upload again."
            )
        if any(n.startswith("xl/") and n.lower().endswith(".bin") and "vbaProject" in n for n in names):
            raise _refuse("The workbook contains macros. Save it as a plain workbook (.xlsx) and upload again.")
        try:
            _, problems = _scan_parts(archive, len(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError):
            raise _refuse("The workbook is damaged and cannot be unpacked. Save it again from Excel and upload it.")
    if problems:
        raise UnreadableWorkbook(problems)
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise _refuse("The workbook is password-protected. Remove the password and upload again.")
    except Exception:  # calamine raises several kinds for damaged files; all mean the same to the user
        raise _refuse("The workbook is damaged and cannot be read. Save it again from Excel and upload it.")


def read_sheets(workbook: python_calamine.CalamineWorkbook, wanted: list[str]) -> Iterator[SheetRows]:
    """The values of each wanted sheet as rows of Python values ('' for a blank cell)."""
    max_rows = limit("EXCEL_IMPORT_MAX_ROWS", 50_000)
    seen = 0
    for name in wanted:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except Exception:
            raise _refuse(f"Sheet '{name}' cannot be read; the workbook may be damaged.")
        start_row, start_col = sheet.start or (0, 0)
        seen += sheet.height
        if seen > max_rows + len(wanted):
            raise UnreadableWorkbook(
                [
                    Problem(
                        f"The workbook has more than the {max_rows:,} rows allowed in one import. Split it into smaller files.",
                        sheet=name,
                    )
                ]
            )
        rows = sheet.to_python(skip_empty_area=False)
        if start_col:
            pad = [""] * start_col
            rows = [pad + r for r in rows]
        yield SheetRows(name=name, first_row=start_row + 1, rows=rows)
