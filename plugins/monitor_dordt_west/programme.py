"""The programme's constants, as Python reads them from their one home, the dbt project.

The constants are dbt's ``vars`` (``dbt_project/dbt_project.yml``): the municipality, the focus
area, the programme areas, the first year of the calendar, the nulmeting year and the goal year.
dbt's models use them as ``var(...)``; Python reads them here, once, at import.
"""

from __future__ import annotations

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
