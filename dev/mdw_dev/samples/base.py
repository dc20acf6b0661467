"""Shared pieces of the synthetic deliveries: the buurten with their real CBS inhabitants, the
police's crime mix and incident categories, months, random splits and the agreed CSV dialects
(politie: Windows-1252, ``;``, CRLF, dd-mm-jjjj; OCD: UTF-8, ``,``, ISO dates)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from monitor_dordt_west import config, programme

FOCUS_WIJKEN = frozenset(programme.FOCUS_WIJKEN)

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
