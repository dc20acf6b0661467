"""Assembly of a quarter's publication: from the marts to the typed content (:mod:`.content`).

:func:`build_quarter` makes every pillar's content of a quarter in named steps:

1. :func:`fetch` — the marts up to the end of the quarter and what earlier publications showed
   (:mod:`.queries`);
2. :func:`select_periods` — per indicator the latest period with a value (a year, or the rolling
   year ending with the quarter) and the trend: every year up to it, and that period;
3. :func:`apply_disclosure` — disclosure control (:mod:`.disclosure`) over every number of the
   trend, before anything is shown;
4. :func:`trend` — the trend's cells as published, compared with what earlier quarters published
   (a revision: a correction delivery changed a published number);
5. :func:`table` — per indicator × area the table row: the latest figure, baseline
   (:func:`baseline`), Dordrecht, goal, progress, significance (:func:`significance`), and the
   change against the previous quarter's publication (:func:`change_marker`);
6. :func:`content` — the :class:`~.content.QuarterContent`, with the indicators as published.

The comparison with the previous *version* of the same quarter is the register's
(:mod:`.register`); :mod:`.publish` runs it all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from monitor_dordt_west import programme
from monitor_dordt_west.programme import MUNICIPALITY
from monitor_dordt_west.publication import disclosure, queries
from monitor_dordt_west.publication.content import (
    Areas,
    Change,
    Indicator,
    QuarterContent,
    SeriesCell,
    TableRow,
    from_record,
)
from monitor_dordt_west.publication.queries import CellKey, EarlierPublications, Row, num
from monitor_dordt_west.quarters import Quarter
from monitor_dordt_west.warehouse.connection import PgTarget, connect

Z_95 = 1.959964


def decimals(unit: str) -> int:
    """The decimals the publication shows for a unit (seed eenheden)."""
    return programme.units()[unit].decimals


def rounded(value: Any, unit: str) -> float | None:
    if value is None:
        return None
    q = Decimal(1).scaleb(-decimals(unit))
    return float(Decimal(str(value)).quantize(q, rounding="ROUND_HALF_UP"))


def build_quarter(tgt: PgTarget, quarter: Quarter) -> QuarterContent:
    """Every pillar's content of the quarter, after disclosure control."""
    sources = fetch(tgt, quarter)
    selection = select_periods(sources)
    disclosed = apply_disclosure(sources, selection)
    series = trend(sources, selection, disclosed)
    rows = table(sources, selection, disclosed)
    return content(sources, selection, disclosed, series, rows)


# --------------------------------------------------------------------------------------------
# 1. fetch
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    """What a quarter's content is made of."""

    quarter: Quarter
    areas: Areas
    indicators: dict[str, Row]  # the catalogue's active indicators by code
    values: list[Row]  # every yearly and rolling-year value up to the end of the quarter
    baselines: dict[tuple[str, str], Row]  # printed in Bijlage 3, by indicator and area
    earlier: EarlierPublications


def fetch(tgt: PgTarget, quarter: Quarter) -> Sources:
    """Read the marts and the register (one connection, one snapshot of each query)."""
    with connect(tgt) as conn:
        areas = queries.read_areas(conn)
        return Sources(
            quarter=quarter,
            areas=areas,
            indicators=queries.indicators(conn),
            values=queries.values(conn, areas, quarter),
            baselines=queries.baselines(conn, areas),
            earlier=queries.earlier_publications(conn, quarter),
        )


# --------------------------------------------------------------------------------------------
# 2. select the periods
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The periods a quarter shows."""

    latest: dict[str, Row]  # per indicator, the value that fixed its latest period
    by_key: dict[CellKey, Row]  # every value by indicator, area and period
    series_keys: list[CellKey]  # the trend, in the content's order

    def period_of(self, indicator: str) -> str | None:
        chosen = self.latest.get(indicator)
        return chosen["periode_code"] if chosen else None


def select_periods(sources: Sources) -> Selection:
    """Per indicator the latest period with a value in any programme area (a year before a
    rolling year ending on the same day), and the trend: every year up to that period, and the
    period itself."""
    latest: dict[str, Row] = {}
    for v in sources.values:
        if v["waarde"] is None:
            continue
        rank = (v["einddatum"], v["periodetype"] == "jaar")
        cur = latest.get(v["indicator_code"])
        if cur is None or rank > (cur["einddatum"], cur["periodetype"] == "jaar"):
            latest[v["indicator_code"]] = v
    by_key = {queries.cell_key(v): v for v in sources.values}
    years: dict[str, set[tuple]] = defaultdict(set)
    for v in sources.values:
        if v["periodetype"] == "jaar":
            years[v["indicator_code"]].add((v["periode_code"], v["einddatum"]))
    series_keys: list[CellKey] = []
    for code, chosen in latest.items():
        periods = sorted({p for p, end in years[code] if end <= chosen["einddatum"]} | {chosen["periode_code"]})
        for a in sources.areas.order:
            for p in periods:
                if (code, a, p) in by_key:
                    series_keys.append((code, a, p))
    return Selection(latest=latest, by_key=by_key, series_keys=series_keys)


# --------------------------------------------------------------------------------------------
# 3. disclosure control
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosed:
    """The outcome of disclosure control over the trend's cells."""

    decisions: dict[CellKey, disclosure.Decision]
    fingerprints: dict[CellKey, str]
    warnings: list[str]
    units: dict[str, str]  # per indicator: for the rounding of what is shown

    def suppressed(self, key: CellKey) -> bool:
        d = self.decisions.get(key)
        return bool(d and d.suppressed)

    def shown(self, key: CellKey) -> float | None:
        """The published number of a cell, rounded for its unit; None: suppressed or not a cell."""
        d = self.decisions.get(key)
        if d is None or d.suppressed:
            return None
        return rounded(d.published_value, self.units[key[0]])

    def numerator(self, key: CellKey, indicator: Row) -> int | None:
        """The published numerator of a shown cell of an indicator with a numerator series."""
        d = self.decisions.get(key)
        return d.published_numerator if d and not d.suppressed and indicator["teller_reeks"] else None


def apply_disclosure(sources: Sources, selection: Selection) -> Disclosed:
    """Protect every cell of the trend (the table's figures are among them), remembering what
    earlier publications showed or hid."""
    cells = []
    for key in selection.series_keys:
        v, ind = selection.by_key[key], sources.indicators[key[0]]
        cells.append(
            disclosure.Cell(
                indicator=key[0],
                area=key[1],
                period=key[2],
                rule=ind["onthullingsklasse"],
                is_count=programme.units()[ind["eenheid"]].is_count,
                value=num(v["waarde"]),
                numerator=num(v["teller"]),
                denominator=num(v["noemer"]),
                respondents=v["respondenten"],
                series=ind["teller_reeks"],
            )
        )
    outcome = disclosure.protect(cells, sources.areas.groups, sources.earlier.memory)
    return Disclosed(
        decisions=outcome.decisions,
        fingerprints={c.key: c.fingerprint for c in cells},
        warnings=outcome.warnings,
        units={code: ind["eenheid"] for code, ind in sources.indicators.items()},
    )


# --------------------------------------------------------------------------------------------
# 4. the trend, compared with earlier quarters
# --------------------------------------------------------------------------------------------


def trend(sources: Sources, selection: Selection, disclosed: Disclosed) -> list[SeriesCell]:
    """Every cell of the trend as published, marked revised when an earlier quarter's latest
    version published another number (or hid it while it is shown now, or the other way round)."""
    out = []
    for key in selection.series_keys:
        d = disclosed.decisions[key]
        value = disclosed.shown(key)
        before = sources.earlier.published.get(key)
        revised = before is not None and (bool(before["onderdrukt"]) != d.suppressed or num(before["waarde"]) != value)
        out.append(
            SeriesCell(
                indicator=key[0],
                area=key[1],
                period=key[2],
                role="laatste" if selection.period_of(key[0]) == key[2] else "reeks",
                value=value,
                numerator=disclosed.numerator(key, sources.indicators[key[0]]),
                suppressed=d.suppressed,
                figure_status=selection.by_key[key]["status"],
                revised_from=(None if before["onderdrukt"] else num(before["waarde"])) if revised and before else None,
                revised=revised,
                suppression_kind=d.kind,
                suppression_reason=d.reason,
                fingerprint=disclosed.fingerprints[key],
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# 5. the table, compared with the previous quarter
# --------------------------------------------------------------------------------------------


def table(sources: Sources, selection: Selection, disclosed: Disclosed) -> list[TableRow]:
    """One row per indicator × area, in the order of the catalogue and the areas."""
    return [
        table_row(sources, selection, disclosed, code, area)
        for code in sources.indicators
        for area in sources.areas.order
    ]


def table_row(sources: Sources, selection: Selection, disclosed: Disclosed, code: str, area: str) -> TableRow:
    """The latest figure of the indicator for the area and what is shown beside it: a derived
    number of a suppressed figure (or baseline) is not shown."""
    ind = sources.indicators[code]
    unit = ind["eenheid"]
    period = selection.period_of(code)
    # without a period (the indicator has no figure yet) every lookup misses, as it should
    key = cast(CellKey, (code, area, period))
    v = selection.by_key.get(key)
    value = disclosed.shown(key) if v else None
    suppressed = disclosed.suppressed(key)
    gm_key = cast(CellKey, (code, MUNICIPALITY, period))
    gm_value = disclosed.shown(gm_key) if period else None
    base_value, base_year, base_hidden = baseline(sources, disclosed, v, code, area)
    goal_hidden = suppressed or (base_hidden and ind["doel_type"] == "verbeteren")
    prev = sources.earlier.previous.get((code, area))
    is_survey = ind["soort_bron"] == "enquete"
    return TableRow(
        indicator=code,
        area=area,
        period=period if v else None,
        value=value,
        suppressed=suppressed,
        numerator=disclosed.numerator(key, ind),
        figure_status=v["status"] if v else None,
        baseline=rounded(base_value, unit),
        baseline_suppressed=base_hidden,
        baseline_year=base_year,
        change_since_baseline=(
            rounded(value - base_value, unit) if value is not None and base_value is not None else None
        ),
        dordrecht=gm_value,
        gap_to_dordrecht=(
            rounded(value - gm_value, unit)
            if value is not None and gm_value is not None and area != MUNICIPALITY
            else None
        ),
        goal=rounded(num(v["doel_2043"]), unit) if v and not goal_hidden else None,
        progress=(v["voortgang"] or "geen data") if v and not (suppressed or base_hidden) else None,
        significance=(
            significance(v, selection.by_key.get(gm_key))
            if is_survey and v and not suppressed and area != MUNICIPALITY
            else None
        ),
        previous_period=prev["periode_code"] if prev else None,
        previous_value=(num(prev["waarde"]) if prev and not prev["onderdrukt"] else None),
        previous_suppressed=bool(prev["onderdrukt"]) if prev else None,
        change=change_marker(prev, v, value, suppressed, period, ind["pijler"] in sources.earlier.previous_pillars),
    )


def baseline(
    sources: Sources, disclosed: Disclosed, v: Row | None, code: str, area: str
) -> tuple[float | None, int | None, bool]:
    """The baseline of the indicator for the area: value (unrounded), year, and whether it is
    hidden. Printed in Bijlage 3, or else the value computed from the deliveries: a cell of the
    trend like any other, under the same disclosure control."""
    printed = sources.baselines.get((code, area))
    if printed is not None:
        return num(printed["waarde"]), printed["jaar"], False
    if v and v["nulmeting_waarde"] is not None:
        year = v["nulmeting_jaar"]
        base_key = (code, area, str(year))
        hidden = base_key not in disclosed.decisions or disclosed.suppressed(base_key)
        return (None if hidden else disclosed.shown(base_key)), year, hidden
    return None, None, False


def change_marker(
    prev: Row | None, v: Row | None, value: float | None, suppressed: bool, period: str | None, pillar_before: bool
) -> Change:
    """What the row shows against the previous quarter's publication (``prev``: its cell; ``pillar_before``:
    the pillar was published in the previous quarter)."""
    if prev is None and not pillar_before:
        return Change.FIRST_PUBLICATION
    if v is None or (v["waarde"] is None and not suppressed):
        return Change.NO_FIGURE
    if prev is None or prev["periode_code"] != period:
        return Change.NEW_FIGURE
    if bool(prev["onderdrukt"]) != suppressed or num(prev["waarde"]) != value:
        return Change.REVISED
    return Change.UNCHANGED


def significance(row: Mapping, dordrecht: Mapping | None) -> str | None:
    """Is a survey figure significantly different from Dordrecht's (95 %)? None: not a survey."""
    if dordrecht is None or row is dordrecht:
        return None

    def se(r):
        if r["ondergrens"] is not None and r["bovengrens"] is not None:
            return (float(r["bovengrens"]) - float(r["ondergrens"])) / (2 * Z_95)
        return None

    a, b = se(row), se(dordrecht)
    if a is None or b is None or row["waarde"] is None or dordrecht["waarde"] is None:
        return "onbekend"
    diff = float(row["waarde"]) - float(dordrecht["waarde"])
    spread = math.sqrt(a * a + b * b)
    if spread == 0 or abs(diff) / spread < Z_95:
        return "nee"
    return "ja, hoger" if diff > 0 else "ja, lager"


# --------------------------------------------------------------------------------------------
# 6. the content
# --------------------------------------------------------------------------------------------


def content(
    sources: Sources, selection: Selection, disclosed: Disclosed, series: list[SeriesCell], rows: list[TableRow]
) -> QuarterContent:
    """The quarter's content, with the indicators as published and per pillar the deliveries the
    table's figures come from."""
    deliveries: dict[str, set[int]] = defaultdict(set)
    for code, ind in sources.indicators.items():
        for area in sources.areas.order:
            v = selection.by_key.get(cast(CellKey, (code, area, selection.period_of(code))))
            if v:
                deliveries[ind["pijler"]].update(v["leveringen"] or ())
    return QuarterContent(
        quarter=sources.quarter,
        areas=sources.areas,
        indicators=tuple(public_indicator(i) for i in sources.indicators.values()),
        rows=tuple(rows),
        series=tuple(series),
        deliveries={p: frozenset(d) for p, d in deliveries.items()},
        warnings=tuple(disclosed.warnings),
    )


def public_indicator(ind: Row) -> Indicator:
    """The catalogue's indicator as published: numbers as floats, with its decimals and its goal in words."""
    out = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in ind.items()}
    out["decimalen"] = decimals(ind["eenheid"])
    out["doel_omschrijving"] = goal_text(ind)
    return from_record(Indicator, out)


def goal_text(ind: Mapping) -> str:
    """The goal in words: the goal type's text (seed doeltypen) with the indicator's value and base year."""
    t, w = ind["doel_type"], ind["doel_waarde"]
    goal_type = programme.goal_types().get(t)
    if goal_type is None:
        return t or ""
    w = None if w is None else f"{float(w):g}".replace(".", ",")
    return goal_type.text.format(waarde=w, basisjaar=ind["doel_basisjaar"])
