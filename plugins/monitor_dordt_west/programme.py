"""The programme's constants and vocabularies, as Python reads them from their one home, the dbt project.

* **Constants** are dbt's ``vars`` (``dbt_project/dbt_project.yml``): the municipality, the focus
  area, the programme areas, the first year of the calendar, the nulmeting year and the goal year.
  dbt's models use them as ``var(...)``; Python reads them here, once, at import.
* **Vocabularies** are seeds (``dbt_project/seeds/``), each the target of a ``relationships`` test
  from the catalogue (``_seeds.yml``) and read by dbt's models: goal types (``doeltypen.csv``),
  units (``eenheden.csv``) and disclosure classes (``onthullingsklassen.csv``). Python reads them
  here, on first use.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from typing import Any

import yaml

from monitor_dordt_west import config


def dbt_vars() -> dict[str, Any]:
    """The ``vars`` of the dbt project."""
    project = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]


_VARS = dbt_vars()
MUNICIPALITY: str = _VARS["gemeente_code"]  # GM0505, Dordrecht
FOCUS_AREA: str = _VARS["focus_area_code"]  # FG0505DW, Dordt West (not a CBS code)
# the areas the stuurgroepen steer on: Dordrecht, Dordt West and its four wijken
PROGRAMME_AREAS: tuple[str, ...] = tuple(_VARS["programma_gebieden"])
FOCUS_WIJKEN: tuple[str, ...] = tuple(a for a in PROGRAMME_AREAS if a not in (MUNICIPALITY, FOCUS_AREA))
CALENDAR_START_YEAR: int = _VARS["kalender_beginjaar"]  # no period of the monitor begins before it
BASELINE_YEAR: int = _VARS["nulmeting_jaar"]  # of the nulmeting where Bijlage 3 prints no year
GOAL_YEAR: int = _VARS["doeljaar"]  # 2043


def _seed(name: str) -> list[dict[str, str]]:
    with open(config.SEEDS_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class GoalType:
    code: str  # doel_type
    description: str  # Dutch, for the documentation
    direction: str | None  # the direction the rule imposes (a maximum: lower is better); None: the indicator's
    text: str  # the goal in words as published; {waarde}: doel_waarde, {basisjaar}: doel_basisjaar


@dataclass(frozen=True)
class Unit:
    code: str  # eenheid, as the catalogue and the publication write it
    description: str
    kind: str  # aantal, aandeel, verhouding, score or bedrag
    decimals: int  # shown in the publication

    @property
    def is_count(self) -> bool:
        return self.kind == "aantal"

    @property
    def is_share(self) -> bool:
        """A percentage of a numerator over a denominator (between 0 and 100)."""
        return self.kind == "aandeel"


@dataclass(frozen=True)
class DisclosureClass:
    code: str  # onthullingsklasse: what publication.disclosure applies
    rule: str  # onthullingsregel: the rule in words


@functools.cache
def goal_types() -> dict[str, GoalType]:
    return {
        r["doel_type"]: GoalType(r["doel_type"], r["omschrijving"], r["doelrichting"] or None, r["doeltekst"])
        for r in _seed("doeltypen.csv")
    }


@functools.cache
def units() -> dict[str, Unit]:
    return {
        r["eenheid"]: Unit(r["eenheid"], r["omschrijving"], r["soort"], int(r["decimalen"]))
        for r in _seed("eenheden.csv")
    }


@functools.cache
def disclosure_classes() -> dict[str, DisclosureClass]:
    return {
        r["onthullingsklasse"]: DisclosureClass(r["onthullingsklasse"], r["onthullingsregel"])
        for r in _seed("onthullingsklassen.csv")
    }
