"""Calibration of the sample deliveries (issue 5): the generated baseline year 2022 reproduces the
Bijlage 3 nulmeting for Dordrecht and the four wijken, and the generated 2023 police totals per wijk
are close to the real CBS 2023 counts (reference data).

Stated tolerance: a value may differ from its target by 3 Poisson standard deviations of the
expected count (sqrt of the count the target implies for the generated denominator) plus 5 % of
the target (10 % for BLIK's participants, which come in groups of 5 to 35).
"""

from __future__ import annotations

import csv
import math
from datetime import date

import pytest

from mdw_dev.samples import core
from monitor_dordt_west import config
from monitor_dordt_west.orchestration import pipeline
from tests.conftest import query

pytestmark = pytest.mark.e2e


def tolerance(target: float, denominator: float | None, factor: float | None, code: str) -> float:
    if denominator:  # a rate or share: the count the target implies for this denominator
        expected = target * denominator / factor
        noise = 3 * math.sqrt(expected) * factor / denominator
    else:
        noise = 3 * math.sqrt(target)
    return noise + (0.10 if code == "blik_deelnemers_collectief" else 0.05) * target


def test_generated_baseline_matches_bijlage_3_and_cbs_2023(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", "12" * 32)
    landing = tmp_path / "landing"
    core.generate(landing, seed=2024, first_year=2022, today=date(2024, 1, 1))
    assert pipeline.run(fresh_db, landing).ok
    rows = query(
        fresh_db,
        """
        SELECT n.indicator_code, n.gebiedscode, n.waarde, f.waarde, f.noemer, i.factor
        FROM marts.fct_nulmeting n
        JOIN marts.dim_indicator i USING (indicator_code)
        JOIN marts.fct_indicator_values f
          ON f.indicator_code = n.indicator_code AND f.gebiedscode = n.gebiedscode AND f.periode_code = '2022'
        WHERE i.wordt_berekend""",
    )
    codes = {r[0] for r in rows}
    assert len(codes) >= 19  # every computed indicator with a printed baseline (police, SDD, BLIK)
    off = []
    for code, area, target, value, denominator, factor in rows:
        target, value = float(target), float(value)
        limit = tolerance(target, float(denominator) if denominator else None, float(factor) if factor else None, code)
        if abs(value - target) > limit:
            off.append((code, area, target, round(value, 2), round(limit, 2)))
    assert off == []

    with open(config.SEEDS_DIR / "cbs_buurten_dordrecht.csv", encoding="utf-8") as fh:
        cbs: dict[str, int] = {}
        for r in csv.DictReader(fh):
            cbs[r["wijkcode"]] = cbs.get(r["wijkcode"], 0) + int(r["geregistreerde_misdrijven_2023"])
    generated = dict(
        query(
            fresh_db,
            "SELECT gebiedscode, waarde FROM marts.fct_indicator_values "
            "WHERE indicator_code = 'pol_misdrijven' AND periode_code = '2023' "
            "AND gebiedscode LIKE 'WK%%'",
        )
    )
    for wijk, count in cbs.items():
        assert abs(float(generated[wijk]) - count) <= 3 * math.sqrt(count) + 0.05 * count, (
            wijk,
            count,
            generated[wijk],
        )
