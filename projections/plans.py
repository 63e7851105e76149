"""A stock plan's pool as the fold keeps it, and what is available for grant on a date.

What is available is never stored: it is the pool's size less the shares its grants have
delivered (exercised, released), less those its live grants still hold, less those it
retired on cancellation. So a grant that expires unexercised returns to the pool on its
expiry date with no event, and a cancellation returns what it frees, unless the plan
retires cancelled shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projections.warrants import WarrantState


@dataclass(slots=True)
class PlanState:
    plan: str
    name: str
    securities: tuple[str, ...]
    size: int
    retire_cancelled: bool
    granted: int = 0  # every share ever granted under the plan, split-adjusted
    delivered: int = 0  # shares its grants have turned into (exercised, released)
    retired: int = 0  # cancelled under a plan that retires them: out of the pool for good

    def committed(self, grants: Iterable[WarrantState], day: dt.date) -> int:
        """Shares the plan's live grants still hold on the date (an upper bound where an exercise's
        size is unstated, so that what is available is never overstated)."""
        return sum(w.outstanding(day) for w in grants if w.plan == self.plan)

    def available(self, grants: Iterable[WarrantState], day: dt.date) -> int:
        return self.size - self.delivered - self.retired - self.committed(grants, day)

    def row(self, grants: Iterable[WarrantState], day: dt.date) -> dict[str, Any]:
        """The pool's holdings row: `quantity` is what is available for grant."""
        committed = self.committed(grants, day)
        return {
            "party": f"pool:{self.plan}",
            "security": self.plan,
            "kind": "pool",
            "quantity": self.size - self.delivered - self.retired - committed,
            "size": self.size,
            "granted": self.granted,
            "outstanding": committed,
            "delivered": self.delivered,
            "returned": self.granted - committed - self.delivered - self.retired,
            "retired": self.retired,
        }

    def data(self) -> list[Any]:
        return [self.plan, self.name, list(self.securities), self.size, self.retire_cancelled, self.granted,
                self.delivered, self.retired]

    @classmethod
    def read(cls, data: list[Any]) -> PlanState:
        plan, name, securities, size, retire, granted, delivered, retired = data
        return cls(plan, name, tuple(securities), size, retire, granted, delivered, retired)
