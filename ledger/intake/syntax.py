"""Event files read strictly: YAML and JSON text to plain data, refusing what would be misread.

YAML 1.1, which PyYAML reads, turns unquoted text into figures a person did not write:
`010` is 8 (octal), `0x10` 16, `0b101` 5, `1:30` 90 (base 60), `1_000` 1000, and any
unquoted decimal goes through a binary float. Both YAML and JSON keep the last of two equal
keys without a word, and a YAML set has no order for an event's identity to rest on. Each
of these is refused with the reason; share counts are written in decimal digits, and money,
prices and ratios in quotes ("16.30"), as the ledger stores them.

A refusal raises `SyntaxRefused` with the message and, for YAML, the 1-based line.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml


class SyntaxRefused(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
QUOTE_DECIMALS = "write decimals in quotes (\"16.30\") so they are read exactly as written"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class EventFileLoader(yaml.SafeLoader):
    """YAML's safe loader with the refusals above. A date that does not exist (2021-02-30)
    stays text, so that the event's own validation names the event and the field."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Merge keys (<<) first: keys a merge brings in may repeat, and be overridden by, the
        # mapping's own; only the mapping's own are checked against each other.
        own = {id(k) for k, _ in node.value}
        self.flatten_mapping(node)
        seen: dict[Any, int] = {}
        merged = {id(k) for k, _ in node.value if id(k) not in own}
        for key_node, _ in node.value:
            if id(key_node) in merged:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise SyntaxRefused(f"duplicate key {key!r} (also on line {seen[key]}); "
                                        "a key may appear once in a mapping", _line(key_node))
                seen[key] = _line(key_node)
            except TypeError:  # an unhashable key: the base class says so
                break
        return super().construct_mapping(node, deep=deep)


def _int(loader: EventFileLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not PLAIN_INT.fullmatch(text):
        raise SyntaxRefused(f"{text!r} is read by YAML 1.1 as the number "
                            f"{yaml.SafeLoader.construct_yaml_int(loader, node)}; write whole numbers in "
                            "decimal digits without leading zeros or separators, or quote text", _line(node))
    return int(text)


def _float(loader: EventFileLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    raise SyntaxRefused(f"unquoted decimal {text}: {QUOTE_DECIMALS}", _line(node))


def _date_or_text(loader: EventFileLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


def _set(loader: EventFileLoader, node: yaml.Node) -> Any:
    raise SyntaxRefused("a YAML set (!!set) has no order; write a list", _line(node))


EventFileLoader.add_constructor("tag:yaml.org,2002:int", _int)
EventFileLoader.add_constructor("tag:yaml.org,2002:float", _float)
EventFileLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)
EventFileLoader.add_constructor("tag:yaml.org,2002:set", _set)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=EventFileLoader)  # noqa: S506  (a SafeLoader)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SyntaxRefused(f"duplicate key {key!r}; a key may appear once in an object")
        out[key] = value
    return out


def _json_decimal(text: str) -> Any:
    raise SyntaxRefused(f"unquoted decimal {text}: {QUOTE_DECIMALS}")


def _json_constant(text: str) -> Any:
    raise SyntaxRefused(f"{text} is not a number JSON allows")


def parse_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_pairs, parse_float=_json_decimal, parse_constant=_json_constant)
