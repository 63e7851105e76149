"""Reading event files (YAML, JSON, JSONL) into validated events, each with its origin."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from events import EVENT_TYPES, DocumentHeader, Event, parse_event
from events.base import SLUG, SLUG_RULE
from ledger.common.progress import progress
from ledger.errors import InputError, UsageError
from ledger.intake.inputs import read_user_text
from ledger.intake.loaded import Loaded
from ledger.intake.syntax import SyntaxRefused, parse_json, parse_yaml

EVENT_FILE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")


def collect_files(paths: Iterable[str]) -> list[Path]:
    """The event files named, folders walked in name order; links never lead outside."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise UsageError(f"{name}: no such file or folder")
        if path.is_file() or _is_ocf(path):
            files.append(path)
            continue
        if not path.is_dir():
            raise UsageError(f"{name}: not a regular file or folder")
        root = path.resolve()
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            dirnames.sort()
            for filename in sorted(filenames):
                candidate = Path(dirpath) / filename
                if candidate.suffix.lower() not in EVENT_FILE_SUFFIXES:
                    continue
                if not candidate.resolve().is_relative_to(root):
                    raise UsageError(f"{candidate}: links outside {name}; not followed")
                if not candidate.is_file():
                    raise UsageError(f"{candidate}: not a regular file")
                files.append(candidate)
    if not files:
        raise UsageError(f"{', '.join(paths)}: no event files (.yaml, .yml, .json, .jsonl) found")
    return files


def load_files(files: Iterable[Path], *, ignore_checksums: bool = False,
               ids: dict[str, str] | None = None) -> list[Loaded]:
    """Every file's events; `ignore_checksums` reads an OCF package whose md5s differ from its manifest's;
    `ids` gives the ledger id of each OCF id that cannot be kept as it is (read_ids)."""
    loaded: list[Loaded] = []
    for path in files:
        loaded.extend(load_file(path, ignore_checksums=ignore_checksums, ids=ids))
    return loaded


def read_ids(path: str) -> dict[str, str]:
    """An --ids FILE: a YAML mapping of another system's ids to the ledger's, one per line
    (`"Series A Preferred": series-a`)."""
    name = str(path)
    data = _parse(name, read_user_text(Path(path)), json_only=False)
    if not isinstance(data, dict):
        raise InputError(name, None, None, "", "must be a mapping of ids to ledger ids")
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str) or not SLUG.match(value):
            raise InputError(name, None, None, str(key), f"{value!r}: {SLUG_RULE}")
        out[str(key)] = value
    return out


def _is_ocf(path: Path) -> bool:
    from ledger.intake.ocf.package import is_package  # noqa: PLC0415  (OCF packages: folder with a manifest, .ocf.zip)

    return is_package(path)


def load_file(path: Path, *, ignore_checksums: bool = False, ids: dict[str, str] | None = None) -> list[Loaded]:
    name = str(path)
    if _is_ocf(path):
        from ledger.intake.ocf.import_ import load_ocf  # noqa: PLC0415

        return load_ocf(path, ignore_checksums=ignore_checksums, ids=ids)
    text = read_user_text(path)
    if path.suffix.lower() == ".jsonl":
        return _load_jsonl(name, text)
    data = _parse(name, text, json_only=path.suffix.lower() == ".json")
    return load_document(name, data)


def _parse(name: str, text: str, *, json_only: bool) -> Any:
    try:
        data = parse_json(text) if json_only else parse_yaml(text)
    except SyntaxRefused as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise InputError(name, None, None, "", where + exc.message) from None
    except json.JSONDecodeError as exc:
        raise InputError(name, None, None, "", f"malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise InputError(name, None, None, "", f"malformed YAML{where}: {problem}") from None
    except RecursionError:
        raise InputError(name, None, None, "", "nested too deeply to read") from None
    except (ValueError, OverflowError) as exc:  # a 5,000-digit number; an unquoted 2020-02-30
        raise InputError(name, None, None, "", _unreadable_value(exc)) from None
    if not json_only:
        _check_expansion(name, data)
    return data


MAX_VALUES = 5_000_000  # values in one file with its YAML aliases expanded


def _unreadable_value(exc: Exception) -> str:
    if "integer string conversion" in str(exc):
        return "a number has too many digits to read (more than 4300)"
    return f"a value cannot be read ({exc})"


def _check_expansion(name: str, data: Any) -> None:
    """YAML aliases repeat a value without copying it: a few lines can stand for billions of
    values (the "billion laughs"), or for a value inside itself. Count as if expanded."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, (list, dict)):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise InputError(name, None, None, "", "a YAML alias refers to a value that contains it")
        open_.add(key)
        total = 1
        for child in node.values() if isinstance(node, dict) else node:
            total += size(child)
            if total > MAX_VALUES:
                raise InputError(name, None, None, "",
                                 f"expands to more than {MAX_VALUES:,} values (YAML aliases repeated)")
        open_.discard(key)
        sizes[key] = total
        return total

    try:
        size(data)
    except RecursionError:
        raise InputError(name, None, None, "", "nested too deeply to read") from None


def load_document(name: str, data: Any) -> list[Loaded]:
    """The events of one event file's data (a mapping with document and events), checked."""
    if not isinstance(data, dict):
        raise InputError(name, None, None, "", "an event file is a mapping with 'document' and 'events'")
    unknown = set(data) - {"document", "events"}
    if unknown:
        raise InputError(name, None, None, sorted(unknown)[0], "unknown top-level key (expected document, events)")
    header = _header(name, data)
    events = data.get("events")
    if not isinstance(events, list):
        raise InputError(name, None, None, "events", "must be a list of events")
    out = []
    for index, raw in progress(enumerate(events), len(events), f"reading {Path(name).name}"):
        out.append(Loaded(name, index, _event(name, index, raw, header)))
    if header.filed is not None:
        out.append(Loaded(name, len(events), document_filed(header)))
    return out


def document_filed(header: DocumentHeader) -> Event:
    """The DocumentFiled event a header with a filing date stands for."""
    from events import DocumentFiled  # noqa: PLC0415

    locator = {"sec-header": "SEC header", "exhibit": "the filing that carried it",
               "stated": "stated at import", "signature": "signature page"}[header.filed_basis or "stated"]
    return DocumentFiled(
        issuer=header.issuer, effective_date=header.filed, document=header.id,
        basis=header.filed_basis or "stated", accession=header.accession, form=header.form,
        source={"document": header.id, "locator": locator},
    )


def json_lines(text: str) -> list[str]:
    """The lines of a JSON Lines text: split at "\n" (and "\r\n") only. str.splitlines also
    splits at U+2028, U+0085 and others, which JSON writes unescaped inside strings."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _load_jsonl(name: str, text: str) -> list[Loaded]:
    out = []
    lines = json_lines(text)
    for index, line in progress(enumerate(lines), len(lines), f"reading {Path(name).name}"):
        if not line.strip():
            continue
        try:
            raw = parse_json(line)
        except SyntaxRefused as exc:
            raise InputError(name, index, None, "", f"line {index + 1}: {exc.message}") from None
        except json.JSONDecodeError as exc:
            raise InputError(name, index, None, "", f"malformed JSON on line {index + 1}: {exc.msg}") from None
        except RecursionError:
            raise InputError(name, index, None, "", "nested too deeply to read") from None
        except ValueError as exc:  # a 5,000-digit number
            raise InputError(name, index, None, "", _unreadable_value(exc)) from None
        if isinstance(raw, dict) and isinstance(raw.get("event"), dict):
            raw = raw["event"]  # a line of an export: the record around the event
        out.append(Loaded(name, index, _event(name, index, raw, None)))
    return out


def _event(name: str, index: int, raw: Any, header: DocumentHeader | None) -> Event:
    if not isinstance(raw, dict):
        raise InputError(name, index, None, "", "an event is a mapping")
    kind = raw.get("type") if isinstance(raw.get("type"), str) else None
    data = dict(raw)
    if "recorded_at" in data:
        raise InputError(name, index, kind, "recorded_at", "is set by the store, never by a file")
    if "type" in data and kind is None:
        raise InputError(name, index, None, "type", "must be the name of an event type")
    claimed_id = data.pop("event_id", None)
    version = data.get("schema_version")
    if version is not None:  # upcasting counts on it: a whole number this vocabulary knows
        newest = EVENT_TYPES[kind].SCHEMA_VERSION if kind in EVENT_TYPES else 1
        if type(version) is not int or not 1 <= version <= newest:
            raise InputError(name, index, kind, "schema_version", f"must be a whole number from 1 to {newest}")
    if header is not None:
        if data.get("issuer", header.issuer) != header.issuer:
            raise InputError(name, index, kind, "issuer", f"differs from the document's issuer '{header.issuer}'")
        data["issuer"] = header.issuer
        source = data.get("source")
        if isinstance(source, dict):
            if source.get("document", header.id) != header.id:
                raise InputError(name, index, kind, "source.document",
                                 f"differs from the document's id '{header.id}'")
            data["source"] = {**source, "document": header.id}
    try:
        event = parse_event(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] == kind:
            loc = loc[1:]
        field = ".".join(loc) or "type"
        raise InputError(name, index, kind, field, _rule(err)) from None
    except RecursionError:
        raise InputError(name, index, kind, "", "nested too deeply to read") from None
    try:
        event_id = event.event_id  # the canonical JSON the store keeps: free-form fields must make one
    except (UnicodeError, ValueError, TypeError, RecursionError) as exc:
        raise InputError(name, index, kind, "", f"cannot be stored as JSON text ({type(exc).__name__}: "
                                                f"{str(exc)[:120]})") from None
    if claimed_id is not None and claimed_id != event_id:
        raise InputError(name, index, kind, "event_id",
                         f"{claimed_id} does not match the event's content (its id is {event_id})")
    return event


def _rule(err: dict[str, Any]) -> str:
    kind = err.get("type")
    if kind == "union_tag_invalid":
        tag = (err.get("ctx") or {}).get("tag")
        return f"unknown event type {tag!r}"
    if kind == "union_tag_not_found":
        return "required (the event's type)"
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


def document_headers(folder: str) -> list[tuple[Path, DocumentHeader]]:
    """The document header of each event file in a folder (not its events), in name order."""
    out = []
    for path in collect_files([folder]):
        if _is_ocf(path) or path.suffix.lower() == ".jsonl":
            continue  # no document header
        data = _parse(str(path), read_user_text(path), json_only=path.suffix.lower() == ".json")
        if not isinstance(data, dict):
            raise InputError(str(path), None, None, "", "an event file is a mapping with 'document' and 'events'")
        out.append((path, _header(str(path), data)))
    return out


def _header(name: str, data: dict[str, Any]) -> DocumentHeader:
    try:
        return DocumentHeader.model_validate(data.get("document"))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "document." + ".".join(str(p) for p in err["loc"]) if err["loc"] else "document"
        raise InputError(name, None, None, field, _rule(err)) from None


def read_draft(name: str) -> list[dict[str, Any]]:
    """The events of a draft file as plain data: its slugs need not match the ledger's yet."""
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"{name}: no such file")
    data = _parse(name, read_user_text(path), json_only=path.suffix.lower() == ".json")
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise InputError(name, None, None, "events", "a draft is an event file with a list of events")
    return [e for e in data["events"] if isinstance(e, dict)]
