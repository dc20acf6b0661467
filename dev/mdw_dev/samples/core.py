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
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from mdw_dev.samples import files
from monitor_dordt_west import config
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.ingestion.registry import headers
from monitor_dordt_west.quarters import Quarter

FOCUS_WIJKEN = {"WK050503", "WK050504", "WK050507", "WK050508"}

# BVH classes used by the generator, with their share of all registered crimes (Dordrecht
# baseline: woninginbraak 8,4, geweld 47,7, straatroof+overval 1,5 of 513,1 per 10.000).
CRIME_MIX: tuple[tuple[str, str, float], ...] = (
    ("A20", "Gekwal. Diefstal in/uit woning", 0.0110),
    ("A30", "Diefstal in/uit woning (niet gekwal.)", 0.0054),
    ("F550", "Eenvoudige mishandeling", 0.0480),
    ("F551", "Zware mishandeling", 0.0060),
    ("F530", "Bedreiging", 0.0290),
    ("F12", "Openlijke geweldpleging tegen personen", 0.0050),
    ("F522", "Aanranding", 0.0040),
    ("F540", "Doodslag/moord", 0.0010),
    ("B70", "Straatroof", 0.0020),
    ("B73", "Overval op overige objecten", 0.0009),
    ("A72", "Diefstal fiets", 0.1300),
    ("A50", "Winkeldiefstal", 0.0900),
    ("A10", "Diefstal uit/vanaf personenauto", 0.0800),
    ("C40", "Vernieling overige objecten", 0.1100),
    ("A90", "Overige (eenvoudige) diefstal", 0.1300),
    ("F600", "Oplichting", 0.1200),
    ("F47", "Overige drugsdelicten", 0.0400),
    ("A82", "Chantage / afpersing", 0.0100),
    ("F15", "Huisvredebreuk", 0.0100),
    ("F13", "Brandstichting", 0.0150),
    ("D40", "Rijden onder invloed", 0.0600),
    ("F95", "Overtreding huisverbod", 0.0050),
    ("A27", "Gekwal. Diefstal in/uit andere gebouwen", 0.0300),
    ("F612", "Vervalsingen overig", 0.0100),
    ("A70", "Diefstal personenauto", 0.0200),
    ("A73", "Diefstal bromfiets/snorfiets", 0.0277),
)
INCIDENT_CATEGORIES = (
    ("overlast jeugd", 0.20),
    ("overlast verward persoon", 0.28),
    ("overlast alcohol/drugs", 0.12),
    ("burenruzie", 0.15),
    ("overige overlast", 0.25),
)


@dataclass(frozen=True)
class Buurt:
    code: str
    wijk: str
    inwoners_2023: int
    inwoners_2024: int
    misdrijven_2023: int

    @property
    def focus(self) -> bool:
        return self.wijk in FOCUS_WIJKEN


def buurten() -> list[Buurt]:
    with open(config.SEEDS_DIR / "cbs_buurten_dordrecht.csv", encoding="utf-8", newline="") as fh:
        return [
            Buurt(
                r["buurtcode"],
                r["wijkcode"],
                int(r["inwoners_2023"]),
                int(r["inwoners_2024"]),
                int(r["geregistreerde_misdrijven_2023"]),
            )
            for r in csv.DictReader(fh)
        ]


def months(first: tuple[int, int], last: tuple[int, int]):
    y, m = first
    while (y, m) <= last:
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def inhabitants(b: Buurt, year: int) -> int:
    """Inhabitants on 1 January: CBS 2023/2024, extrapolated by 0,5 % a year outside them."""
    if year == 2023:
        return b.inwoners_2023
    if year == 2024:
        return b.inwoners_2024
    base = b.inwoners_2024 if year > 2024 else b.inwoners_2023
    return round(base * (1.005 ** (year - (2024 if year > 2024 else 2023))))


def age_weights(focus: bool) -> list[float]:
    weights = []
    for age in range(101):
        if age < 18:
            w = 1.1
        elif age < 30:
            w = 1.25
        elif age < 65:
            w = 1.0
        elif age < 80:
            w = 0.85
        else:
            w = max(0.02, 0.7 - 0.035 * (age - 80))
        if focus and age < 25:
            w *= 1.2
        weights.append(w)
    weights[100] = 0.01
    return weights


def split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Integers proportional to weights that add up to total exactly (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - out[i], rng.random()), reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _write(path: Path, header: list[str], rows, *, encoding: str, delimiter: str, newline: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def write_politie(path: Path, header: list[str], rows) -> int:
    return _write(path, header, rows, encoding="cp1252", delimiter=";", newline="\r\n")


def write_ocd(path: Path, header: list[str], rows) -> int:
    return _write(path, header, rows, encoding="utf-8", delimiter=",", newline="\n")


def dmy(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def generate(out: Path, seed: int = 2024, first_year: int = 2022, today: date | None = None) -> dict[str, int]:
    """Write a landing folder with every agreed file (police, SDD, OCD, BLIK) from ``first_year`` up to
    the last complete quarter before ``today``: the same bytes and modification times for the same
    seed and ``today`` (workbooks included; each file's mtime is its delivery moment, see
    ``sample_files``)."""
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

    from mdw_dev.samples.calibration import BASELINE_YEAR, FOCUS, GROUPS, baseline_plan

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

        crimes, verdachten, incidenten = [], [], []
        for b in [*bs, None]:
            code_b = b.code if b else ""
            if calibrated:
                yearly = plan.crimes[code_b]
                shares = plan.crime_shares[group_of.get(code_b, "rest")]
            else:
                yearly = (b.misdrijven_2023 if b else 190) * trend
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
                    for person, born in rng.sample(older, rng.choice((1, 1, 1, 2))):
                        home = rng.choice(bs).code if rng.random() < 0.85 else ""
                        verdachten.append((nr, person, born, home, dmy(when)))
        for person, born, home in young_by_month.pop((year, month), []):
            if crimes:
                crime = rng.choice(crimes)
                verdachten.append((crime[0], person, born, home, crime[1]))
        for b in [*bs, None]:
            code_b = b.code if b else ""
            if calibrated:
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
                inw = inhabitants(b, year) if b else 0
                yearly = inw * (0.048 if b.focus else 0.037) if b else 150
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
    from mdw_dev.samples import social
    counts |= social.generate(out, random.Random(seed + 1), bs, low_income, first_year, (last_y, last_q))
    files.stamp_files(_written(out, counts), today)
    return counts


def _written(out: Path, names) -> list[Path]:
    """The generated files ``<partner>/<name>`` of ``names``."""
    return [out / p / name for name in names for p in registry.PARTNERS if (out / p / name).is_file()]


def _poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw (normal approximation above 30, Knuth below)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, lam**0.5)))
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


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
