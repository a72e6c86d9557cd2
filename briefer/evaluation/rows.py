"""Reading evaluation files: JSON Lines rows, and hand-labelled articles.

Labelled files hold one article a row: {"id", "title", "date", "text", "label"} ("source" is
optional). For stories, equal labels mean "the same event"; for themes, the label is a theme
name, or "Other" (or the name briefer uses, OTHER_THEME) for an article that fits none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from briefer.errors import OptionsError

OTHER_LABEL = "Other"  # what a labelled row may call OTHER_THEME


@dataclass(frozen=True)
class LabelledRow:
    id: str
    title: str
    date: date | None
    source: str
    text: str
    label: str
    where: str  # file:line, for messages
    confidence: str = ""  # how sure the labeller was ("high", "low"), when the file says


def jsonl_objects(
    path: Path, expected: str, limit: int | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(`file:line`, object) for each non-blank line of a JSON Lines evaluation file, at most
    `limit`; a file that cannot be read or a line that is not a JSON object raises OptionsError
    naming the file and line. `expected` says what a row holds, for the messages."""
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise OptionsError(f"{path}: no such file; check the path") from None
    except OSError as error:
        raise OptionsError(f"{path}: cannot read the evaluation file ({error.strerror})") from None
    count = 0
    with handle:
        try:
            for line_number, line in enumerate(handle, start=1):
                if limit is not None and count >= limit:
                    break
                if not line.strip():
                    continue
                where = f"{path}:{line_number}"
                try:
                    data: Any = json.loads(line)
                except json.JSONDecodeError as error:
                    message = f"{where}: not valid JSON ({error.msg}); fix the row"
                    raise OptionsError(message) from None
                if not isinstance(data, dict):
                    raise OptionsError(f"{where}: expected a JSON object with {expected}")
                count += 1
                yield where, data
        except UnicodeDecodeError:
            raise OptionsError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    if count == 0:
        raise OptionsError(f"{path}: no rows to evaluate; expected JSON Lines with {expected}")


def read_labelled(path: Path, need_date: bool = False) -> list[LabelledRow]:
    """Rows of a labelled JSONL file; a bad row raises OptionsError naming file:line."""
    rows: list[LabelledRow] = []
    seen: dict[str, str] = {}
    for where, data in jsonl_objects(path, "title, date, text and label"):
        row = _parse_row(data, where, need_date)
        if row.id in seen:
            raise OptionsError(
                f"{row.where}: id {row.id!r} was already used at {seen[row.id]}; "
                "give every row its own id"
            )
        seen[row.id] = row.where
        rows.append(row)
    return rows


def _parse_row(data: dict[str, Any], where: str, need_date: bool) -> LabelledRow:
    def text_field(key: str, required: bool) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            problem = "is missing" if value is None else "is not a non-empty string"
            raise OptionsError(f"{where}: {key!r} {problem}; every row needs a {key}")
        return value

    label = data.get("label")
    if isinstance(label, int) and not isinstance(label, bool):
        label = str(label)  # story labels are often numbers
    if not isinstance(label, str) or not label.strip():
        raise OptionsError(f"{where}: 'label' is missing or empty; label every row")
    raw_id = data.get("id", where.rsplit(":", 1)[-1])
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        raise OptionsError(f"{where}: 'id' is not a string; give the row a text id")
    raw_date = data.get("date")
    day: date | None = None
    if isinstance(raw_date, str) and raw_date.strip():
        try:
            day = date.fromisoformat(raw_date.strip()[:10])
        except ValueError:
            raise OptionsError(
                f"{where}: date {raw_date!r} is not YYYY-MM-DD; fix it or leave it empty"
            ) from None
    elif raw_date not in (None, ""):
        raise OptionsError(f"{where}: 'date' is not text; write it as \"YYYY-MM-DD\"")
    if need_date and "date" not in data:
        raise OptionsError(f"{where}: 'date' is missing; give a date or null when unknown")
    title = text_field("title", required=False)
    text = text_field("text", required=not title.strip())
    return LabelledRow(
        id=str(raw_id),
        title=title,
        date=day,
        source=text_field("source", required=False),
        text=text,
        label=label.strip(),
        where=where,
        confidence=text_field("confidence", required=False).strip(),
    )
