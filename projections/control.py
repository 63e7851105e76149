"""Who controls whom, and which groups there are: what Rule 13d-3 ownership reads of the
state besides the holdings, as plain data (kept as intervals beside them, like the classes'
terms). No event models: a reader of the intervals does not load them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.state import State


@dataclass(frozen=True)
class Control:
    groups: dict[str, tuple[str, ...]]  # group -> its members
    children: dict[str, list[str]]  # controller -> the parties it controls directly, in the order recorded

    def controlled_by(self, controller: str) -> set[str]:
        """Every party the controller controls, at any depth."""
        out: set[str] = set()
        todo = list(self.children.get(controller, []))
        while todo:
            p = todo.pop()
            if p not in out:
                out.add(p)
                todo.extend(self.children.get(p, []))
        return out

    def data(self) -> dict[str, Any]:
        return {"groups": self.groups, "children": self.children}

    @classmethod
    def read(cls, data: dict[str, Any]) -> Control:
        return cls({g: tuple(m) for g, m in data["groups"].items()}, data["children"])


def control_of(state: State) -> Control:
    children: dict[str, list[str]] = {}
    for controlled, entries in state.controllers.items():
        for c, _, _ in entries:
            children.setdefault(c, []).append(controlled)
    return Control(dict(state.groups), children)
