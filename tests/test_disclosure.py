"""Disclosure control with crafted small numbers (rules of ../shared/brief.md)."""

import itertools
import random

import pytest

from monitor_dordt_west import programme
from monitor_dordt_west.publication.disclosure import RULES, Cell, Earlier, check_groups_safe, protect, round_persons

DW, GM = programme.FOCUS_AREA, programme.MUNICIPALITY
OK, NK, WW, CH = programme.FOCUS_WIJKEN  # Oud-Krispijn, Nieuw-Krispijn, Wielwijk, Crabbehof
GROUPS = {DW: [OK, NK, WW, CH]}


def persons(area, n, indicator="sdd_schuldhulp", period="2026-Q3-4KW", is_count=True, denominator=None):
    value = n if is_count else (None if not denominator else round(n / denominator * 1000, 1))
    return Cell(indicator, area, period, "personen", is_count, value, n, denominator, series="schuldhulp")


def table(counts, **kw):
    return [persons(a, n, **kw) for a, n in counts.items()]


def test_the_rules_are_those_of_the_catalogues_disclosure_classes():
    assert sorted(RULES) == sorted(programme.disclosure_classes())
    with pytest.raises(ValueError, match="onbekende onthullingsklasse"):
        Cell("sdd_schuldhulp", DW, "2026-Q3-4KW", "iets anders", True, 5)


@pytest.mark.parametrize(("n", "published"), [(10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (122, 120), (0, 0)])
def test_person_counts_round_to_five(n, published):
    assert round_persons(n) == published


def test_small_person_count_and_its_secondary_suppression():
    # Nieuw-Krispijn has 7 persons; Dordt West 120 = 40 + 7 + 30 + 43: without a second hidden
    # cell, 7 = 120 - 40 - 30 - 43. The smallest other wijk (Wielwijk, 30) is hidden too.
    out = protect(table({DW: 120, OK: 40, NK: 7, WW: 30, CH: 43, GM: 900}), GROUPS)
    d = out.decisions
    assert d[("sdd_schuldhulp", NK, "2026-Q3-4KW")].kind == "primair"
    assert d[("sdd_schuldhulp", WW, "2026-Q3-4KW")].kind == "secundair"
    assert not d[("sdd_schuldhulp", OK, "2026-Q3-4KW")].suppressed
    assert d[("sdd_schuldhulp", CH, "2026-Q3-4KW")].published_value == 45  # 43 rounded to 5
    assert d[("sdd_schuldhulp", DW, "2026-Q3-4KW")].published_value == 120
    assert d[("sdd_schuldhulp", GM, "2026-Q3-4KW")].published_value == 900
    assert out.suppressed() == {("sdd_schuldhulp", NK, "2026-Q3-4KW"), ("sdd_schuldhulp", WW, "2026-Q3-4KW")}


def test_without_the_total_a_single_small_part_is_enough():
    # Buurtwerk counts exist per wijk only (no Dordt West): nothing to derive a hidden wijk from
    out = protect(table({OK: 40, NK: 7, WW: 30, CH: 43}), GROUPS)
    assert out.suppressed() == {("sdd_schuldhulp", NK, "2026-Q3-4KW")}


def test_two_small_counts_need_no_extra_suppression():
    out = protect(table({DW: 120, OK: 3, NK: 7, WW: 50, CH: 60}), GROUPS)
    assert out.suppressed() == {("sdd_schuldhulp", OK, "2026-Q3-4KW"), ("sdd_schuldhulp", NK, "2026-Q3-4KW")}


def test_zero_is_published_and_a_small_total_takes_a_part_with_it():
    # Dordt West 8 persons, all in Crabbehof: both primary. Zeros are published.
    out = protect(table({DW: 8, OK: 0, NK: 0, WW: 0, CH: 8}), GROUPS)
    assert out.suppressed() == {("sdd_schuldhulp", DW, "2026-Q3-4KW"), ("sdd_schuldhulp", CH, "2026-Q3-4KW")}
    assert out.decisions[("sdd_schuldhulp", OK, "2026-Q3-4KW")].published_value == 0


def test_hidden_total_takes_the_smallest_part():
    # only the total is small? impossible with positive parts; a total hidden by an earlier
    # publication while all parts are shown must take a part with it
    cells = table({DW: 100, OK: 20, NK: 25, WW: 25, CH: 30})
    earlier = {("sdd_schuldhulp", DW, "2026-Q3-4KW"): Earlier(True, cells[0].fingerprint)}
    out = protect(cells, GROUPS, earlier)
    assert out.decisions[("sdd_schuldhulp", DW, "2026-Q3-4KW")].kind == "eerder"
    assert out.decisions[("sdd_schuldhulp", OK, "2026-Q3-4KW")].kind == "secundair"


def test_rate_shares_the_fate_of_its_count():
    # the rate per 1,000 of Wielwijk would reveal the hidden count (population is public)
    pop = {DW: 29000, OK: 7000, NK: 9000, WW: 8000, CH: 6000}
    counts = {DW: 120, OK: 40, NK: 7, WW: 30, CH: 43}
    cells = table(counts) + [
        persons(a, n, indicator="sdd_schuldhulp_per_1k", is_count=False, denominator=pop[a]) for a, n in counts.items()
    ]
    out = protect(cells, GROUPS)
    hidden_areas = {(k[0], k[1]) for k in out.suppressed()}
    assert hidden_areas == {
        ("sdd_schuldhulp", NK),
        ("sdd_schuldhulp", WW),
        ("sdd_schuldhulp_per_1k", NK),
        ("sdd_schuldhulp_per_1k", WW),
    }
    # the rate is computed from the exact count, the published count is rounded
    ok_rate = out.decisions[("sdd_schuldhulp_per_1k", OK, "2026-Q3-4KW")]
    assert ok_rate.published_value == round(40 / 7000 * 1000, 1)


def test_rate_needs_a_denominator_of_100():
    small = Cell("pct_x", OK, "2025", "personen", False, 20.0, 19, 95)
    big = Cell("pct_x", NK, "2025", "personen", False, 20.0, 20, 100)
    events = Cell("pol_per_1k", WW, "2025", "gebeurtenissen", False, 50.0, 4, 80)
    out = protect([small, big, events], {})
    assert out.decisions[small.key].reason == "noemer kleiner dan 100"
    assert not out.decisions[big.key].suppressed
    assert out.decisions[events.key].suppressed


def test_event_counts_are_published_exactly():
    c = Cell("pol_misdrijven", NK, "2025", "gebeurtenissen", True, 7.0, 7, None)
    out = protect([c], GROUPS)
    assert not out.decisions[c.key].suppressed
    assert out.decisions[c.key].published_value == 7.0


def test_survey_needs_30_respondents_and_no_secondary():
    cells = [
        Cell("gm_stress", OK, "2024", "enquete", False, 40.0, respondents=29),
        Cell("gm_stress", NK, "2024", "enquete", False, 41.0, respondents=30),
        Cell("gm_stress", WW, "2024", "enquete", False, 42.0, respondents=None),
        Cell("gm_stress", DW, "2024", "enquete", False, 41.0, respondents=400),
    ]
    out = protect(cells, GROUPS)
    assert [out.decisions[c.key].suppressed for c in cells] == [True, False, True, False]
    assert out.decisions[cells[2].key].reason == "aantal respondenten onbekend"


def test_compiled_figures_as_delivered_unless_a_small_known_denominator():
    a = Cell("ocd_x", OK, "2024", "samengesteld", False, 12.5)
    b = Cell("ocd_y", OK, "2024", "samengesteld", False, 12.5, 5, 40)
    out = protect([a, b], {})
    assert not out.decisions[a.key].suppressed
    assert out.decisions[b.key].suppressed


def test_previous_quarter_cannot_reveal_a_hidden_cell():
    # Last quarter Wielwijk was hidden as secondary cell; the numbers did not change. Had this
    # quarter hidden Crabbehof instead, both publications together would reveal Nieuw-Krispijn.
    cells = table({DW: 120, OK: 40, NK: 7, WW: 30, CH: 43})
    by_area = {c.area: c for c in cells}
    earlier = {c.key: Earlier(c.area in (NK, WW), c.fingerprint) for c in cells}
    out = protect(cells, GROUPS, earlier)
    assert {k[1] for k in out.suppressed()} == {NK, WW}
    assert out.decisions[by_area[WW].key].kind in ("eerder", "secundair")


def test_a_cell_published_before_is_not_a_protection():
    # Wielwijk (30) was published last quarter with the same number: hiding it now protects
    # nothing, so the next smallest unknown part (Oud-Krispijn, 40) is hidden instead.
    cells = table({DW: 120, OK: 40, NK: 7, WW: 30, CH: 43})
    ww = next(c for c in cells if c.area == WW)
    out = protect(cells, GROUPS, {ww.key: Earlier(False, ww.fingerprint)})
    assert {k[1] for k in out.suppressed()} == {NK, OK}


def test_no_candidate_left_is_reported():
    cells = table({DW: 120, OK: 40, NK: 7, WW: 30, CH: 43})
    earlier = {c.key: Earlier(False, c.fingerprint) for c in cells if c.area != NK}
    out = protect(cells, GROUPS, earlier)
    assert out.warnings and "af te leiden" in out.warnings[0]


def test_random_tables_never_leave_a_single_hidden_cell():
    rng = random.Random(7)
    for _ in range(500):
        parts = {a: rng.choice([0, 1, 2, 5, 9, 10, 11, 30, 80]) for a in (OK, NK, WW, CH)}
        counts = {DW: sum(parts.values()), **parts}
        cells = table(counts)
        out = protect(cells, GROUPS)
        assert check_groups_safe(out, cells, GROUPS) == []
        for c in cells:
            if 0 < c.numerator < 10:
                assert out.decisions[c.key].suppressed
            d = out.decisions[c.key]
            if not d.suppressed:
                assert d.published_value % 5 == 0


def test_every_pair_of_small_counts():
    for a, b in itertools.combinations((OK, NK, WW, CH), 2):
        counts = {DW: 200, OK: 50, NK: 50, WW: 50, CH: 50, a: 4, b: 6}
        out = protect(table(counts), GROUPS)
        assert {k[1] for k in out.suppressed()} == {a, b}
