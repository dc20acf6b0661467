"""The typed content model of the quarterly publication: what every renderer reads.

Frozen dataclasses, built by :mod:`.assembly` after disclosure control and read by the
renderers (:mod:`.excel`, :mod:`.pdf`, :mod:`.tables`) by attribute only:

- :class:`QuarterContent` — every pillar's content of one quarter; :meth:`~QuarterContent.for_pillar`
  gives a :class:`PillarContent`: its :class:`Indicator` s grouped in :class:`Theme` s, one
  :class:`TableRow` per indicator × area (the latest figure, baseline, Dordrecht, goal, progress,
  the :class:`Change` since the previous quarter) and one :class:`SeriesCell` per indicator × area
  × period (the trend, as the register keeps it).
- :class:`Figure` — one number as a reader sees it: a value, no figure, or suppressed.
- :class:`Publication` — a version of a pillar's content in the register, with the
  :class:`CellChange` s against the previous version; :meth:`~Publication.change_lines` lists
  every :class:`ChangeLine` of its "Wijzigingen".

The register (``mdw_meta.publicatie*``), the analysts' CSV/Parquet and the content checksum use
the warehouse's Dutch column names: each field's ``column`` (:func:`column`, in its metadata);
:func:`record` gives an object as that mapping. The checksum is the SHA-256 of those records, so
a field renamed here changes nothing that is published, and a column renamed here changes the
checksum (a new version).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from monitor_dordt_west.programme import FOCUS_AREA, MUNICIPALITY
from monitor_dordt_west.publication.disclosure import MARK
from monitor_dordt_west.quarters import Quarter

PILLARS = (
    "Wonen en fysieke leefomgeving",
    "Gezond en samen leven",
    "Leren en ontwikkelen",
    "Arbeidsmarkt en bestaanszekerheid",
    "Leefbaar en veilig",
)

# progress towards the 2043 goal (marts.fct_indicator_voortgang.status), in the order shown
PROGRESS = ("op koers", "niet op koers", "niet vergelijkbaar", "geen data")
NOT_PUBLISHED = "niet gepubliceerd"  # Dordt West's figures whose progress is hidden
ABSENT = "ontbreekt"  # a cell one version of a change list has and the other has not

# a number in a change list: the value, None (no figure), MARK (suppressed) or ABSENT
Shown = float | str | None


def slug(pillar: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", pillar.lower()).strip("-")


def pillar_of(name: str) -> str:
    """The pillar by its full name or its slug (``leefbaar-en-veilig``)."""
    for p in PILLARS:
        if name in (p, slug(p)):
            return p
    raise ValueError(f"pijler '{name}' onbekend: kies uit {', '.join(slug(p) for p in PILLARS)}")


def column(name: str, *, published: bool = True) -> Any:
    """A field whose column name in the register, the analysts' tables and the checksum is ``name``;
    ``published=False``: kept in the register only (not in the content checksum)."""
    return field(metadata={"column": name, "published": published})


def record(obj: Any, *, published_only: bool = False) -> dict[str, Any]:
    """``obj`` as a mapping of its fields' columns (enumerations by their value)."""
    out = {}
    for f in fields(obj):
        if published_only and not f.metadata.get("published", True):
            continue
        value = getattr(obj, f.name)
        out[f.metadata.get("column", f.name)] = value.value if isinstance(value, Enum) else value
    return out


def from_record(cls: type, mapping: Mapping[str, Any]) -> Any:
    """An instance of the dataclass ``cls`` from a mapping of its fields' columns."""
    return cls(**{f.name: mapping[f.metadata.get("column", f.name)] for f in fields(cls)})


@dataclass(frozen=True)
class Areas:
    """The programme areas in the order of every table: Dordt West, its wijken, Dordrecht."""

    order: tuple[str, ...]
    names: Mapping[str, str]

    @property
    def wijken(self) -> list[str]:
        return [a for a in self.order if a.startswith("WK")]

    @property
    def groups(self) -> dict[str, list[str]]:
        """The additive groups of disclosure control: Dordt West and its wijken."""
        return {FOCUS_AREA: self.wijken}


@dataclass(frozen=True)
class Indicator:
    """An active indicator of the catalogue (``marts.dim_indicator``), as published."""

    code: str = column("indicator_code")
    name: str = column("naam")
    pillar: str = column("pijler")
    theme: str = column("thema")
    theme_order: int = column("thema_volgorde")
    operational_goal: str = column("operationeel_doel")
    goal_type: str | None = column("doel_type")
    goal_value: float | None = column("doel_waarde")
    goal_base_year: int | None = column("doel_basisjaar")
    unit: str = column("eenheid")
    direction: str | None = column("richting")
    source_partner: str = column("bron_partner")
    source_file: str | None = column("bron_bestand")
    source_kind: str | None = column("soort_bron")
    source_holder: str | None = column("bronhouder")
    definition: str | None = column("definitie")
    disclosure_rule: str = column("onthullingsregel")
    numerator_series: str | None = column("teller_reeks")
    decimals: int = column("decimalen")  # shown with this many decimals
    goal_description: str = column("doel_omschrijving")  # the 2043 goal in words


@dataclass(frozen=True)
class Figure:
    """One number as a reader sees it: its value (None: no figure, ``.``), or suppressed by
    disclosure control (``x``)."""

    value: float | None
    suppressed: bool = False

    @property
    def shown(self) -> Shown:
        """As a change list gives it: the value, or the mark of a suppressed cell."""
        return MARK if self.suppressed else self.value


class Change(StrEnum):
    """What a table row shows against the previous quarter's publication."""

    FIRST_PUBLICATION = "eerste publicatie"  # the pillar has no publication of the previous quarter
    NO_FIGURE = "geen cijfer"
    NEW_FIGURE = "nieuw cijfer"  # a later period than the previous publication's
    REVISED = "herzien"  # the same period, another number (a correction delivery)
    UNCHANGED = "geen nieuw cijfer"


@dataclass(frozen=True)
class SeriesCell:
    """One number of an indicator's trend (indicator × area × period), after disclosure control:
    a cell of the register's ``mdw_meta.publicatie_cel``."""

    indicator: str = column("indicator_code")
    area: str = column("gebiedscode")
    period: str = column("periode_code")
    role: str = column("rol")  # laatste: the period of the table; reeks: an earlier year of the trend
    value: float | None = column("waarde")  # None when suppressed
    numerator: int | None = column("teller")  # published for indicators with a numerator series
    suppressed: bool = column("onderdrukt")
    figure_status: str | None = column("status_cijfer")  # voorlopig / definitief
    revised_from: float | None = column("herzien_was")  # what an earlier quarter published (None: suppressed)
    revised: bool = column("herzien")  # an earlier quarter published another number for this cell
    suppression_kind: str | None = column("soort_onderdrukking", published=False)  # primair, secundair, eerder
    suppression_reason: str | None = column("reden", published=False)
    fingerprint: str = column("vingerafdruk", published=False)  # keyed: what the cell disclosed

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator, self.area, self.period)

    @property
    def figure(self) -> Figure:
        return Figure(self.value, self.suppressed)


@dataclass(frozen=True)
class TableRow:
    """One row of a theme's table: an indicator's latest figure for an area, with what is shown
    beside it. The derived numbers of a suppressed figure are hidden with it."""

    indicator: str = column("indicator_code")
    area: str = column("gebiedscode")
    period: str | None = column("periode_code")  # None: no figure up to the end of the quarter
    value: float | None = column("waarde")
    suppressed: bool = column("onderdrukt")
    numerator: int | None = column("teller")
    figure_status: str | None = column("status_cijfer")
    baseline: float | None = column("nulmeting")
    baseline_suppressed: bool = column("nulmeting_onderdrukt")  # a baseline computed from a suppressed cell
    baseline_year: int | None = column("nulmeting_jaar")
    change_since_baseline: float | None = column("verandering_sinds_nulmeting")
    dordrecht: float | None = column("waarde_dordrecht")
    gap_to_dordrecht: float | None = column("verschil_met_dordrecht")
    goal: float | None = column("doel_2043")
    progress: str | None = column("voortgang")  # one of PROGRESS; None when hidden or no figure
    significance: str | None = column("significant_verschil_dordrecht")  # survey indicators only
    previous_period: str | None = column("vorige_periode")  # of the previous quarter's publication
    previous_value: float | None = column("vorige_waarde")
    previous_suppressed: bool | None = column("vorige_onderdrukt")  # None: not in that publication
    change: Change = column("wijziging")  # noqa: RUF009 (column() is a field; an enumeration is immutable)

    @property
    def figure(self) -> Figure:
        return Figure(self.value, self.suppressed)

    @property
    def baseline_figure(self) -> Figure:
        return Figure(self.baseline, self.baseline_suppressed)

    @property
    def progress_hidden(self) -> bool:
        """The figure or its baseline is suppressed: so are the change since the baseline and the progress."""
        return self.suppressed or self.baseline_suppressed

    @property
    def change_since_baseline_figure(self) -> Figure:
        return Figure(self.change_since_baseline, self.progress_hidden)

    @property
    def dordrecht_figure(self) -> Figure:
        return Figure(self.dordrecht)

    @property
    def gap_figure(self) -> Figure | None:
        """The gap to Dordrecht; None in Dordrecht's own row (nothing to show)."""
        return None if self.area == MUNICIPALITY else Figure(self.gap_to_dordrecht, self.suppressed)

    @property
    def goal_figure(self) -> Figure:
        return Figure(self.goal, self.suppressed)

    @property
    def previous_figure(self) -> Figure:
        return Figure(self.previous_value, bool(self.previous_suppressed))


@dataclass(frozen=True)
class Theme:
    """A sheet of the workbook, a section of the report: the indicators of one theme."""

    name: str
    indicators: tuple[Indicator, ...]

    @property
    def operational_goal(self) -> str:
        return self.indicators[0].operational_goal


@dataclass(frozen=True)
class CellChange:
    """A cell that changed against the previous version of the same quarter (the register's
    ``wijzigingen``)."""

    indicator: str = column("indicator_code")
    area: str = column("gebiedscode")
    period: str | None = column("periode_code")
    was: float | str | None = column("was")  # a Shown: the value, MARK or ABSENT
    now: float | str | None = column("nu")


@dataclass(frozen=True)
class ChangeLine(CellChange):
    """A line of "Wijzigingen": a changed cell and what kind of change it is (in Dutch)."""

    kind: str = column("soort")


@dataclass(frozen=True)
class PillarContent:
    """What one pillar's publication of a quarter shows, after disclosure control."""

    quarter: Quarter
    pillar: str
    areas: Areas
    indicators: tuple[Indicator, ...]
    rows: tuple[TableRow, ...]
    series: tuple[SeriesCell, ...]
    deliveries: tuple[int, ...]  # mdw_meta.load_ledger ids the figures come from
    warnings: tuple[str, ...]

    def checksum(self) -> str:
        """SHA-256 of the published numbers: the same numbers reproduce the same version."""
        body = {
            "kwartaal": self.quarter.code,
            "pijler": self.pillar,
            "gebieden": [[a, self.areas.names[a]] for a in self.areas.order],
            "indicatoren": [record(i) for i in self.indicators],
            "tabel": [record(r) for r in self.rows],
            # the kind and reason of a suppression stay in the register: not part of what is published
            "reeksen": [record(s, published_only=True) for s in self.series],
        }
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def themes(self) -> tuple[Theme, ...]:
        out: dict[str, list[Indicator]] = {}
        for ind in sorted(self.indicators, key=lambda i: (i.theme_order, i.code)):
            out.setdefault(ind.theme, []).append(ind)
        return tuple(Theme(name, tuple(indicators)) for name, indicators in out.items())

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def rows_of(self, indicator: str) -> list[TableRow]:
        """The indicator's table rows, in the order of the areas (Dordt West first)."""
        return [r for r in self.rows if r.indicator == indicator]

    def series_of(self, indicator: str) -> list[SeriesCell]:
        return [s for s in self.series if s.indicator == indicator]

    @property
    def suppressed(self) -> int:
        """Cells (indicator × area × period) not published."""
        return sum(1 for s in self.series if s.suppressed)

    def progress_counts(self) -> dict[str, int]:
        """Dordt West's latest figures by progress status (and how many are not published)."""
        out = dict.fromkeys((*PROGRESS, NOT_PUBLISHED), 0)
        for r in self.rows:
            if r.area != FOCUS_AREA:
                continue
            if r.progress_hidden:
                out[NOT_PUBLISHED] += 1
            else:
                out[r.progress or "geen data"] += 1
        return out

    @property
    def slug(self) -> str:
        return slug(self.pillar)


@dataclass(frozen=True)
class QuarterContent:
    """Everything every pillar's publication of one quarter shows, after disclosure control."""

    quarter: Quarter
    areas: Areas
    indicators: tuple[Indicator, ...]
    rows: tuple[TableRow, ...]  # one per indicator × area: the latest value
    series: tuple[SeriesCell, ...]  # one per indicator × area × period: the trend
    deliveries: Mapping[str, frozenset[int]]  # per pillar
    warnings: tuple[str, ...] = ()  # of disclosure control, each starting with the indicator code

    def for_pillar(self, pillar: str) -> PillarContent:
        codes = {i.code for i in self.indicators if i.pillar == pillar}
        return PillarContent(
            quarter=self.quarter,
            pillar=pillar,
            areas=self.areas,
            indicators=tuple(i for i in self.indicators if i.code in codes),
            rows=tuple(r for r in self.rows if r.indicator in codes),
            series=tuple(s for s in self.series if s.indicator in codes),
            deliveries=tuple(sorted(self.deliveries.get(pillar, ()))),
            warnings=tuple(w for w in self.warnings if w.split(" ", 1)[0] in codes),
        )


@dataclass(frozen=True)
class Publication:
    """A version of a pillar's publication: its content, version number and creation time in
    the register, and the cells that changed against the previous version of the quarter."""

    content: PillarContent
    version: int
    created: datetime
    version_changes: tuple[CellChange, ...] = ()

    def change_lines(self) -> list[ChangeLine]:
        """What changed: against the previous version of this quarter, revisions of numbers an
        earlier quarter published, and new figures since the previous quarter's publication."""
        out = [
            ChangeLine(c.indicator, c.area, c.period, c.was, c.now, f"gewijzigd t.o.v. versie {self.version - 1}")
            for c in self.version_changes
        ]
        for s in self.content.series:
            if s.revised:
                was = MARK if s.revised_from is None else s.revised_from
                out.append(
                    ChangeLine(s.indicator, s.area, s.period, was, s.figure.shown, "herzien (correctielevering)")
                )
        for r in self.content.rows:
            if r.change == Change.NEW_FIGURE:
                kind = f"nieuw cijfer (vorige: {r.previous_period or 'geen cijfer'})"
                out.append(ChangeLine(r.indicator, r.area, r.period, r.previous_figure.shown, r.figure.shown, kind))
        return out

    def file_stem(self) -> str:
        c = self.content
        return f"monitor-dordt-west_{c.quarter.code}_{c.slug}_v{self.version}"
