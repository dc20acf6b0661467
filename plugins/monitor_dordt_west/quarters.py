"""Calendar quarters: the unit of publication for the stuurgroepen.

Pure date logic, shared by the sample generator, the publication and the quarterly timetable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# The partners' delivery deadlines (partner-exports.md): politie by the 10th of the month after,
# SDD by the 15th, BLIK in the first week of the quarter after. The publication of a quarter runs
# on the day after the last deadline.
PUBLICATION_DAY = 16

_CODE = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, code: str) -> Quarter:
        m = _CODE.match(code.strip())
        if not m:
            raise ValueError(f"kwartaal '{code}' niet herkend: verwacht JJJJ-Qn, bijvoorbeeld 2026-Q3")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_complete(cls, today: date) -> Quarter:
        """The last quarter that has ended before ``today``."""
        return cls.containing(today).previous()

    @classmethod
    def last_published(cls, today: date) -> Quarter:
        """The last quarter whose publication day has come (its deliveries are due)."""
        last = cls.last_complete(today)
        return last if today >= last.publication_date() else last.previous()

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def label(self) -> str:
        return f"{self.q}e kwartaal {self.year}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def previous(self) -> Quarter:
        return Quarter(self.year, self.q - 1) if self.q > 1 else Quarter(self.year - 1, 4)

    def next(self) -> Quarter:
        return Quarter(self.year, self.q + 1) if self.q < 4 else Quarter(self.year + 1, 1)

    def publication_date(self) -> date:
        return self.next().start.replace(day=PUBLICATION_DAY)

    def __str__(self) -> str:
        return self.code
