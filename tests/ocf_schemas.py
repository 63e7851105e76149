"""The official OCF v1.2.0 JSON schemas, for the tests that validate every exported package.

The schemas are the standard's, not ours: they are not copied into the repository. They are
read from `LEDGER_OCF_SCHEMAS` (a folder), or from `../shared/ocf/v1.2.0/schema` beside the
checkout; the tests that need them are skipped, with this reason, when neither is there.

Every schema is loaded into a `referencing.Registry` keyed by its `$id`, with
no retrieve function: a `$ref` that is not in the folder fails instead of
reaching for the network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any


BASE = "https://schema.opencaptablecoalition.com/v/1.2.0/"

# file_type -> the schema of that file; object_type -> the schema of that object.
FILE_SCHEMAS = {
    "OCF_MANIFEST_FILE": "files/OCFManifestFile",
    "OCF_STAKEHOLDERS_FILE": "files/StakeholdersFile",
    "OCF_STOCK_CLASSES_FILE": "files/StockClassesFile",
    "OCF_TRANSACTIONS_FILE": "files/TransactionsFile",
    "OCF_DOCUMENTS_FILE": "files/DocumentsFile",
    "OCF_VESTING_TERMS_FILE": "files/VestingTermsFile",
    "OCF_STOCK_PLANS_FILE": "files/StockPlansFile",
    "OCF_STOCK_LEGEND_TEMPLATES_FILE": "files/StockLegendTemplatesFile",
    "OCF_VALUATIONS_FILE": "files/ValuationsFile",
    "OCF_FINANCINGS_FILE": "files/FinancingsFile",
}


def find_schema_dir() -> Path | None:
    env = os.environ.get("LEDGER_OCF_SCHEMAS")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parent.parent.parent / "shared" / "ocf" / "v1.2.0" / "schema")
    for c in candidates:
        if (c / "files" / "OCFManifestFile.schema.json").is_file():
            return c
    return None


SCHEMAS = find_schema_dir()
MISSING = ("the official OCF v1.2.0 schemas are not beside the repository (../shared/ocf/v1.2.0/schema) "
           "and LEDGER_OCF_SCHEMAS is not set")


def schema_dir() -> Path:
    if SCHEMAS is None:
        raise RuntimeError(MISSING)
    return SCHEMAS


def _schema_files(root: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(root.rglob("*.schema.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def registry():
    """All schemas keyed by `$id`; anything else is unresolvable (no network)."""
    from referencing import Registry, Resource  # noqa: PLC0415
    from referencing.jsonschema import DRAFT7  # noqa: PLC0415

    resources = [(s["$id"], Resource.from_contents(s, default_specification=DRAFT7))
                 for s in _schema_files(schema_dir())]
    return Registry().with_resources(resources)


@lru_cache(maxsize=1)
def object_schemas() -> dict[str, str]:
    """object_type -> `$id` of the schema whose `object_type` is that constant."""
    out = {}
    for s in _schema_files(schema_dir()):
        spec = s.get("properties", {}).get("object_type", {})
        if s["$id"].startswith(BASE + "objects/"):
            for kind in [spec["const"]] if "const" in spec else spec.get("enum", []):
                out[kind] = s["$id"]
    return out


@lru_cache(maxsize=None)
def validator(schema_id: str):
    from jsonschema import Draft7Validator  # noqa: PLC0415

    schema = registry().contents(schema_id)
    return Draft7Validator(schema, registry=registry(), format_checker=Draft7Validator.FORMAT_CHECKER)


def errors_of(instance: Any, schema_id: str) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator(schema_id).iter_errors(instance)]


def object_errors(obj: dict[str, Any]) -> list[str]:
    """Validate one object against the schema for its object_type."""
    kind = obj.get("object_type")
    schema_id = object_schemas().get(kind)
    if schema_id is None:
        return [f"unknown object_type {kind!r}"]
    return errors_of(obj, schema_id)


def file_errors(data: dict[str, Any]) -> list[str]:
    """Validate a whole OCF file against the schema for its file_type."""
    name = FILE_SCHEMAS.get(data.get("file_type"))
    if name is None:
        return [f"unknown file_type {data.get('file_type')!r}"]
    return errors_of(data, f"{BASE}{name}.schema.json")
