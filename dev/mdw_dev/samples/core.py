"""Synthetic partner deliveries for the demo and the tests (no real partner data is used).

Deterministic for a given seed. Areas and inhabitants are the real CBS figures of Dordrecht
(``dbt_project/seeds``); volumes follow the baseline of seed 002 Bijlage 3 for Dordrecht
(about 513 registered crimes and 390 nuisance reports per 10.000 inhabitants a year) and the
CBS 2023 crime counts per buurt. Files are written exactly as agreed in partner-exports.md
(politie: Windows-1252, ``;``, CRLF, dd-mm-jjjj; OCD: UTF-8, ``,``, ISO dates).
"""

from __future__ import annotations

import calendar
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from mdw_dev.samples import files, social
from mdw_dev.samples.base import (
    CRIME_MIX,
    INCIDENT_CATEGORIES,
    _poisson,
    age_weights,
    buurten,
    dmy,
    inhabitants,
    months,
    split,
    write_ocd,
    write_politie,
)
from mdw_dev.samples.calibration import BASELINE_YEAR, FOCUS, GROUPS, baseline_plan
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.ingestion.registry import headers
from monitor_dordt_west.quarters import Quarter


def generate(out: Path, seed: int = 2024, first_year: int = 2022, today: date | None = None) -> dict[str, int]:
    """Write a landing folder with every agreed file (police, SDD, OCD, BLIK) from ``first_year`` up to
    the last complete quarter before ``today``: the same bytes and modification times for the same
    seed and ``today`` (workbooks included; each file's mtime is its delivery moment, see
    ``samples.files``)."""
    today = today or date.today()
    rng = random.Random(seed)
    bs = buurten()
    last = Quarter.last_complete(today)
    last_y, last_q = last.year, last.q
    counts: dict[str, int] = {}
    low_income: dict[tuple[int, str], int] = {}
    population: dict[tuple[int, str], int] = {}
    young: dict[tuple[int, str], int] = {}

    for year in range(first_year, last_y + 1):
        peildatum = date(year, 1, 1).isoformat()
        rows = []
        hh_rows = []
        for b in bs:
            per_age = split(inhabitants(b, year), age_weights(b.focus), rng)
            population[(year, b.code)] = sum(per_age)
            young[(year, b.code)] = sum(per_age[:25])
            rows += [(b.code, peildatum, age, n) for age, n in enumerate(per_age)]
            total = inhabitants(b, year)
            households = round(total / (2.0 if b.focus else 2.15))
            low = round(households * (0.15 if b.focus else 0.07) * rng.uniform(0.85, 1.15))
            hh_rows.append((b.code, peildatum, households, low))
            low_income[(year, b.code)] = low
        counts[f"OCD_bevolking_{year}.csv"] = write_ocd(
            out / "ocd" / f"OCD_bevolking_{year}.csv", headers("ocd.bevolking"), rows
        )
        counts[f"OCD_huishoudens_{year}.csv"] = write_ocd(
            out / "ocd" / f"OCD_huishoudens_{year}.csv",
            headers("ocd.huishoudens"),
            hh_rows,
        )

    plan = None
    if first_year <= BASELINE_YEAR <= last_y:
        plan = baseline_plan(
            bs,
            {b.code: population[(BASELINE_YEAR, b.code)] for b in bs},
            {b.code: young[(BASELINE_YEAR, b.code)] for b in bs},
        )
    labels = {c: label for c, label, _ in CRIME_MIX}
    weight = {c: w for c, _, w in CRIME_MIX}
    grouped = {c for codes in GROUPS.values() for c in codes}
    other_codes = [c for c, _, _ in CRIME_MIX if c not in grouped]
    dordrecht_shares = {g: sum(weight[c] for c in codes) for g, codes in GROUPS.items()}

    def crime_code(shares: dict[str, float]) -> str:
        u = rng.random()
        for group, codes in GROUPS.items():
            if u < shares[group]:
                return rng.choices(codes, [weight[c] for c in codes])[0]
            u -= shares[group]
        return rng.choices(other_codes, [weight[c] for c in other_codes])[0]

    group_of = {b.code: (b.wijk if b.wijk in FOCUS else "rest") for b in bs}
    buurten_of: dict[str, list] = {}
    for b in bs:
        buurten_of.setdefault(group_of[b.code], []).append(b)
    categories = [c for c, _ in INCIDENT_CATEGORIES]
    older = [(f"V{rng.randrange(10**9, 10**10)}", rng.randint(1950, 1996)) for _ in range(4000)]
    seq: dict[int, int] = {}
    young_by_month: dict[tuple[int, int], list] = {}
    for year, month in months((first_year, 1), (last_y, 3 * last_q)):
        trend = 1.0 - 0.02 * (year - 2023)
        calibrated = plan is not None and year == BASELINE_YEAR
        days = calendar.monthrange(year, month)[1]
        if month == 1 or (year, month) == (first_year, 1):
            # the year's distinct suspects under 25, each registered in one month, living in their wijk
            for group, members in buurten_of.items():
                if plan:
                    expected = plan.young_suspects[group] * (1.0 if year == BASELINE_YEAR else trend)
                else:
                    expected = sum(young[(year, b.code)] for b in members) / 1000
                for _ in range(_poisson(rng, expected)):
                    home = rng.choices(members, [young[(year, b.code)] for b in members])[0]
                    person = (f"V{rng.randrange(10**9, 10**10)}", year - rng.randint(12, 24), home.code)
                    young_by_month.setdefault((year, rng.randint(month, 12)), []).append(person)

        def day(days: int = days, year: int = year, month: int = month) -> date:
            return date(year, month, 1) + timedelta(days=rng.randrange(days))

        crimes: list[tuple] = []
        verdachten: list[tuple] = []
        incidenten: list[tuple] = []
        for area in [*bs, None]:
            code_b = area.code if area else ""
            if calibrated and plan is not None:
                yearly = plan.crimes[code_b]
                shares = plan.crime_shares[group_of.get(code_b, "rest")]
            else:
                yearly = (area.misdrijven_2023 if area else 190) * trend
                shares = dordrecht_shares
            for _ in range(_poisson(rng, yearly / 12)):
                seq[year] = seq.get(year, 0) + 1
                nr = f"PL1700-{year}{seq[year]:06d}"
                when = day()
                code = crime_code(shares)
                pleeg = (
                    ""
                    if rng.random() < 0.2
                    else dmy(max(date(year, month, 1) - timedelta(days=30), when - timedelta(days=rng.randrange(5))))
                )
                crimes.append((nr, dmy(when), pleeg, code, labels[code], code_b))
                if rng.random() < 0.22:
                    for suspect, born in rng.sample(older, rng.choice((1, 1, 1, 2))):
                        home_code = rng.choice(bs).code if rng.random() < 0.85 else ""
                        verdachten.append((nr, suspect, born, home_code, dmy(when)))
        for person, born, home in young_by_month.pop((year, month), []):
            if crimes:
                crime = rng.choice(crimes)
                verdachten.append((crime[0], person, born, home, crime[1]))
        for area in [*bs, None]:
            code_b = area.code if area else ""
            if calibrated and plan is not None:
                yearly = plan.incidents[code_b]
                e33, jeugd = plan.incident_shares[group_of.get(code_b, "rest")]
                rest = 1 - e33 - jeugd
                others = [w for c, w in INCIDENT_CATEGORIES if c not in ("overlast verward persoon", "overlast jeugd")]
                weights = [jeugd, e33, *(rest * w / sum(others) for w in others)]
                cats = [
                    "overlast jeugd",
                    "overlast verward persoon",
                    *(c for c in categories if c not in ("overlast verward persoon", "overlast jeugd")),
                ]
            else:
                inw = inhabitants(area, year) if area else 0
                yearly = inw * (0.048 if area.focus else 0.037) if area else 150
                cats, weights = categories, [w for _, w in INCIDENT_CATEGORIES]
            for _ in range(_poisson(rng, yearly / 12)):
                cat = rng.choices(cats, weights)[0]
                code = "E33" if cat == "overlast verward persoon" else rng.choice(("E30", "E35", "E38", "E17"))
                incidenten.append((f"I{year}{month:02d}{len(incidenten) + 1:06d}", dmy(day()), code, cat, code_b))
        stamp = f"{year}{month:02d}"
        counts[f"POL_misdrijven_{stamp}.csv"] = write_politie(
            out / "politie" / f"POL_misdrijven_{stamp}.csv",
            headers("politie.misdrijven"),
            crimes,
        )
        counts[f"POL_verdachten_{stamp}.csv"] = write_politie(
            out / "politie" / f"POL_verdachten_{stamp}.csv",
            headers("politie.verdachten"),
            verdachten,
        )
        counts[f"POL_incidenten_{stamp}.csv"] = write_politie(
            out / "politie" / f"POL_incidenten_{stamp}.csv",
            headers("politie.incidenten"),
            incidenten,
        )
    counts |= social.generate(out, random.Random(seed + 1), bs, low_income, first_year, (last_y, last_q))
    files.stamp_files(_written(out, counts), today)
    return counts


def _written(out: Path, names) -> list[Path]:
    """The generated files ``<partner>/<name>`` of ``names``."""
    return [out / p / name for name in names for p in registry.PARTNERS if (out / p / name).is_file()]


def generate_second_round(out: Path, seed: int = 2024, first_year: int = 2022, today: date | None = None) -> dict:
    """A second delivery round for the set of ``generate`` (same seed and dates): the police's
    correction of the last month's crimes (three registrations withdrawn, two added) and SDD's
    byte-identical re-delivery of the last minima file. Load it after the first round: each file's
    mtime is one day after the first-round file it follows (``files.SECOND_ROUND_DELAY``)."""
    import shutil
    import tempfile

    today = today or date.today()
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp)
        generate(first, seed=seed, first_year=first_year, today=today)
        crimes = sorted((first / "politie").glob("POL_misdrijven_*.csv"))[-1]
        minima = sorted((first / "sdd").glob("SDD_minimaregelingen_*.csv"))[-1]
        with crimes.open(encoding="cp1252", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))
        header, body = rows[0], rows[1:]
        withdrawn = body[:3]
        added = [[f"{r[0]}9", *r[1:]] for r in body[3:5]]
        write_politie(out / "politie" / crimes.name, header, body[3:] + added)
        (out / "sdd").mkdir(parents=True, exist_ok=True)
        shutil.copy(minima, out / "sdd" / minima.name)
    for partner, name in (("politie", crimes.name), ("sdd", minima.name)):
        moment = files.first_round_moment(partner, name, today) + files.SECOND_ROUND_DELAY
        files.set_mtime(out / partner / name, moment)
    return {
        "correctie": crimes.name,
        "ingetrokken": [r[0] for r in withdrawn],
        "toegevoegd": [r[0] for r in added],
        "identiek": minima.name,
    }
