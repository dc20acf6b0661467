"""The quarterly publication for the five stuurgroepen: content, disclosure control, register.

For a quarter and a pillar, :func:`publish` reads the marts, picks every indicator's latest
value up to the end of the quarter (a year, or the rolling year ending with the quarter),
applies disclosure control (:mod:`.disclosure`) to every number that leaves the warehouse,
compares with the previous quarter's publication, and freezes the result in the publication
register (``mdw_meta.publicatie*``) with its files (Excel, PDF, CSV, Parquet).

Re-running a quarter whose published numbers did not change reproduces the same version (same
content checksum, byte-identical files); when they did change (a correction delivery), it makes
the next version and records what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from monitor_dordt_west import config
from monitor_dordt_west.publication import disclosure
from monitor_dordt_west.quarters import Quarter
from monitor_dordt_west.warehouse.connection import PgTarget, as_role, connect
from monitor_dordt_west.warehouse.credentials import PUBLISHER

log = logging.getLogger(__name__)

PILLARS = (
    "Wonen en fysieke leefomgeving",
    "Gezond en samen leven",
    "Leren en ontwikkelen",
    "Arbeidsmarkt en bestaanszekerheid",
    "Leefbaar en veilig",
)
FOCUS_AREA = "FG0505DW"
MUNICIPALITY = "GM0505"
GOAL_YEAR = 2043
Z_95 = 1.959964

DECIMALS = {"index": 2, "aantal": 0}  # every other unit: one decimal

STATUS_SYMBOL = {
    "op koers": "▲ op koers",
    "niet op koers": "▼ niet op koers",
    "niet vergelijkbaar": "– niet vergelijkbaar",
    "geen data": "· geen gegevens",
}
FORMATS = ("xlsx", "pdf", "csv", "parquet")


def slug(pillar: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", pillar.lower()).strip("-")


def decimals(unit: str) -> int:
    return DECIMALS.get(unit, 1)


def rounded(value: Any, unit: str) -> float | None:
    if value is None:
        return None
    q = Decimal(1).scaleb(-decimals(unit))
    return float(Decimal(str(value)).quantize(q, rounding="ROUND_HALF_UP"))


def pillar_of(name: str) -> str:
    """The pillar by its full name or its slug (``leefbaar-en-veilig``)."""
    for p in PILLARS:
        if name in (p, slug(p)):
            return p
    raise ValueError(f"pijler '{name}' onbekend: kies uit {', '.join(slug(p) for p in PILLARS)}")


# --------------------------------------------------------------------------------------------
# reading the warehouse
# --------------------------------------------------------------------------------------------


def _rows(conn, query: str, params: dict | tuple = ()) -> list[dict]:
    cur = conn.execute(query, params)
    names = [c.name for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _num(v):
    return None if v is None else float(v)


@dataclass
class Areas:
    order: list[str]
    names: dict[str, str]

    @property
    def wijken(self) -> list[str]:
        return [a for a in self.order if a.startswith("WK")]

    @property
    def groups(self) -> dict[str, list[str]]:
        return {FOCUS_AREA: self.wijken}


def dbt_vars() -> dict:
    import yaml

    return yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def read_areas(conn) -> Areas:
    codes = dbt_vars()["programma_gebieden"]
    names = dict(
        conn.execute("select gebiedscode, gebiedsnaam from marts.dim_area where gebiedscode = any(%s)", (codes,))
    )
    missing = [c for c in codes if c not in names]
    if missing:
        raise RuntimeError(f"gebieden ontbreken in marts.dim_area: {missing}; is het warehouse gebouwd?")
    order = [FOCUS_AREA, *sorted(c for c in codes if c.startswith("WK")), MUNICIPALITY]
    return Areas(order=order, names=names)


INDICATORS_SQL = """
select indicator_code, naam, pijler, thema, thema_volgorde, operationeel_doel, doel_type, doel_waarde,
       doel_basisjaar, eenheid, richting, bron_partner, bron_bestand, soort_bron, bronhouder, definitie,
       onthullingsregel, teller_reeks
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


def significance(row: dict, dordrecht: dict | None) -> str | None:
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


@dataclass
class QuarterContent:
    """Everything every pillar's publication of one quarter shows, after disclosure control."""

    quarter: Quarter
    areas: Areas
    indicators: dict[str, dict]
    rows: list[dict]  # one per indicator × area: the latest value
    series: list[dict]  # one per indicator × area × period: the trend
    leveringen: dict[str, set[int]]  # per pillar
    warnings: list[str] = field(default_factory=list)

    def for_pillar(self, pillar: str) -> PillarContent:
        codes = {c for c, i in self.indicators.items() if i["pijler"] == pillar}
        return PillarContent(
            quarter=self.quarter,
            pillar=pillar,
            areas=self.areas,
            indicators=[self.indicators[c] for c in self.indicators if c in codes],
            rows=[r for r in self.rows if r["indicator_code"] in codes],
            series=[s for s in self.series if s["indicator_code"] in codes],
            leveringen=sorted(self.leveringen.get(pillar, ())),
            warnings=[w for w in self.warnings if w.split(" ", 1)[0] in codes],
        )


@dataclass
class PillarContent:
    quarter: Quarter
    pillar: str
    areas: Areas
    indicators: list[dict]
    rows: list[dict]
    series: list[dict]
    leveringen: list[int]
    warnings: list[str]
    version: int = 0
    created: datetime | None = None
    previous_version_changes: list[dict] = field(default_factory=list)

    def checksum(self) -> str:
        body = {
            "kwartaal": self.quarter.code,
            "pijler": self.pillar,
            "gebieden": [[a, self.areas.names[a]] for a in self.areas.order],
            "indicatoren": self.indicators,
            "tabel": self.rows,
            # the kind and reason of a suppression stay in the register: not part of what is published
            "reeksen": [{k: v for k, v in s.items() if not k.startswith("_")} for s in self.series],
        }
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def themes(self) -> list[tuple[str, list[dict]]]:
        out: dict[str, list[dict]] = {}
        for ind in sorted(self.indicators, key=lambda i: (i["thema_volgorde"], i["indicator_code"])):
            out.setdefault(ind["thema"], []).append(ind)
        return list(out.items())

    def rows_of(self, indicator: str) -> list[dict]:
        return [r for r in self.rows if r["indicator_code"] == indicator]

    def series_of(self, indicator: str) -> list[dict]:
        return [s for s in self.series if s["indicator_code"] == indicator]

    def change_lines(self) -> list[dict]:
        """What changed: against the previous version of this quarter, revisions of numbers an
        earlier quarter published, and new figures since the previous quarter's publication.
        ``was``/``nu`` are numbers, or the mark of a suppressed cell."""
        out = [{**ch, "soort": f"gewijzigd t.o.v. versie {self.version - 1}"} for ch in self.previous_version_changes]
        mark = disclosure.MARK
        for s in self.series:
            if s["herzien"]:
                was = mark if s["herzien_was"] is None else s["herzien_was"]
                now = mark if s["onderdrukt"] else s["waarde"]
                out.append({**_cell_id(s), "was": was, "nu": now, "soort": "herzien (correctielevering)"})
        for r in self.rows:
            if r["wijziging"] == "nieuw cijfer":
                was = mark if r["vorige_onderdrukt"] else r["vorige_waarde"]
                now = mark if r["onderdrukt"] else r["waarde"]
                before = r["vorige_periode"] or "geen cijfer"
                out.append({**_cell_id(r), "was": was, "nu": now, "soort": f"nieuw cijfer (vorige: {before})"})
        return out

    @property
    def suppressed(self) -> int:
        """Cells (indicator × area × period) not published."""
        return sum(1 for s in self.series if s["onderdrukt"])

    def progress_counts(self) -> dict[str, int]:
        """Dordt West's latest figures by progress status (and how many are not published)."""
        out = dict.fromkeys((*STATUS_SYMBOL, "niet gepubliceerd"), 0)
        for r in self.rows:
            if r["gebiedscode"] != FOCUS_AREA:
                continue
            if r["onderdrukt"] or r["nulmeting_onderdrukt"]:
                out["niet gepubliceerd"] += 1
            else:
                out[r["voortgang"] or "geen data"] += 1
        return out

    @property
    def slug(self) -> str:
        return slug(self.pillar)

    def file_stem(self) -> str:
        return f"monitor-dordt-west_{self.quarter.code}_{self.slug}_v{self.version}"


KEY = ("indicator_code", "gebiedscode", "periode_code")


def _key(c: dict) -> tuple[str, str, str]:
    return (c["indicator_code"], c["gebiedscode"], c["periode_code"])


def _cell_id(c: dict) -> dict:
    return dict(zip(KEY, _key(c), strict=True))


def _earlier_cells(conn, quarter: Quarter) -> tuple[dict, dict, dict, set[str]]:
    """What earlier publications showed: for disclosure memory (quarters up to this one, all
    versions), for revisions (earlier quarters' latest versions), the previous quarter's latest
    cells and the pillars it published."""
    cells = _rows(
        conn,
        """
        select p.kwartaal, p.pijler, p.versie, p.aangemaakt_op, c.*
        from mdw_meta.publicatie_cel c join mdw_meta.publicatie p using (publicatie_id)
        where p.kwartaal <= %s
        order by p.aangemaakt_op, p.publicatie_id
        """,
        (quarter.code,),
    )
    latest_version = {}
    for c in cells:
        k = (c["kwartaal"], c["pijler"])
        latest_version[k] = max(latest_version.get(k, 0), c["versie"])
    memory: dict = {}
    published: dict = {}
    previous: dict = {}
    for c in cells:  # in creation order: the most recent state wins
        key = _key(c)
        memory[key] = disclosure.Earlier(c["onderdrukt"], c["vingerafdruk"])
        if c["kwartaal"] < quarter.code and c["versie"] == latest_version[(c["kwartaal"], c["pijler"])]:
            published[key] = c
            if c["kwartaal"] == quarter.previous().code and c["rol"] == "laatste":
                previous[(c["indicator_code"], c["gebiedscode"])] = c
    previous_pillars = {c["pijler"] for c in cells if c["kwartaal"] == quarter.previous().code}
    return memory, published, previous, previous_pillars


def _choose_periods(values: list[dict]) -> dict[str, dict]:
    """Per indicator the latest period with a value in any programme area (a year before a
    rolling year ending on the same day)."""
    best: dict[str, dict] = {}
    for v in values:
        if v["waarde"] is None:
            continue
        rank = (v["einddatum"], v["periodetype"] == "jaar")
        cur = best.get(v["indicator_code"])
        if cur is None or rank > (cur["einddatum"], cur["periodetype"] == "jaar"):
            best[v["indicator_code"]] = v
    return best


def period_label(code: str) -> str:
    m = re.match(r"^(\d{4})-Q([1-4])-4KW$", code)
    if m:
        return f"4 kwartalen t/m {m.group(2)}e kw. {m.group(1)}"
    return code


def build_quarter(tgt: PgTarget, quarter: Quarter) -> QuarterContent:
    with connect(tgt) as conn:
        areas = read_areas(conn)
        indicators = {r["indicator_code"]: r for r in _rows(conn, INDICATORS_SQL)}
        values = _rows(conn, VALUES_SQL, {"areas": areas.order, "end": quarter.end})
        nulmeting = {
            (r["indicator_code"], r["gebiedscode"]): r
            for r in _rows(conn, NULMETING_SQL, {"areas": areas.order, "default_year": dbt_vars()["nulmeting_jaar"]})
        }
        memory, published_before, previous, previous_pillars = _earlier_cells(conn, quarter)

    latest = _choose_periods(values)
    by_key = {_key(v): v for v in values}
    years: dict[str, set[tuple]] = defaultdict(set)
    for v in values:
        if v["periodetype"] == "jaar":
            years[v["indicator_code"]].add((v["periode_code"], v["einddatum"]))
    # the trend: every year up to the latest period, and the latest period itself
    series_keys: list[tuple[str, str, str]] = []
    for code, chosen in latest.items():
        periods = sorted({p for p, end in years[code] if end <= chosen["einddatum"]} | {chosen["periode_code"]})
        for a in areas.order:
            for p in periods:
                if (code, a, p) in by_key:
                    series_keys.append((code, a, p))

    cells = []
    for key in series_keys:
        v, ind = by_key[key], indicators[key[0]]
        cells.append(
            disclosure.Cell(
                indicator=key[0],
                area=key[1],
                period=key[2],
                rule=disclosure.rule_of(ind["onthullingsregel"]),
                is_count=ind["eenheid"] == "aantal",
                value=_num(v["waarde"]),
                numerator=_num(v["teller"]),
                denominator=_num(v["noemer"]),
                respondents=v["respondenten"],
                series=ind["teller_reeks"],
            )
        )
    outcome = disclosure.protect(cells, areas.groups, memory)
    decisions = outcome.decisions
    fingerprints = {c.key: c.fingerprint for c in cells}

    def shown(key) -> float | None:
        d = decisions.get(key)
        if d is None or d.suppressed:
            return None
        return rounded(d.published_value, indicators[key[0]]["eenheid"])

    series = []
    for key in series_keys:
        v, d = by_key[key], decisions[key]
        before = published_before.get(key)
        value = shown(key)
        revised = before is not None and (
            bool(before["onderdrukt"]) != d.suppressed or (_num(before["waarde"]) != value)
        )
        series.append(
            {
                "indicator_code": key[0],
                "gebiedscode": key[1],
                "periode_code": key[2],
                "rol": "laatste" if latest[key[0]]["periode_code"] == key[2] else "reeks",
                "waarde": value,
                "teller": d.published_numerator if not d.suppressed and indicators[key[0]]["teller_reeks"] else None,
                "onderdrukt": d.suppressed,
                "status_cijfer": v["status"],
                "herzien_was": (None if before["onderdrukt"] else _num(before["waarde"])) if revised else None,
                "herzien": revised,
                "_soort": d.kind,
                "_reden": d.reason,
                "_vingerafdruk": fingerprints[key],
            }
        )

    rows = []
    leveringen: dict[str, set[int]] = defaultdict(set)
    for code, ind in indicators.items():
        chosen = latest.get(code)
        period = chosen["periode_code"] if chosen else None
        gm_key = (code, MUNICIPALITY, period)
        gm_value = shown(gm_key) if period else None
        unit = ind["eenheid"]
        for a in areas.order:
            key = (code, a, period)
            v = by_key.get(key)
            d = decisions.get(key)
            nul = nulmeting.get((code, a))
            nul_value = _num(nul["waarde"]) if nul else None
            nul_year = nul["jaar"] if nul else None
            nul_hidden = False
            if nul is None and v and v["nulmeting_waarde"] is not None:
                # not printed in Bijlage 3: the baseline is the value computed from the deliveries,
                # a cell of the trend like any other, under the same disclosure control
                nul_year = v["nulmeting_jaar"]
                base = decisions.get((code, a, str(nul_year)))
                nul_hidden = base is None or base.suppressed
                nul_value = None if nul_hidden else shown((code, a, str(nul_year)))
            value = shown(key) if v else None
            suppressed = bool(d and d.suppressed)
            goal_hidden = suppressed or (nul_hidden and ind["doel_type"] == "verbeteren")
            if v:
                leveringen[ind["pijler"]].update(v["leveringen"] or ())
            prev = previous.get((code, a))
            if prev is None and ind["pijler"] not in previous_pillars:
                change = "eerste publicatie"
            elif v is None or (v["waarde"] is None and not suppressed):
                change = "geen cijfer"
            elif prev is None or prev["periode_code"] != period:
                change = "nieuw cijfer"
            elif bool(prev["onderdrukt"]) != suppressed or _num(prev["waarde"]) != value:
                change = "herzien"
            else:
                change = "geen nieuw cijfer"
            is_survey = ind["soort_bron"] == "enquete"
            gm_row = by_key.get(gm_key)
            rows.append(
                {
                    "indicator_code": code,
                    "gebiedscode": a,
                    "periode_code": period if v else None,
                    "waarde": value,
                    "onderdrukt": suppressed,
                    "teller": (d.published_numerator if d and not suppressed and ind["teller_reeks"] else None),
                    "status_cijfer": v["status"] if v else None,
                    "nulmeting": rounded(nul_value, unit),
                    "nulmeting_onderdrukt": nul_hidden,
                    "nulmeting_jaar": nul_year,
                    "verandering_sinds_nulmeting": (
                        rounded(value - nul_value, unit) if value is not None and nul_value is not None else None
                    ),
                    "waarde_dordrecht": gm_value,
                    "verschil_met_dordrecht": (
                        rounded(value - gm_value, unit)
                        if value is not None and gm_value is not None and a != MUNICIPALITY
                        else None
                    ),
                    "doel_2043": rounded(_num(v["doel_2043"]), unit) if v and not goal_hidden else None,
                    "voortgang": (v["voortgang"] or "geen data") if v and not (suppressed or nul_hidden) else None,
                    "significant_verschil_dordrecht": (
                        significance(v, gm_row) if is_survey and v and not suppressed and a != MUNICIPALITY else None
                    ),
                    "vorige_periode": prev["periode_code"] if prev else None,
                    "vorige_waarde": (_num(prev["waarde"]) if prev and not prev["onderdrukt"] else None),
                    "vorige_onderdrukt": bool(prev["onderdrukt"]) if prev else None,
                    "wijziging": change,
                }
            )
    return QuarterContent(
        quarter=quarter,
        areas=areas,
        indicators={c: _public_indicator(i) for c, i in indicators.items()},
        rows=rows,
        series=series,
        leveringen=leveringen,
        warnings=outcome.warnings,
    )


def _public_indicator(ind: dict) -> dict:
    out = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in ind.items()}
    out["decimalen"] = decimals(ind["eenheid"])
    out["doel_omschrijving"] = goal_text(ind)
    return out


def goal_text(ind: dict) -> str:
    t, w = ind["doel_type"], ind["doel_waarde"]
    w = None if w is None else f"{float(w):g}".replace(".", ",")
    return {
        "gelijk_aan_dordrecht": "gelijk aan het gemiddelde van Dordrecht",
        "relatieve_daling": f"{w} % lager dan in {ind['doel_basisjaar']}",
        "drempel_max": f"hoogstens {w}",
        "drempel_min": f"minstens {w}",
        "verbeteren": "verbeterd t.o.v. de nulmeting",
        "geen_meetbaar_doel": "geen meetbaar doel",
    }.get(t, t or "")


# --------------------------------------------------------------------------------------------
# the register
# --------------------------------------------------------------------------------------------


def ensure_register(tgt: PgTarget) -> None:
    """The register exists (``mdw migrate``); fingerprints written before they were keyed
    (``value|numerator|...`` in plain text: a suppressed value could be read from them) are keyed."""
    with connect(tgt) as conn:
        if conn.execute("SELECT to_regclass('mdw_meta.publicatie_cel')").fetchone()[0] is None:
            raise RuntimeError("het warehouse is niet gemigreerd: draai eerst `mdw migrate` (als eigenaar)")
        plain = conn.execute(
            "SELECT DISTINCT vingerafdruk FROM mdw_meta.publicatie_cel WHERE vingerafdruk !~ '^[0-9a-f]{64}$'"
        ).fetchall()
        if plain:
            with conn.cursor() as cur:
                cur.executemany(
                    "UPDATE mdw_meta.publicatie_cel SET vingerafdruk = %s WHERE vingerafdruk = %s",
                    [(disclosure.keyed_fingerprint(p), p) for (p,) in plain],
                )
            log.info("publicatieregister: %s vingerafdrukken met sleutel vastgelegd", len(plain))
        conn.commit()


@dataclass
class PublishResult:
    quarter: str
    pillar: str
    version: int
    status: str  # nieuw, nieuwe versie, gereproduceerd
    checksum: str
    files: dict[str, Path]
    file_checksums: dict[str, str]
    changes: list[dict]
    suppressed: int
    cells: int

    def summary(self) -> dict[str, Any]:
        return {
            "kwartaal": self.quarter,
            "pijler": self.pillar,
            "versie": self.version,
            "status": self.status,
            "bestanden": {f: str(p) for f, p in self.files.items()},
            "gewijzigde_cellen": len(self.changes),
            "onderdrukt": self.suppressed,
        }


def publications_dir() -> Path:
    return config.paths().publications


def render(content: PillarContent, out_dir: Path) -> dict[str, Path]:
    """Write the four files of a publication into ``out_dir``."""
    from monitor_dordt_west.publication import excel, pdf

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = content.file_stem()
    files = {
        "xlsx": out_dir / f"{stem}.xlsx",
        "pdf": out_dir / f"{stem}.pdf",
        "csv": out_dir / f"{stem}.csv",
        "parquet": out_dir / f"{stem}.parquet",
    }
    excel.write(content, files["xlsx"])
    pdf.write(content, files["pdf"])
    write_tables(content, files["csv"], files["parquet"])
    return files


ANALYST_COLUMNS = (
    "kwartaal", "versie", "pijler", "thema", "indicator_code", "indicator", "eenheid", "gebiedscode", "gebied",
    "periode_code", "status_cijfer", "waarde", "onderdrukt", "teller", "nulmeting", "nulmeting_jaar",
    "verandering_sinds_nulmeting", "waarde_dordrecht", "verschil_met_dordrecht", "doel_2043", "voortgang",
    "significant_verschil_dordrecht", "wijziging", "vorige_periode", "vorige_waarde",
)  # fmt: skip


def analyst_rows(content: PillarContent) -> list[dict]:
    ind = {i["indicator_code"]: i for i in content.indicators}
    out = []
    for r in content.rows:
        i = ind[r["indicator_code"]]
        row = {
            **r,
            "kwartaal": content.quarter.code,
            "versie": content.version,
            "pijler": content.pillar,
            "thema": i["thema"],
            "indicator": i["naam"],
            "eenheid": i["eenheid"],
            "gebied": content.areas.names[r["gebiedscode"]],
        }
        out.append({c: row.get(c) for c in ANALYST_COLUMNS})
    return out


def write_tables(content: PillarContent, csv_path: Path, parquet_path: Path) -> None:
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = analyst_rows(content)
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=ANALYST_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    types = {
        "versie": pa.int32(),
        "onderdrukt": pa.bool_(),
        "nulmeting_jaar": pa.int32(),
        **{
            c: pa.float64()
            for c in (
                "waarde",
                "teller",
                "nulmeting",
                "verandering_sinds_nulmeting",
                "waarde_dordrecht",
                "verschil_met_dordrecht",
                "doel_2043",
                "vorige_waarde",
            )
        },
    }
    schema = pa.schema([(c, types.get(c, pa.string())) for c in ANALYST_COLUMNS])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, parquet_path, compression="zstd")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shown(c: dict | None):
    if c is None:
        return "ontbreekt"
    return disclosure.MARK if c["onderdrukt"] else c["waarde"]


def _cell_changes(old: list[dict], new: list[dict]) -> list[dict]:
    before, after = {_key(c): c for c in old}, {_key(c): c for c in new}
    out = []
    for key in sorted(set(before) | set(after)):
        was, now = _shown(before.get(key)), _shown(after.get(key))
        if was != now:
            out.append({**dict(zip(KEY, key, strict=True)), "was": was, "nu": now})
    return out


def publish(
    tgt: PgTarget,
    quarter: Quarter,
    pillars: list[str] | None = None,
    out_root: Path | None = None,
    created_by: str | None = None,
) -> list[PublishResult]:
    """Publish (or reproduce) the quarter for the given pillars (default: all five). The content
    is built again for each pillar, so that it sees the cells the previous pillar registered.

    Refuses (:class:`~.warehouse_build.NotPublishable`, a Dutch message) while the last build of
    the warehouse failed or the marts are older than the newest loaded delivery."""
    from monitor_dordt_west.warehouse import builds

    tgt = as_role(tgt, PUBLISHER)
    builds.check_publishable(tgt)
    ensure_register(tgt)
    out_root = out_root or publications_dir()
    results = []
    for pillar in pillars or PILLARS:
        with connect(tgt) as conn:
            # one publisher per quarter at a time: versions and disclosure memory stay consistent
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('mdw_meta.publicatie'), hashtext(%s))", (quarter.code,))
            content = build_quarter(tgt, quarter).for_pillar(pillar)
            results.append(_publish_pillar(conn, content, out_root, created_by))
    return results


def _publish_pillar(conn, content: PillarContent, out_root: Path, created_by: str | None) -> PublishResult:
    checksum = content.checksum()
    latest = _rows(
        conn,
        "select * from mdw_meta.publicatie where kwartaal = %s and pijler = %s order by versie desc limit 1",
        (content.quarter.code, content.pillar),
    )
    latest = latest[0] if latest else None
    target_dir = out_root / content.quarter.code / content.slug
    if latest is not None and latest["inhoud_sha256"] == checksum:
        return _reproduce(conn, content, latest, target_dir)

    content.version = (latest["versie"] + 1) if latest else 1
    content.created = datetime.now(UTC).replace(microsecond=0)
    changes: list[dict] = []
    if latest is not None:
        old = _rows(conn, "select * from mdw_meta.publicatie_cel where publicatie_id = %s", (latest["publicatie_id"],))
        old = [{**c, "waarde": _num(c["waarde"])} for c in old]
        changes = _cell_changes(old, content.series)
    content.previous_version_changes = changes
    with tempfile.TemporaryDirectory(prefix="mdw-publicatie-") as tmp:
        files = render(content, Path(tmp))
        sums = {f: _sha256(p) for f, p in files.items()}
        pub_id = conn.execute(
            """
            insert into mdw_meta.publicatie (kwartaal, pijler, versie, aangemaakt_op, inhoud_sha256, vorige_versie,
                wijzigingen, cellen, onderdrukt, leveringen, waarschuwingen, aangemaakt_door)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning publicatie_id
            """,
            (
                content.quarter.code,
                content.pillar,
                content.version,
                content.created,
                checksum,
                latest["publicatie_id"] if latest else None,
                json.dumps(changes, default=str),
                len(content.series),
                sum(1 for s in content.series if s["onderdrukt"]),
                content.leveringen,
                content.warnings,
                created_by,
            ),
        ).fetchone()[0]
        with conn.cursor() as cur:
            cur.executemany(
                """
                insert into mdw_meta.publicatie_cel (publicatie_id, indicator_code, gebiedscode, periode_code, rol,
                    waarde, teller, onderdrukt, soort_onderdrukking, reden, vingerafdruk)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                """,
                [
                    (
                        pub_id,
                        s["indicator_code"],
                        s["gebiedscode"],
                        s["periode_code"],
                        s["rol"],
                        s["waarde"],
                        s["teller"],
                        s["onderdrukt"],
                        s["_soort"],
                        s["_reden"],
                        s["_vingerafdruk"],
                    )
                    for s in content.series
                ],
            )
            cur.executemany(
                "insert into mdw_meta.publicatie_bestand values (%s, %s, %s, %s, %s, %s)",
                [(pub_id, f, p.name, p.stat().st_size, sums[f], p.read_bytes()) for f, p in files.items()],
            )
        version_dir = target_dir / f"v{content.version}"
        if version_dir.exists():
            shutil.rmtree(version_dir)  # left by a run whose register transaction did not commit
        version_dir.mkdir(parents=True)
        final = {}
        for f, p in files.items():
            final[f] = version_dir / p.name
            shutil.copyfile(p, final[f])
        _readable(version_dir)
    conn.commit()
    status = "nieuw" if latest is None else "nieuwe versie"
    log.info(
        "%s %s: versie %s (%s), %s cellen, %s onderdrukt, %s gewijzigd",
        content.quarter.code, content.pillar, content.version, status, len(content.series),
        sum(1 for s in content.series if s["onderdrukt"]), len(changes),
    )  # fmt: skip
    return PublishResult(
        quarter=content.quarter.code,
        pillar=content.pillar,
        version=content.version,
        status=status,
        checksum=checksum,
        files=final,
        file_checksums=sums,
        changes=changes,
        suppressed=sum(1 for s in content.series if s["onderdrukt"]),
        cells=len(content.series),
    )


def _readable(version_dir: Path) -> None:
    """A publication is made to be sent (disclosure control is done): its files 0644 and its folders
    0755 up to the publications folder, whatever the umask of the process (Airflow's is 077)."""
    for p in version_dir.iterdir():
        p.chmod(0o644)
    version_dir.chmod(0o755)
    root = publications_dir().resolve()
    folder = version_dir.resolve().parent
    while folder != root and root in folder.parents:
        folder.chmod(0o755)
        folder = folder.parent


def _reproduce(conn, content: PillarContent, latest: dict, target_dir: Path) -> PublishResult:
    """The numbers are those of the latest version: render again and check the files are
    byte-identical to the register's; restore any file missing on disk from the register."""
    content.version = latest["versie"]
    content.created = latest["aangemaakt_op"].astimezone(UTC)
    stored = {
        r["formaat"]: r
        for r in _rows(
            conn, "select * from mdw_meta.publicatie_bestand where publicatie_id = %s", (latest["publicatie_id"],)
        )
    }
    content.previous_version_changes = latest["wijzigingen"] or []
    with tempfile.TemporaryDirectory(prefix="mdw-publicatie-") as tmp:
        files = render(content, Path(tmp))
        sums = {f: _sha256(p) for f, p in files.items()}
    differing = [f for f in FORMATS if stored.get(f) is None or stored[f]["sha256"].strip() != sums[f]]
    if differing:
        # Same numbers, other bytes: the layout code changed since this version was frozen. The
        # register's files are what was sent; they stay, and are put back on disk below.
        log.warning(
            "%s %s v%s: dezelfde cijfers; de bestanden %s zouden nu anders worden opgemaakt. "
            "De bevroren bestanden uit mdw_meta.publicatie_bestand blijven gelden.",
            content.quarter.code, content.pillar, content.version, ", ".join(differing),
        )  # fmt: skip
    version_dir = target_dir / f"v{content.version}"
    version_dir.mkdir(parents=True, exist_ok=True)
    final = {}
    for f, r in stored.items():
        final[f] = version_dir / r["bestandsnaam"]
        if not final[f].exists() or _sha256(final[f]) != r["sha256"].strip():
            final[f].write_bytes(bytes(r["inhoud"]))
    _readable(version_dir)
    conn.commit()
    return PublishResult(
        quarter=content.quarter.code,
        pillar=content.pillar,
        version=content.version,
        status="gereproduceerd" if not differing else "gereproduceerd (bevroren bestanden; opmaak sindsdien gewijzigd)",
        checksum=latest["inhoud_sha256"],
        files=final,
        file_checksums={f: r["sha256"].strip() for f, r in stored.items()},
        changes=[],
        suppressed=latest["onderdrukt"],
        cells=latest["cellen"],
    )
