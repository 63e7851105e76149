"""Reading an OCF package (a folder with a manifest, or a `.ocf.zip`): files, items, checks.

A package whose manifest says `ocf_version` 1.2.0 must list files that exist
and whose md5 match. The OCF tutorials' samples carry a placeholder version
("~~~ SAMPLE ~~~") with md5s that do not match and a file listed under
another name; such a sample is read leniently: md5s are not checked, and a
listed file that is missing is replaced by the package's unlisted file of the
same file_type. Any other version is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ledger.common.ocf import FILES, MANIFEST, OCF_VERSION
from ledger.errors import InputError

MAX_MEMBER = 256 * 1024 * 1024
MAX_TOTAL = 512 * 1024 * 1024  # all members read, however often the manifest lists them


@dataclass(frozen=True)
class OcfPackage:
    name: str
    manifest: dict[str, Any]
    items: dict[str, list[tuple[str, dict[str, Any]]]]  # file_type -> (file name, item), in manifest order
    lenient: bool

    def of(self, file_type: str) -> list[tuple[str, dict[str, Any]]]:
        return self.items.get(file_type, [])


def _is_manifest(data: Any) -> bool:
    return isinstance(data, dict) and data.get("file_type") == "OCF_MANIFEST_FILE"


def is_package(path: Path) -> bool:
    """A `.ocf.zip`, a folder holding an OCF manifest, or an OCF manifest file itself."""
    if path.is_file():
        if path.name.lower().endswith(".ocf.zip"):
            return True
        return path.name.lower().endswith(".ocf.json") and _manifest_in_file(path)
    if path.is_dir():
        return any(_manifest_in_file(p) for p in _manifest_candidates(path))
    return False


def _manifest_candidates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and "manifest" in p.name.lower()
                  and p.suffix.lower() == ".json")


def _manifest_in_file(path: Path) -> bool:
    try:
        return _is_manifest(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False


class _Source:
    """Bytes of the package's members, by relative path, from a folder or a zip."""

    def __init__(self, name: str, path: Path):
        self.name = name
        self.zip: zipfile.ZipFile | None = None
        self.root = path
        self._read: dict[str, bytes | None] = {}
        self.total = 0
        if path.is_file() and path.name.lower().endswith(".ocf.zip"):
            try:
                self.zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise InputError(name, None, None, "", f"not a readable zip archive ({exc})") from None
        elif path.is_file():
            self.root = path.parent

    def members(self) -> list[str]:
        if self.zip is not None:
            return [i.filename for i in self.zip.infolist() if not i.is_dir()]
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())

    def read(self, member: str) -> bytes | None:
        """A member's bytes, each read once: a manifest may name one member many times, and the
        whole package is held to MAX_TOTAL however its members are listed."""
        norm = str(PurePosixPath(member.replace("\\", "/")))
        if norm not in self._read:
            data = self._read_once(member, norm)
            self.total += len(data or b"")
            if self.total > MAX_TOTAL:
                raise InputError(self.name, None, None, norm, f"the package holds more than {MAX_TOTAL >> 20} MiB")
            self._read[norm] = data
        return self._read[norm]

    def _read_once(self, member: str, norm: str) -> bytes | None:
        if norm.startswith("/") or ".." in PurePosixPath(norm).parts:
            raise InputError(self.name, None, None, member, "a path outside the package")
        if self.zip is not None:
            try:
                info = self.zip.getinfo(norm)
            except KeyError:
                return None
            if info.file_size > MAX_MEMBER:
                raise InputError(self.name, None, None, norm, "too large to read")
            return self.zip.read(info)
        path = self.root / norm
        if not path.is_file():
            return None
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise InputError(self.name, None, None, norm, "links outside the package; not followed")
        return path.read_bytes()


def _json(name: str, member: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(name, None, None, member, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(name, None, None, member, f"malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(name, None, None, member, "nested too deeply to read") from None


def _find_manifest(src: _Source, path: Path) -> tuple[str, dict[str, Any]]:
    if path.is_file() and src.zip is None:
        candidates = [path.name]
    else:
        candidates = [m for m in src.members() if "/" not in m and "manifest" in m.lower() and m.endswith(".json")]
        candidates.sort(key=lambda m: (m != MANIFEST, m))
    for member in candidates:
        data = src.read(member)
        if data is not None:
            parsed = _json(src.name, member, data)
            if _is_manifest(parsed):
                return member, parsed
    raise InputError(src.name, None, None, "", f"no OCF manifest (a JSON file with file_type OCF_MANIFEST_FILE) found")


def read_package(path: Path, name: str | None = None, *, ignore_checksums: bool = False) -> OcfPackage:
    """The package at `path`; a file whose md5 differs from the manifest's is refused unless
    `ignore_checksums`."""
    name = name or str(path)
    src = _Source(name, path)
    manifest_name, manifest = _find_manifest(src, path)
    version = manifest.get("ocf_version")
    if version == OCF_VERSION:
        lenient = False
    elif isinstance(version, str) and re.fullmatch(r"\d+\.\d+\.\d+.*", version):
        raise InputError(name, None, None, f"{manifest_name}: ocf_version",
                         f"OCF {version} is not supported (this ledger reads {OCF_VERSION})")
    elif isinstance(version, str) and "SAMPLE" in version.upper():
        lenient = True
    else:
        raise InputError(name, None, None, f"{manifest_name}: ocf_version", f"must be '{OCF_VERSION}'")
    for key in ("issuer", "as_of"):
        if key not in manifest:
            raise InputError(name, None, None, f"{manifest_name}: {key}", "required")
    if not isinstance(manifest["issuer"], dict) or not isinstance(manifest["issuer"].get("legal_name"), str):
        raise InputError(name, None, None, f"{manifest_name}: issuer.legal_name", "required")

    items: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    used: set[str] = {manifest_name}
    missing: list[tuple[str, str]] = []
    for key, (_, file_type) in FILES.items():
        listed = manifest.get(key) or []
        if not isinstance(listed, list):
            raise InputError(name, None, None, f"{manifest_name}: {key}", "must be a list of files")
        for entry in listed:
            filepath = entry.get("filepath") if isinstance(entry, dict) else None
            if not isinstance(filepath, str):
                raise InputError(name, None, None, f"{manifest_name}: {key}", "each file needs a filepath")
            member = str(PurePosixPath(filepath))
            if member in used:
                raise InputError(name, None, None, f"{manifest_name}: {key}", f"lists {filepath} more than once")
            data = src.read(member)
            if data is None:
                if not lenient:
                    raise InputError(name, None, None, f"{manifest_name}: {key}", f"lists {filepath}, which is not in the package")
                missing.append((member, file_type))
                continue
            if not (lenient or ignore_checksums) and entry.get("md5") != hashlib.md5(data).hexdigest():  # noqa: S324
                raise InputError(name, None, None, member, "md5 differs from the manifest's (altered after export?); "
                                                           "--ignore-checksums reads it all the same")
            used.add(member)
            _add(items, name, member, _json(name, member, data), file_type)
    for member, file_type in missing:
        # A sample: the listed file is missing; take the one unlisted file of that type.
        spare = []
        for other in src.members():
            if other in used or not other.lower().endswith(".json"):
                continue
            data = _json(name, other, src.read(other) or b"null")
            if isinstance(data, dict) and data.get("file_type") == file_type:
                spare.append((other, data))
        if len(spare) != 1:
            raise InputError(name, None, None, f"{manifest_name}", f"lists {member}, which is not in the package")
        used.add(spare[0][0])
        _add(items, name, spare[0][0], spare[0][1], file_type)
    return OcfPackage(name, manifest, items, lenient)


def _add(items: dict, name: str, member: str, data: Any, file_type: str) -> None:
    if not isinstance(data, dict) or data.get("file_type") != file_type:
        raise InputError(name, None, None, member, f"must be an OCF file of file_type {file_type}")
    listed = data.get("items")
    if not isinstance(listed, list) or not all(isinstance(i, dict) for i in listed):
        raise InputError(name, None, None, f"{member}: items", "must be a list of objects")
    items.setdefault(file_type, []).extend((member, i) for i in listed)
