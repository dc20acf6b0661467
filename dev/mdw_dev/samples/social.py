"""Synthetic SDD, BLIK and OCD (Excel) deliveries, next to the police and population files of
``sample``. Volumes follow the documents: bijstand per 1.000 inhabitants of Bijlage 3 (Dordrecht
30,7; Oud-Krispijn 37,8; Nieuw-Krispijn 56,2; Wielwijk 57,7; Crabbehof 66,5), schuldsanering per
1.000, the reach of the minima schemes (bijzondere bijstand 9 %, persoonlijk minimabudget 49 %,
kwijtschelding 73 % of low-income households) and Buurtwerk's 2022 figures (seed 001: 998 short
questions, 533 individual and 170 collective dossiers with 3.441 participants, 254 volunteers).
The OCD workbooks carry the Bijlage 3 baseline values (the copies that hold) for Dordrecht and
the four wijken. BSNs are made up (``pseudonym.synthetic_bsn``) and pass the 11-proef.
"""

from __future__ import annotations

import calendar
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from mdw_dev.samples import calibration, files
from mdw_dev.samples.base import months
from monitor_dordt_west import config, programme
from monitor_dordt_west.ingestion.pseudonym import synthetic_bsn
from monitor_dordt_west.ingestion.registry import OCD_SURVEYS, headers

BIJSTAND_PER_1000 = {"WK050503": 37.8, "WK050504": 56.2, "WK050507": 57.7, "WK050508": 66.5}
BIJSTAND_DORDRECHT = 30.7
SCHULDSANERING_PER_1000 = {"WK050503": 1.0, "WK050504": 6.0, "WK050507": 4.0, "WK050508": 4.0}
MINIMA_BEREIK = {
    "bijzondere bijstand": 0.09,
    "persoonlijk minimabudget": 0.49,
    "kwijtschelding gemeentelijke belastingen": 0.73,
}
HUISHOUDTYPES = ("alleenstaand", "alleenstaande ouder", "paar zonder kinderen", "paar met kinderen", "overig")
BLIK_WIJK = {
    "WK050501": "Binnenstad",
    "WK050502": "Noordflank",
    "WK050503": "Oud Krispijn",
    "WK050504": "Nieuw Krispijn",
    "WK050505": "Reeland",
    "WK050506": "Staart",
    "WK050507": "Wielwijk",
    "WK050508": "Crabbehof-Zuidhoven",
    "WK050509": "Sterrenburg",
    "WK050510": "Dubbeldam",
    "WK050511": "Stadspolders",
}
BLIK_YEAR = {
    "korte vraag": 998,
    "individueel dossier": 533,
    "collectief dossier": 170,
    "welzijnsbezoek": 114,
    "doorverwijzing": 150,
}
DOMEINEN = (
    "sociaal netwerk",
    "financiën",
    "huisvesting",
    "huiselijke relaties",
    "lichamelijke gezondheid",
    "taal",
    "werk en dagbesteding",
    "overig",
)
PARTNERS = ("Sociaal Wijkteam", "Financieel Hulphuis", "Sociaal makelaar", "GGD", "Bibliotheek", "Wij Dordrecht")
PROGRAMMALIJN = {
    "korte vraag": 1,
    "individueel dossier": 3,
    "collectief dossier": 4,
    "welzijnsbezoek": 2,
    "doorverwijzing": 3,
}
UNIT = {"%": "%", "rapportcijfer": "rapportcijfer", "schaalscore": "schaalscore", "x 1.000 euro": "euro"}


def _write_sdd(path: Path, header: list[str], rows: list[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


def _write_blik(path: Path, header: list[str], rows: list[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=",", quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


def _amount(value: float) -> str:
    """Dutch amount: 1.234,56."""
    whole, cents = f"{value:,.2f}".split(".")
    return whole.replace(",", ".") + "," + cents


def generate(
    out: Path, rng: random.Random, bs, low_income: dict, first_year: int, last: tuple[int, int]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    counts |= _sdd(out, rng, bs, low_income, first_year, last)
    counts |= _blik(out, rng, bs, first_year, last)
    counts |= _ocd_workbooks(out, rng)
    return counts


def _sdd(out, rng, bs, low_income, first_year, last) -> dict[str, int]:
    counts: dict[str, int] = {}
    total = sum(b.inwoners_2024 for b in bs)
    focus = sum(b.inwoners_2024 * BIJSTAND_PER_1000.get(b.wijk, 0) for b in bs)
    rest_rate = (BIJSTAND_DORDRECHT * total - focus) / sum(
        b.inwoners_2024 for b in bs if b.wijk not in BIJSTAND_PER_1000
    )
    next_person = iter(range(1, 10**7))
    people: dict[str, list] = {}  # buurt -> [bsn, regeling, ingang, huishoudtype, geboortejaar]
    for b in bs:
        rate = BIJSTAND_PER_1000.get(b.wijk, rest_rate)
        # the indicator counts everyone with a benefit at some month end of the period: with 0,4 % outflow
        # a month, a year sees ~5 % more persons than the stock
        n_pw = round(b.inwoners_2024 * rate / 1000 / 1.05)
        n_other = round(b.inwoners_2024 * 2.5 / 1000)
        people[b.code] = [
            [
                synthetic_bsn(next(next_person)),
                "PW" if i < n_pw else rng.choice(("IOAW", "IOAZ", "BBZ")),
                date(first_year - 1, 1, 1) + timedelta(days=rng.randrange(365)),  # before the first month
                rng.choice(HUISHOUDTYPES),
                rng.randint(1950, 2004),
            ]
            for i in range(n_pw + n_other)
        ]
    trajects: dict[str, list] = {}
    traject_no = iter(range(1, 10**7))
    for b in bs:
        n_wsnp = round(b.inwoners_2024 * SCHULDSANERING_PER_1000.get(b.wijk, 2.0) / 1000 / 1.12)
        n_other = round(b.inwoners_2024 * 6 / 1000)
        trajects[b.code] = [
            [
                synthetic_bsn(next(next_person)),
                f"SH{next(traject_no):07d}",
                "schuldsanering" if i < n_wsnp else rng.choice(("schuldhulpverlening", "budgetbeheer")),
                date(first_year - 1, 1, 1) + timedelta(days=rng.randrange(365)),  # before the first month
                None,
            ]
            for i in range(n_wsnp + n_other)
        ]
    for year, month in months((first_year, 1), (last[0], 3 * last[1])):
        end = date(year, month, calendar.monthrange(year, month)[1])
        rows, sh_rows = [], []
        for b in bs:
            for person in people[b.code]:
                if rng.random() < 0.004:  # outflow, replaced by a new recipient
                    person[0], person[2] = synthetic_bsn(next(next_person)), end - timedelta(days=rng.randrange(28))
                rows.append(
                    [person[0], end.isoformat(), person[1], person[2].isoformat(), person[3], str(person[4]), b.code]
                )
            for t in trajects[b.code]:
                if t[4] is not None:  # ended last month: a new trajectory starts
                    t[:] = [
                        synthetic_bsn(next(next_person)),
                        f"SH{next(traject_no):07d}",
                        t[2],
                        date(year, month, 1) + timedelta(days=rng.randrange(27)),
                        None,
                    ]
                if rng.random() < 0.01:  # ends this month, never before it started
                    t[4] = max(t[3], end - timedelta(days=rng.randrange(20)))
                sh_rows.append([t[0], t[1], t[2], t[3].isoformat(), t[4].isoformat() if t[4] else "", b.code])
        stamp = f"{year}{month:02d}"
        counts[f"SDD_uitkeringen_{stamp}.csv"] = _write_sdd(
            out / "sdd" / f"SDD_uitkeringen_{stamp}.csv",
            headers("sdd.uitkeringen"),
            rows,
        )
        counts[f"SDD_schuldhulp_{stamp}.csv"] = _write_sdd(
            out / "sdd" / f"SDD_schuldhulp_{stamp}.csv",
            headers("sdd.schuldhulp"),
            sh_rows,
        )
    # minima schemes: one grant per reached household a year, spread over the year; files year to date.
    # The four wijken get their own printed reach (Bijlage 3, 2021), the others Dordrecht's.
    base = calibration.baseline()
    codes = {
        "bijzondere bijstand": "sdd_bereik_bijzondere_bijstand",
        "persoonlijk minimabudget": "sdd_bereik_persoonlijk_minimabudget",
        "kwijtschelding gemeentelijke belastingen": "sdd_bereik_kwijtschelding",
    }
    reach = {
        (regeling, wijk): base[(code, name)][0] / 100
        for regeling, code in codes.items()
        for name, wijk in calibration.AREA_NAMES.items()
        if wijk != programme.MUNICIPALITY
    }
    for year in range(first_year, last[0] + 1):
        grants = []
        for b in bs:
            for regeling, share in MINIMA_BEREIK.items():
                share = reach.get((regeling, b.wijk), share)
                for _ in range(round(low_income.get((year, b.code), 0) * share * rng.uniform(0.9, 1.1))):
                    when = date(year, 1, 1) + timedelta(days=rng.randrange(365))
                    amount = {
                        "bijzondere bijstand": rng.uniform(80, 1500),
                        "persoonlijk minimabudget": 250.0,
                        "kwijtschelding gemeentelijke belastingen": rng.uniform(150, 900),
                    }[regeling]
                    grants.append([synthetic_bsn(next(next_person)), regeling, when, _amount(amount), b.code])
        grants.sort(key=lambda g: g[2])
        for q in range(1, 5):
            if (year, q) > last:
                break
            upto = date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
            rows = [[g[0], g[1], g[2].isoformat(), g[3], g[4]] for g in grants if g[2] <= upto]
            name = f"SDD_minimaregelingen_{year}Q{q}.csv"
            counts[name] = _write_sdd(out / "sdd" / name, headers("sdd.minimaregelingen"), rows)
    return counts


def _blik(out, rng, bs, first_year, last) -> dict[str, int]:
    counts: dict[str, int] = {}
    inwoners: dict[str, int] = {}
    for b in bs:
        if b.wijk in BLIK_WIJK:
            inwoners[b.wijk] = inwoners.get(b.wijk, 0) + b.inwoners_2024 * (2 if b.focus else 1)
    wijken = list(inwoners)
    weights = [inwoners[w] for w in wijken]
    clients = [f"C{n:05d}" for n in range(1, 1600)]
    volunteers = [
        [
            f"VR{n:04d}",
            rng.choices(wijken, weights)[0],
            rng.randint(1, 5),
            date(2019, 1, 1) + timedelta(days=rng.randrange(1000)),
            None,
        ]
        for n in range(1, 226)
    ]
    reg_id = iter(range(100_001, 10**7))
    for year in range(first_year, last[0] + 1):
        for q in range(1, 5):
            if (year, q) > last:
                break
            start = date(year, 3 * q - 2, 1)
            end = date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
            rows = []
            for soort, per_year in BLIK_YEAR.items():
                for _ in range(round(per_year / 4 * rng.uniform(0.85, 1.15))):
                    when = (
                        f"{start + timedelta(days=rng.randrange((end - start).days + 1))}T"
                        f"{rng.randint(8, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"
                    )
                    wijk = "Stedelijk" if rng.random() < 0.08 else BLIK_WIJK[rng.choices(wijken, weights)[0]]
                    collective = soort == "collectief dossier"
                    rows.append(
                        [
                            str(next(reg_id)),
                            when,
                            soort,
                            str(PROGRAMMALIJN[soort]),
                            rng.choice(DOMEINEN),
                            wijk,
                            "" if collective else rng.choice(clients),
                            str(rng.randint(5, 35)) if collective else "",
                            rng.choice(PARTNERS) if soort == "doorverwijzing" else "",
                        ]
                    )
            rows.sort(key=lambda r: r[1])
            name = f"BLIK_registraties_{year}-Q{q}.csv"
            counts[name] = _write_blik(
                out / "blik" / name,
                headers("blik.registraties"),
                rows,
            )
            vrows = []
            for v in volunteers:
                if v[4] is None and rng.random() < 0.04:
                    v[4] = start + timedelta(days=rng.randrange(80))
                if v[3] <= end and (v[4] is None or v[4] >= start):
                    vrows.append([v[0], BLIK_WIJK[v[1]], str(v[2]), v[3].isoformat(), v[4].isoformat() if v[4] else ""])
                if v[4] is not None and v[4] < start:  # replaced by a new volunteer
                    v[:] = [v[0] + "b", v[1], v[2], start + timedelta(days=rng.randrange(60)), None]
            name = f"BLIK_vrijwilligers_{year}-Q{q}.csv"
            counts[name] = _write_blik(out / "blik" / name, headers("blik.vrijwilligers"), vrows)
    return counts


def _ocd_workbooks(out: Path, rng: random.Random) -> dict[str, int]:
    import openpyxl

    with open(config.SEEDS_DIR / "ocd_indicatorcodes.csv", encoding="utf-8") as fh:
        codes = list(csv.DictReader(fh))
    with open(config.SEEDS_DIR / "indicator_catalogus.csv", encoding="utf-8") as fh:
        catalogue = {r["indicator_code"]: r for r in csv.DictReader(fh)}
    baseline = calibration.baseline()
    counts: dict[str, int] = {}
    for monitor in OCD_SURVEYS:
        indicators = {c["indicator_code"] for c in codes if c["bron"] == monitor}
        # the workbook of the survey year Bijlage 3 prints with its indicators' baseline
        year = max(int(y) for (code, _), (_, y, _) in baseline.items() if code in indicators and y)
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Tabel"
        ws.append([f"{monitor.capitalize()} {year}: uitkomsten per wijk"])
        ws.append(["Bron: Onderzoekcentrum Drechtsteden"])
        ws.append([])
        ws.append(headers(f"ocd.{monitor}"))
        n = 0
        for code in (c for c in codes if c["bron"] == monitor):
            indicator = catalogue[code["indicator_code"]]
            unit = UNIT.get(indicator["eenheid"], "%")
            for area, area_code in calibration.AREA_NAMES.items():
                if (code["indicator_code"], area) not in baseline:
                    continue
                value = baseline[(code["indicator_code"], area)][0]
                respondents = 1850 if area_code == programme.MUNICIPALITY else rng.randint(120, 320)
                if area_code == "WK050504" and code["indicator_code"] == "vm_sociale_overlast":
                    ws.append(
                        [
                            code["ocd_code"],
                            indicator["naam"],
                            area_code,
                            area,
                            None,
                            unit,
                            24,
                            None,
                            None,
                            "niet gepubliceerd: minder dan 30 respondenten",
                        ]
                    )
                else:
                    half = (
                        1.96 * (value * (100 - value) / respondents) ** 0.5 / 1
                        if unit == "%"
                        else 0.15
                        if unit in ("rapportcijfer", "schaalscore")
                        else value * 0.05
                    )
                    ws.append(
                        [
                            code["ocd_code"],
                            indicator["naam"],
                            area_code,
                            area,
                            value,
                            unit,
                            respondents,
                            round(value - half, 2),
                            round(value + half, 2),
                            None,
                        ]
                    )
                n += 1
        name = f"OCD_{monitor}_{year}.xlsx"
        files.save_workbook(wb, out / "ocd" / name, files.moment_of("ocd", name))
        counts[name] = n
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kerncijfers"
    ws.append(headers("ocd.kerncijfers"))
    n = 0
    for code in (c for c in codes if c["bron"] == "kerncijfers"):
        indicator = catalogue[code["indicator_code"]]
        for area, area_code in calibration.AREA_NAMES.items():
            if (code["indicator_code"], area) in baseline:
                value, ref_year, _ = baseline[(code["indicator_code"], area)]
                ws.append(
                    [
                        code["ocd_code"],
                        indicator["naam"],
                        area_code,
                        ref_year or "2023",
                        value,
                        None,
                        None,
                        indicator["bronhouder"],
                    ]
                )
                n += 1
    name = "OCD_kerncijfers_2023.xlsx"
    files.save_workbook(wb, out / "ocd" / name, files.moment_of("ocd", name))
    counts[name] = n
    return counts
