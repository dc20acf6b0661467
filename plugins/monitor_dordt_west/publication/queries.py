"""What the publication reads from the warehouse: the marts and the publication register.

Every ``select`` of the publication is here. The marts (``marts.dim_area``, ``dim_indicator``,
``fct_indicator_values`` with ``dim_period`` and ``fct_indicator_voortgang``, ``fct_nulmeting``)
come back as rows keyed by their column names, in a fixed order (the content's order, and so its
checksum, must not depend on the order in which a build wrote the rows). The register
(``mdw_meta.publicatie*``) is read for what earlier publications showed
(:func:`earlier_publications`: disclosure memory, revisions, the previous quarter) and for the
latest version of a publication and its cells and files (:mod:`.register`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor_dordt_west.programme import BASELINE_YEAR, FOCUS_AREA, MUNICIPALITY, PROGRAMME_AREAS
from monitor_dordt_west.publication import disclosure
from monitor_dordt_west.publication.content import Areas
from monitor_dordt_west.quarters import Quarter

Row = dict[str, Any]
CellKey = tuple[str, str, str]  # indicator, area, period


def rows(conn, query: str, params: dict | tuple = ()) -> list[Row]:
    cur = conn.execute(query, params)
    names = [c.name for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def num(v) -> float | None:
    return None if v is None else float(v)


def cell_key(c: Row) -> CellKey:
    return (c["indicator_code"], c["gebiedscode"], c["periode_code"])


def read_areas(conn) -> Areas:
    codes = list(PROGRAMME_AREAS)
    names = dict(
        conn.execute("select gebiedscode, gebiedsnaam from marts.dim_area where gebiedscode = any(%s)", (codes,))
    )
    missing = [c for c in codes if c not in names]
    if missing:
        raise RuntimeError(f"gebieden ontbreken in marts.dim_area: {missing}; is het warehouse gebouwd?")
    order = (FOCUS_AREA, *sorted(c for c in codes if c.startswith("WK")), MUNICIPALITY)
    return Areas(order=order, names=names)


INDICATORS_SQL = """
select indicator_code, naam, pijler, thema, thema_volgorde, operationeel_doel, doel_type, doel_waarde,
       doel_basisjaar, eenheid, richting, bron_partner, bron_bestand, soort_bron, bronhouder, definitie,
       onthullingsklasse, onthullingsregel, teller_reeks
from marts.dim_indicator
where status = 'actief'
order by pijler, thema_volgorde, indicator_code
"""

VALUES_SQL = """
select v.indicator_code, v.gebiedscode, v.periode_code, p.periodetype, p.jaar, p.kwartaal, p.einddatum,
       v.waarde, v.teller, v.noemer, v.respondenten, v.ondergrens, v.bovengrens, v.status, v.leveringen,
       g.nulmeting_waarde, g.nulmeting_jaar, g.nulmeting_bron, g.waarde_dordrecht, g.doel_2043, g.padwaarde,
       g.status as voortgang, g.status_toelichting
from marts.fct_indicator_values v
join marts.dim_period p on p.periode_code = v.periode_code
left join marts.fct_indicator_voortgang g
  on g.indicator_code = v.indicator_code and g.gebiedscode = v.gebiedscode and g.periode_code = v.periode_code
where v.gebiedscode = any(%(areas)s)
  and p.periodetype in ('jaar', 'voortschrijdend jaar')
  and p.einddatum <= %(end)s
order by v.indicator_code, v.gebiedscode, p.einddatum, v.periode_code  -- the content's order (and checksum)
"""

NULMETING_SQL = """
select indicator_code, gebiedscode, waarde, coalesce(referentiejaar, %(default_year)s) as jaar
from marts.fct_nulmeting where gebiedscode = any(%(areas)s)
order by indicator_code, gebiedscode
"""


def indicators(conn) -> dict[str, Row]:
    """The active indicators of the catalogue by code, in the order of pillar, theme and code."""
    return {r["indicator_code"]: r for r in rows(conn, INDICATORS_SQL)}


def values(conn, areas: Areas, quarter: Quarter) -> list[Row]:
    """Every yearly and rolling-year value of the areas up to the end of the quarter, with its
    progress towards the goal."""
    return rows(conn, VALUES_SQL, {"areas": list(areas.order), "end": quarter.end})


def baselines(conn, areas: Areas) -> dict[tuple[str, str], Row]:
    """The baselines printed in Bijlage 3, by indicator and area."""
    params = {"areas": list(areas.order), "default_year": BASELINE_YEAR}
    return {(r["indicator_code"], r["gebiedscode"]): r for r in rows(conn, NULMETING_SQL, params)}


@dataclass(frozen=True)
class EarlierPublications:
    """What earlier publications showed of the cells of a quarter's publication."""

    memory: dict[CellKey, disclosure.Earlier]  # quarters up to this one, all versions: for disclosure control
    published: dict[CellKey, Row]  # earlier quarters' latest versions: for revisions
    previous: dict[tuple[str, str], Row]  # the previous quarter's latest table cells, by indicator and area
    previous_pillars: set[str]  # the pillars the previous quarter published


def earlier_publications(conn, quarter: Quarter) -> EarlierPublications:
    cells = rows(
        conn,
        """
        select p.kwartaal, p.pijler, p.versie, p.aangemaakt_op, c.*
        from mdw_meta.publicatie_cel c join mdw_meta.publicatie p using (publicatie_id)
        where p.kwartaal <= %s
        order by p.aangemaakt_op, p.publicatie_id
        """,
        (quarter.code,),
    )
    latest_version: dict[tuple[str, str], int] = {}
    for c in cells:
        k = (c["kwartaal"], c["pijler"])
        latest_version[k] = max(latest_version.get(k, 0), c["versie"])
    memory: dict = {}
    published: dict = {}
    previous: dict = {}
    for c in cells:  # in creation order: the most recent state wins
        key = cell_key(c)
        memory[key] = disclosure.Earlier(c["onderdrukt"], c["vingerafdruk"])
        if c["kwartaal"] < quarter.code and c["versie"] == latest_version[(c["kwartaal"], c["pijler"])]:
            published[key] = c
            if c["kwartaal"] == quarter.previous().code and c["rol"] == "laatste":
                previous[(c["indicator_code"], c["gebiedscode"])] = c
    previous_pillars = {c["pijler"] for c in cells if c["kwartaal"] == quarter.previous().code}
    return EarlierPublications(memory, published, previous, previous_pillars)


def latest_version(conn, quarter: Quarter, pillar: str) -> Row | None:
    """The register's latest version of the quarter's publication for the pillar."""
    found = rows(
        conn,
        "select * from mdw_meta.publicatie where kwartaal = %s and pijler = %s order by versie desc limit 1",
        (quarter.code, pillar),
    )
    return found[0] if found else None


def version_cells(conn, publication_id: int) -> list[Row]:
    return rows(conn, "select * from mdw_meta.publicatie_cel where publicatie_id = %s", (publication_id,))


def version_files(conn, publication_id: int) -> dict[str, Row]:
    """The files the register froze for a version, by format."""
    found = rows(conn, "select * from mdw_meta.publicatie_bestand where publicatie_id = %s", (publication_id,))
    return {r["formaat"]: r for r in found}
