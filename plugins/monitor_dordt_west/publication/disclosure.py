"""Disclosure control (onthullingsbeheersing) for what leaves the warehouse for a stuurgroep.

The rules are those of the brief, per indicator's disclosure class (``onthullingsklasse`` in the
catalogue; the classes and their rules in words are the seed ``onthullingsklassen``). :data:`RULES`
are the classes implemented here; a test holds them to the seed:

- ``personen``: counts of 1–9 persons are suppressed, other person counts are rounded to 5; a
  rate or share needs a denominator of at least 100.
- ``gebeurtenissen`` (crimes, incidents): counts are published; a rate needs a denominator >= 100.
- ``enquete``: a survey figure needs at least 30 respondents (unknown N: not published).
- ``samengesteld`` (compiled by the holder): published as delivered; a rate whose numerator and
  denominator are known needs a denominator >= 100.

Secondary suppression protects suppressed cells against derivation:

- *from totals and other areas*: per numerator series and period, Dordt West and its wijken form
  an additive group (Dordt West is treated as the sum of its four wijken, which overstates the
  risk a little because two wijken lie partly outside it). A group with exactly one hidden cell
  gets a second one: the smallest unknown part, else the total.
- *from other indicators*: cells that share a numerator (the count and the rate of one series)
  share their fate.
- *from other quarters*: a cell suppressed in an earlier publication stays suppressed while its
  number is unchanged, and a cell an earlier publication showed with the same number is known,
  so it cannot serve as secondary suppression.

Pure Python: no database, so the rules are tested with crafted small numbers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

MIN_PERSONS = 10
ROUND_PERSONS_TO = 5
MIN_DENOMINATOR = 100
MIN_RESPONDENTS = 30

RULES = ("personen", "gebeurtenissen", "enquete", "samengesteld")  # the disclosure classes implemented here
ADDITIVE_RULES = ("personen", "samengesteld")

MARK = "x"  # CBS convention: "x" = geheim / niet gepubliceerd


def round_persons(count: float) -> int:
    return int((Decimal(str(count)) / ROUND_PERSONS_TO).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * ROUND_PERSONS_TO


@dataclass(frozen=True)
class Cell:
    """One number to publish: an indicator for an area and period."""

    indicator: str
    area: str
    period: str
    rule: str
    is_count: bool  # the value is the count itself (unit "aantal")
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    respondents: int | None = None
    series: str | None = None  # numerator series; cells of one series share a numerator

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"onbekende onthullingsklasse '{self.rule}': verwacht een van {', '.join(RULES)}")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator, self.area, self.period)

    @property
    def numerator_key(self) -> tuple[str, str, str]:
        return (self.series or self.indicator, self.area, self.period)

    @property
    def fingerprint(self) -> str:
        """What the cell discloses, to recognise an unchanged cell in a later publication: keyed
        (:func:`keyed_fingerprint`), so the register cannot give a suppressed value away."""
        return keyed_fingerprint(f"{self.value!r}|{self.numerator!r}|{self.denominator!r}|{self.respondents!r}")


def keyed_fingerprint(plain: str) -> str:
    """HMAC-SHA256 of a cell's numbers with the register's fingerprint key (not in the warehouse):
    a plain hash of a small count is as good as the count (there are only a few to try)."""
    from monitor_dordt_west.warehouse.credentials import fingerprint_key

    return hmac.new(fingerprint_key(), plain.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Earlier:
    """How an earlier publication treated a cell."""

    suppressed: bool
    fingerprint: str


@dataclass
class Decision:
    suppressed: bool = False
    kind: str | None = None  # primair, secundair, eerder
    reason: str | None = None
    published_numerator: int | None = None
    published_value: float | None = None


@dataclass
class Outcome:
    decisions: dict[tuple[str, str, str], Decision]
    warnings: list[str] = field(default_factory=list)

    def suppressed(self) -> set[tuple[str, str, str]]:
        return {k for k, d in self.decisions.items() if d.suppressed}


def primary(cell: Cell) -> str | None:
    """Why the cell itself may not be published, or None."""
    if cell.value is None:
        return None
    if cell.rule == "enquete":
        if cell.respondents is None:
            return "aantal respondenten onbekend"
        if cell.respondents < MIN_RESPONDENTS:
            return f"minder dan {MIN_RESPONDENTS} respondenten"
        return None
    if cell.rule == "personen" and cell.numerator is not None and 0 < cell.numerator < MIN_PERSONS:
        return f"klein aantal personen (1-{MIN_PERSONS - 1})"
    # a compiled rate is checked only when its numerator is known too
    checked = cell.rule != "samengesteld" or cell.numerator is not None
    if not cell.is_count and checked and cell.denominator is not None and cell.denominator < MIN_DENOMINATOR:
        return f"noemer kleiner dan {MIN_DENOMINATOR}"
    return None


def additive_groups(cells: Iterable[Cell], groups: Mapping[str, list[str]]) -> dict[tuple[str, str, str], list[Cell]]:
    """Per (indicator, period, total area) the cells of the total and its parts that add up:
    numerators under an additive rule. A group without its total constrains nothing: left out."""
    part_of = {p: t for t, parts in groups.items() for p in parts}
    grouped: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    for c in cells:
        if c.rule in ADDITIVE_RULES and c.numerator is not None and c.value is not None:
            total = c.area if c.area in groups else part_of.get(c.area)
            if total is not None:
                grouped[(c.indicator, c.period, total)].append(c)
    return {k: v for k, v in grouped.items() if any(m.area == k[2] for m in v)}


def protect(
    cells: Iterable[Cell],
    groups: Mapping[str, list[str]],
    earlier: Mapping[tuple[str, str, str], Earlier] | None = None,
) -> Outcome:
    """Decide for every cell whether it is published, and the numbers that are.

    ``groups`` maps a total area to its parts (``{"FG0505DW": [four wijken]}``); ``earlier``
    holds how the previous publications treated each cell (most recent first wins).
    """
    cells = list(cells)
    earlier = earlier or {}
    decisions = {c.key: Decision() for c in cells}
    warnings: list[str] = []

    def suppress(key, kind: str, reason: str) -> bool:
        d = decisions[key]
        if d.suppressed:
            return False
        d.suppressed, d.kind, d.reason = True, kind, reason
        return True

    for c in cells:
        if (why := primary(c)) is not None:
            suppress(c.key, "primair", why)
        elif (e := earlier.get(c.key)) is not None and e.suppressed and e.fingerprint == c.fingerprint:
            suppress(c.key, "eerder", "niet gepubliceerd in een eerdere publicatie (ongewijzigd)")

    def known_before(c: Cell) -> bool:
        e = earlier.get(c.key)
        return e is not None and not e.suppressed and e.fingerprint == c.fingerprint

    grouped = additive_groups(cells, groups)
    shared: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    for c in cells:
        if c.numerator is not None:
            shared[c.numerator_key].append(c)

    changed = True
    while changed:
        changed = False
        # cells sharing a numerator share their fate
        for members in shared.values():
            hidden = [m for m in members if decisions[m.key].suppressed]
            if hidden:
                for m in members:
                    changed |= suppress(
                        m.key,
                        decisions[hidden[0].key].kind or "secundair",
                        "zelfde teller als een niet-gepubliceerde cel",
                    )
        for (indicator, period, total), members in sorted(grouped.items()):
            hidden = [m for m in members if decisions[m.key].suppressed]
            if len(hidden) != 1:
                continue
            candidates = [m for m in members if not decisions[m.key].suppressed and not known_before(m)]
            if not candidates:
                warnings.append(
                    f"{indicator} {period}: {hidden[0].area} is af te leiden uit eerder gepubliceerde cellen; "
                    "geen cel meer om secundair te onderdrukken"
                )
                continue
            pick = min(candidates, key=lambda m: (m.area == total, m.numerator, m.area))
            what = "het totaal en de andere gebieden" if pick.area != total else "de andere gebieden"
            changed |= suppress(pick.key, "secundair", f"secundair niet gepubliceerd: anders af te leiden uit {what}")

    for c in cells:
        d = decisions[c.key]
        if d.suppressed or c.value is None:
            continue
        if c.rule == "personen" and c.numerator is not None:
            d.published_numerator = round_persons(c.numerator)
            d.published_value = float(d.published_numerator) if c.is_count else c.value
        else:
            d.published_numerator = None if c.numerator is None else round(c.numerator)
            d.published_value = c.value
    return Outcome(decisions=decisions, warnings=warnings)


def check_groups_safe(outcome: Outcome, cells: Iterable[Cell], groups: Mapping[str, list[str]]) -> list[str]:
    """Groups in which exactly one cell is hidden (derivable): empty when protection holds."""
    out = []
    for key, members in additive_groups(cells, groups).items():
        hidden = [m.area for m in members if outcome.decisions[m.key].suppressed]
        if len(hidden) == 1:
            out.append(f"{key}: {hidden}")
    return out
