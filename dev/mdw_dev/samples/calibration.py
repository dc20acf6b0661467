"""Calibration of the sample deliveries to the Bijlage 3 baseline (seed 002).

The baseline period is 2022, the year before the programme started: the generated 2022 police
files reproduce, per wijk and for Dordrecht, the printed rates of registered crimes (and of
woninginbraak, geweld, straatroof/overval), nuisance reports, E33 reports, the share of youth
nuisance and young suspects per 1.000 inhabitants under 25. From 2023 on the crime counts per
buurt follow the real CBS 2023 counts (reference data) with a trend. The rest of Dordrecht (the
wijken outside Dordt West) gets what Dordrecht's printed figure leaves after the four wijken.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from monitor_dordt_west import config, programme

# the areas of the baseline (Bijlage 3) the OCD workbooks carry, with their CBS codes
AREA_NAMES = {
    "Dordrecht": programme.MUNICIPALITY,
    "Oud-Krispijn": "WK050503",
    "Nieuw-Krispijn": "WK050504",
    "Wielwijk": "WK050507",
    "Crabbehof": "WK050508",
}
FOCUS = {code: name for name, code in AREA_NAMES.items() if code in programme.FOCUS_WIJKEN}
BASELINE_YEAR = 2022
# crime groups of the generator's BVH codes (CBS 47018NED soort)
GROUPS = {
    "woning": ("A20", "A30"),
    "geweld": ("F550", "F551", "F530", "F12", "F522", "F540"),
    "straatroof": ("B70", "B73"),
}
RATES = {
    "woning": "pol_woninginbraak_per_10k",
    "geweld": "pol_geweld_per_10k",
    "straatroof": "pol_straatroof_overval_per_10k",
}
NO_BUURT_CRIMES = 190  # a year, counted for Dordrecht only
NO_BUURT_INCIDENTS = 150


@dataclass
class Plan:
    crimes: dict[str, float]  # buurt (or "" for unknown) -> crimes a year
    crime_shares: dict[str, dict[str, float]]  # wijk or "rest" -> group -> share of the wijk's crimes
    incidents: dict[str, float]  # buurt -> incidents a year
    incident_shares: dict[str, tuple[float, float]]  # wijk or "rest" -> (E33 share, youth share)
    young_suspects: dict[str, float]  # wijk or "rest" -> distinct suspects under 25 a year


def _value(baseline, code: str, area: str) -> float:
    return baseline[(code, area)][0]


def baseline_plan(bs, population: dict[str, int], young: dict[str, int]) -> Plan:
    """Yearly volumes for the baseline year from the printed figures; population per buurt on 1-1."""
    base = baseline()
    by_wijk: dict[str, list] = {}
    for b in bs:
        by_wijk.setdefault(b.wijk if b.wijk in FOCUS else "rest", []).append(b)
    total_pop = sum(population.values())

    def pop(group: str) -> int:
        return sum(population[b.code] for b in by_wijk[group])

    def young_pop(group: str) -> int:
        return sum(young[b.code] for b in by_wijk[group])

    crimes: dict[str, float] = {}
    crime_shares: dict[str, dict[str, float]] = {}
    incidents: dict[str, float] = {}
    incident_shares: dict[str, tuple[float, float]] = {}
    young_suspects: dict[str, float] = {}
    totals = {"crimes": 0.0, "incidents": 0.0, "e33": 0.0, "jeugd": 0.0, "young": 0.0}
    group_totals = dict.fromkeys(GROUPS, 0.0)
    for wijk, name in FOCUS.items():
        n_crimes = _value(base, "pol_misdrijven_per_10k", name) * pop(wijk) / 10_000
        crime_shares[wijk] = {g: _value(base, RATES[g], name) * pop(wijk) / 10_000 / n_crimes for g in GROUPS}
        for g in GROUPS:
            group_totals[g] += crime_shares[wijk][g] * n_crimes
        _spread(crimes, by_wijk[wijk], n_crimes)
        n_inc = _value(base, "pol_overlast_per_10k", name) * pop(wijk) / 10_000
        e33 = _value(base, "pol_e33_meldingen", name)
        jeugd = _value(base, "pol_aandeel_overlast_jeugd", name) / 100
        incident_shares[wijk] = (e33 / n_inc, jeugd)
        for b in by_wijk[wijk]:
            incidents[b.code] = n_inc * population[b.code] / pop(wijk)
        young_suspects[wijk] = _value(base, "pol_verdachten_jong_per_1k", name) * young_pop(wijk) / 1000
        totals["crimes"] += n_crimes
        totals["incidents"] += n_inc
        totals["e33"] += e33
        totals["jeugd"] += jeugd * n_inc
        totals["young"] += young_suspects[wijk]
    # the rest of Dordrecht: Dordrecht's printed figure minus the four wijken (and the records without buurt)
    gm_crimes = _value(base, "pol_misdrijven_per_10k", "Dordrecht") * total_pop / 10_000
    rest_crimes = gm_crimes - totals["crimes"] - NO_BUURT_CRIMES
    crime_shares["rest"] = {
        g: max(0.0, _value(base, RATES[g], "Dordrecht") * total_pop / 10_000 - group_totals[g])
        / (gm_crimes - totals["crimes"])
        for g in GROUPS
    }
    _spread(crimes, by_wijk["rest"], rest_crimes)
    crimes[""] = NO_BUURT_CRIMES
    gm_inc = _value(base, "pol_overlast_per_10k", "Dordrecht") * total_pop / 10_000
    rest_inc = gm_inc - totals["incidents"]
    incident_shares["rest"] = (
        (_value(base, "pol_e33_meldingen", "Dordrecht") - totals["e33"]) / rest_inc,
        (_value(base, "pol_aandeel_overlast_jeugd", "Dordrecht") / 100 * gm_inc - totals["jeugd"]) / rest_inc,
    )
    for b in by_wijk["rest"]:
        incidents[b.code] = (rest_inc - NO_BUURT_INCIDENTS) * population[b.code] / pop("rest")
    incidents[""] = NO_BUURT_INCIDENTS
    young_suspects["rest"] = max(
        0.0, _value(base, "pol_verdachten_jong_per_1k", "Dordrecht") * sum(young.values()) / 1000 - totals["young"]
    )
    return Plan(crimes, crime_shares, incidents, incident_shares, young_suspects)


def _spread(target: dict[str, float], buurten, total: float) -> None:
    """Spread a wijk's yearly crimes over its buurten like the real CBS 2023 counts."""
    weight = sum(b.misdrijven_2023 for b in buurten) or 1
    for b in buurten:
        target[b.code] = total * b.misdrijven_2023 / weight


def baseline() -> dict[tuple[str, str], tuple[float, str, str]]:
    """(indicator, area) -> (value, reference year, unit as printed) for the copies that hold."""
    with open(config.SEEDS_DIR / "nulmeting_besluiten.csv", encoding="utf-8") as fh:
        chosen = {r["indicator_code"]: r["gekozen_sectie"] for r in csv.DictReader(fh)}
    result: dict[tuple[str, str], tuple[float, str, str]] = {}
    with open(config.SEEDS_DIR / "nulmeting_bijlage3.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (r["indicator_code"], r["gebied"])
            if r["gebied"] in AREA_NAMES and (key not in result or chosen.get(r["indicator_code"]) == r["sectie"]):
                result[key] = (float(r["waarde"]), r["referentiejaar"], r["eenheid_zoals_gedrukt"])
    return result
