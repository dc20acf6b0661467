"""The publication's small rules, worked out by hand: significance against Dordrecht, rounding
per unit, period labels, the goal in words, positions on the time axis."""

import pytest

from monitor_dordt_west.publication.assembly import goal_text, rounded, significance
from monitor_dordt_west.publication.content import pillar_of
from monitor_dordt_west.publication.presentation import period_label, period_x


def survey(value, low, high):
    return {"waarde": value, "ondergrens": low, "bovengrens": high}


def test_significance_against_dordrecht():
    dordrecht = survey(30.0, 28.0, 32.0)  # se = 2 / 1.96 = 1.02
    # 40 % [36; 44]: se 2.04; |40 - 30| / sqrt(2.04² + 1.02²) = 10 / 2.28 = 4.4 > 1.96
    assert significance(survey(40.0, 36.0, 44.0), dordrecht) == "ja, hoger"
    assert significance(survey(20.0, 16.0, 24.0), dordrecht) == "ja, lager"
    # 34 % [30; 38]: 4 / 2.28 = 1.75 < 1.96
    assert significance(survey(34.0, 30.0, 38.0), dordrecht) == "nee"
    assert significance(survey(34.0, None, None), dordrecht) == "onbekend"
    assert significance(dordrecht, dordrecht) is None


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(20.05, "%", 20.1), (4.055, "index", 4.06), (1414.5, "aantal", 1415.0), (16.666667, "per 10.000 inwoners", 16.7)],
)
def test_numbers_are_rounded_half_up_per_unit(value, unit, shown):
    assert rounded(value, unit) == shown


def test_labels():
    assert period_label("2026-Q3-4KW") == "4 kwartalen t/m 3e kw. 2026"
    assert period_label("2025") == "2025"
    assert (
        goal_text({"doel_type": "relatieve_daling", "doel_waarde": 70, "doel_basisjaar": 2015})
        == "70 % lager dan in 2015"
    )
    assert goal_text({"doel_type": "drempel_max", "doel_waarde": 15.0, "doel_basisjaar": None}) == "hoogstens 15"
    assert pillar_of("leefbaar-en-veilig") == "Leefbaar en veilig"
    with pytest.raises(ValueError, match="onbekend"):
        pillar_of("sport")


def test_time_axis_puts_a_rolling_year_at_its_end():
    assert period_x("2025") == 2025.0
    assert period_x("2026-Q3-4KW") == 2025.75
    assert period_x("2026-Q4-4KW") == period_x("2026")
