"""What the workbook (:mod:`.excel`) and the report (:mod:`.pdf`) show alike: labels, signs,
colours, numbers in Dutch and the points of the charts.

Signs follow CBS: ``x`` a figure not published (disclosure control), ``.`` no figure. Numbers
are written the Dutch way (``1.234,5``) with the indicator's decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor_dordt_west.programme import GOAL_YEAR, MUNICIPALITY
from monitor_dordt_west.publication.content import (
    Areas,
    Figure,
    Indicator,
    PillarContent,
    Publication,
    TableRow,
)
from monitor_dordt_west.publication.disclosure import MARK
from monitor_dordt_west.quarters import Quarter

MISSING = "."  # CBS convention: figure not available

STATUS_SYMBOL = {
    "op koers": "▲ op koers",
    "niet op koers": "▼ niet op koers",
    "niet vergelijkbaar": "– niet vergelijkbaar",
    "geen data": "· geen gegevens",
}
STATUS_COLOURS = {  # text, background
    "op koers": ("#1E7B34", "#DFF2E3"),
    "niet op koers": ("#A61B1B", "#F8DEDE"),
    "niet vergelijkbaar": ("#555555", "#EEEEEE"),
    "geen data": ("#555555", "#FFFFFF"),
}
AREA_COLOURS = ["#E4003A", "#F39200", "#5B9BD5", "#70AD47", "#7030A0", "#000000"]  # in the order of the areas
HEADER_COLOUR = "#DCE6F1"

LEGEND = [
    (MARK, "niet gepubliceerd ter bescherming van personen (minder dan 10 personen, een noemer kleiner dan 100, "
           "minder dan 30 respondenten, of om te voorkomen dat zo'n cijfer uit andere cijfers is af te leiden)"),
    (MISSING, "geen cijfer beschikbaar"),
    ("voorlopig", "cijfer kan nog wijzigen (het jaar is bij de bron nog niet afgesloten)"),
    (STATUS_SYMBOL["op koers"], "de waarde ligt op of voor het pad van de nulmeting naar het doel voor 2043"),
    (STATUS_SYMBOL["niet op koers"], "de waarde ligt achter op dat pad"),
    (STATUS_SYMBOL["niet vergelijkbaar"], "geen vergelijking mogelijk (zie Toelichting)"),
    ("Aantallen personen", "afgerond op vijftallen"),
]  # fmt: skip

AUTHOR = "Gemeente Dordrecht – Monitor Dordt West"
SIGNS = "x = niet gepubliceerd (bescherming van personen) · . = geen cijfer"  # below every table
NO_CHANGES = "Geen wijzigingen: eerste publicatie of geen nieuwe cijfers."


def title(content: PillarContent) -> str:
    return f"Monitor Dordt West – {content.pillar}"


def document_title(content: PillarContent) -> str:
    return f"Monitor Dordt West – {content.pillar} – {content.quarter.code}"


def created(publication: Publication) -> str:
    return publication.created.strftime("%d-%m-%Y %H:%M UTC")


def subtitle(publication: Publication) -> str:
    """The line under the title: quarter, version and creation time."""
    quarter = publication.content.quarter
    return f"Kwartaalpublicatie stuurgroep, {quarter.label} · versie {publication.version} · {created(publication)}"


def quarter_span(quarter: Quarter) -> str:
    return f"{quarter.code} ({quarter.start:%d-%m-%Y} t/m {quarter.end:%d-%m-%Y})"


def area_names(areas: Areas) -> str:
    return ", ".join(areas.names[a] for a in areas.order)


def number(value: float | None, dec: int) -> str:
    """A number the Dutch way (``1.234,5``); ``.`` for no figure."""
    if value is None:
        return MISSING
    return f"{value:,.{dec}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def display(figure: Figure, dec: int) -> str:
    """A figure as text: ``x`` when suppressed, else :func:`number`."""
    return MARK if figure.suppressed else number(figure.value, dec)


def shown(value: float | str | None, dec: int) -> str:
    """A number of a change list as text (a mark or ``ontbreekt`` as it is)."""
    return value if isinstance(value, str) else number(value, dec)


def progress(row: TableRow) -> str:
    """The progress cell: its symbol and words, ``x`` when hidden, ``.`` without a figure."""
    if row.progress_hidden:
        return MARK
    return STATUS_SYMBOL[row.progress] if row.progress else MISSING


def progress_count(status: str) -> str:
    """The label of a line of the progress overview (a status, or the figures not published)."""
    return STATUS_SYMBOL.get(status, f"{MARK} {status}")


def period_label(code: str) -> str:
    """A period as the reader reads it: a rolling year ``2026-Q3-4KW`` is "4 kwartalen t/m 3e kw. 2026"."""
    m = re.match(r"^(\d{4})-Q([1-4])-4KW$", code)
    if m:
        return f"4 kwartalen t/m {m.group(2)}e kw. {m.group(1)}"
    return code


def period_text(code: str | None) -> str:
    """:func:`period_label`, or ``.`` for no period."""
    return period_label(code) if code else MISSING


def period_x(code: str) -> float:
    """Position of a period on the time axis: a year at its number, a rolling year ending with
    quarter n of year Y at Y - 1 + n/4 (so the rolling year up to Q4 coincides with the year)."""
    if code.endswith("-4KW"):
        y, q = code[:4], code[6]
        return int(y) - 1 + int(q) / 4
    return float(code) if code.isdigit() else float("nan")


@dataclass(frozen=True)
class ChartPoints:
    """An indicator's chart: x positions of its periods, per area the published values (None: a
    gap), and the path from Dordt West's baseline to its 2043 goal (None: no such path)."""

    xs: list[float]
    values: dict[str, list[float | None]]
    path: list[tuple[float, float]] | None


def chart_points(content: PillarContent, ind: Indicator) -> ChartPoints:
    series = content.series_of(ind.code)
    periods = sorted({s.period for s in series}, key=period_x)
    values: dict[str, list[float | None]] = {a: [None] * len(periods) for a in content.areas.order}
    for s in series:
        values[s.area][periods.index(s.period)] = None if s.suppressed else s.value
    dw = content.rows_of(ind.code)[0]
    path = None
    if dw.baseline is not None and dw.goal is not None and dw.baseline_year:
        path = [(float(dw.baseline_year), dw.baseline), (float(GOAL_YEAR), dw.goal)]
    return ChartPoints([period_x(p) for p in periods], values, path)


def is_bold_area(areas: Areas, area: str) -> bool:
    """Dordt West and Dordrecht are drawn bolder than the wijken."""
    return area in (areas.order[0], MUNICIPALITY)
