"""The sample deliveries at the scale of the Netherlands, for the benchmarks (``--scale national``).

The same file shapes as the Dordrecht set, for ~14.000 synthetic buurten (342 gemeenten × 41) with
~18 million inhabitants: ~800.000 registered crimes and ~720.000 nuisance reports a year, and
~400.000 benefit recipients (SDD_uitkeringen, made-up BSNs). Every file is streamed to disk; only
the pool of recipients is held in memory. The buurt codes are synthetic, so these files are for
volume benchmarks, not for the Dordrecht warehouse (its checks accept Dordrecht's buurten only).
"""

from __future__ import annotations

import calendar
import csv
import random
from datetime import date
from pathlib import Path

from mdw_dev.samples.base import dmy, write_politie
from monitor_dordt_west.ingestion.pseudonym import synthetic_bsn
from monitor_dordt_west.ingestion.registry import headers

GEMEENTEN, BUURTEN_PER_GEMEENTE = 342, 41
INHABITANTS = 18_000_000
CRIMES_PER_YEAR, INCIDENTS_PER_YEAR, RECIPIENTS = 800_000, 720_000, 400_000
CODES = ("A20", "F550", "F530", "A72", "A50", "A10", "C40", "A90", "F600", "B70")
CATEGORIES = ("overlast jeugd", "overlast verward persoon", "overlast alcohol/drugs", "burenruzie", "overige overlast")


def buurtcodes() -> list[str]:
    return [f"BU{1000 + g:04d}{b // 10:02d}{b % 10:02d}" for g in range(GEMEENTEN) for b in range(BUURTEN_PER_GEMEENTE)]


def generate(out: Path, seed: int = 2024, year: int = 2023, months: int = 12) -> dict[str, int]:
    rng = random.Random(seed)
    codes = buurtcodes()
    counts: dict[str, int] = {}
    per_buurt = INHABITANTS // len(codes)
    name = f"OCD_bevolking_{year}.csv"
    (out / "ocd").mkdir(parents=True, exist_ok=True)
    with (out / "ocd" / name).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(headers("ocd.bevolking"))
        for code in codes:
            w.writerows((code, f"{year}-01-01", age, per_buurt // 101 + (age < per_buurt % 101)) for age in range(101))
    counts[name] = len(codes) * 101
    recipients = [(synthetic_bsn(n), rng.choice(codes), rng.randint(1950, 2004)) for n in range(1, RECIPIENTS + 1)]
    for month in range(1, months + 1):
        last = calendar.monthrange(year, month)[1]
        days = [dmy(date(year, month, d)) for d in range(1, last + 1)]
        stamp = f"{year}{month:02d}"
        crimes = (
            (f"PL0000-{year}{month:02d}{n:07d}", rng.choice(days), "", c, "Sample", rng.choice(codes))
            for n in range(CRIMES_PER_YEAR // 12)
            for c in (rng.choice(CODES),)
        )
        counts[f"POL_misdrijven_{stamp}.csv"] = write_politie(
            out / "politie" / f"POL_misdrijven_{stamp}.csv", headers("politie.misdrijven"), crimes
        )
        incidents = (
            (f"I{stamp}{n:07d}", rng.choice(days), "E33" if cat == CATEGORIES[1] else "E30", cat, rng.choice(codes))
            for n in range(INCIDENTS_PER_YEAR // 12)
            for cat in (rng.choice(CATEGORIES),)
        )
        counts[f"POL_incidenten_{stamp}.csv"] = write_politie(
            out / "politie" / f"POL_incidenten_{stamp}.csv", headers("politie.incidenten"), incidents
        )
        peildatum = date(year, month, last).isoformat()
        path = out / "sdd" / f"SDD_uitkeringen_{stamp}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
            w.writerow(headers("sdd.uitkeringen"))
            w.writerows(
                (bsn, peildatum, "PW", "2020-01-01", "alleenstaand", str(born), buurt)
                for bsn, buurt, born in recipients
            )
        counts[path.name] = len(recipients)
    return counts
