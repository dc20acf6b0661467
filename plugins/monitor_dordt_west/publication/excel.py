"""The Excel workbook of a pillar's quarterly publication (XlsxWriter).

A board member opens and prints it: an overview sheet, one sheet per theme (table with frozen
headers, units and number formats, then the charts of each wijk against Dordrecht with the
path to the 2043 goal), the changes since the previous publication, and a "Toelichting" sheet
with definitions and sources. The file is byte-reproducible: XlsxWriter stamps the zip entries
with a fixed date and the document properties carry the publication's creation time.
"""

from __future__ import annotations

import math
from pathlib import Path

from monitor_dordt_west.publication.assembly import GOAL_YEAR, MUNICIPALITY, STATUS_SYMBOL, PillarContent, period_label
from monitor_dordt_west.publication.disclosure import MARK

MISSING = "."  # CBS convention: figure not available

STATUS_COLOURS = {
    "op koers": ("#1E7B34", "#DFF2E3"),
    "niet op koers": ("#A61B1B", "#F8DEDE"),
    "niet vergelijkbaar": ("#555555", "#EEEEEE"),
    "geen data": ("#555555", "#FFFFFF"),
}
AREA_COLOURS = ["#E4003A", "#F39200", "#5B9BD5", "#70AD47", "#7030A0", "#000000"]

TABLE_COLUMNS = [
    ("Indicator", 34),
    ("Eenheid", 14),
    ("Gebied", 15),
    ("Periode", 18),
    ("Cijfer", 10),
    ("Status cijfer", 11),
    ("Nulmeting", 10),
    ("Jaar nulmeting", 9),
    ("Verandering sinds nulmeting", 12),
    ("Dordrecht", 10),
    ("Verschil met Dordrecht", 11),
    ("Doel 2043", 10),
    ("Op koers naar 2043?", 20),
    ("Significant verschil met Dordrecht (enquête)", 14),
    ("Vorige publicatie", 18),
    ("Wijziging", 15),
]

LEGEND = [
    (MARK, "niet gepubliceerd ter bescherming van personen (minder dan 10 personen, een noemer kleiner dan 100, "
           "minder dan 30 respondenten, of om te voorkomen dat zo'n cijfer uit andere cijfers is af te leiden)"),
    (MISSING, "geen cijfer beschikbaar"),
    ("voorlopig", "cijfer kan nog wijzigen (het jaar is bij de bron nog niet afgesloten)"),
    (STATUS_SYMBOL["op koers"], "de waarde ligt op of voor het pad van de nulmeting naar het doel voor 2043"),
    (STATUS_SYMBOL["niet op koers"], "de waarde ligt achter op dat pad"),
    (STATUS_SYMBOL["niet vergelijkbaar"], "geen vergelijking mogelijk (zie Toelichting)"),
    ("Aantallen personen", "afgerond op vijftallen"),
]  # fmt: skip


def _fit_row(ws, row: int, cells: list[tuple[str, float]], line: float = 12.0) -> None:
    """Row height for wrapped text (XlsxWriter does not measure text): the most lines any of
    ``cells`` (text, column width in characters) needs."""
    lines = max((math.ceil(len(text or "") * 1.1 / max(width - 1, 1)) for text, width in cells), default=1)
    if lines > 1:
        ws.set_row(row, line * lines)


def _fmt_number(dec: int) -> str:
    return "#,##0" if dec == 0 else "#,##0." + "0" * dec


def write(content: PillarContent, path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties(
        {
            "title": f"Monitor Dordt West – {content.pillar} – {content.quarter.code}",
            "subject": f"Kwartaalpublicatie stuurgroep {content.pillar}, versie {content.version}",
            "author": "Gemeente Dordrecht – Monitor Dordt West",
            "company": "Gemeente Dordrecht",
            "created": content.created.replace(tzinfo=None),
            "comments": f"Inhoud-checksum {content.checksum()}",
        }
    )
    f = _Formats(wb)
    _overview(wb, f, content)
    data = wb.add_worksheet("Grafiekdata")
    data_row = [0]
    for theme, indicators in content.themes:
        _theme_sheet(wb, f, content, theme, indicators, data, data_row)
    _changes_sheet(wb, f, content)
    _notes_sheet(wb, f, content)
    data.hide()
    wb.close()


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "Arial", "font_size": 9, "valign": "top"}
        self.base = base
        self.wb = wb
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = wb.add_format({**base, "font_size": 10, "font_color": "#444444"})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.bold = wb.add_format({**base, "bold": True})
        self.header = wb.add_format(
            {**base, "bold": True, "text_wrap": True, "bg_color": "#DCE6F1", "border": 1, "valign": "bottom"}
        )
        self.text = wb.add_format({**base, "border": 1, "text_wrap": True})
        self.text_first = wb.add_format({**base, "border": 1, "text_wrap": True, "bold": True, "top": 2})
        self.mark = wb.add_format({**base, "border": 1, "align": "right", "font_color": "#7F7F7F", "italic": True})
        self.mark_first = wb.add_format(
            {**base, "border": 1, "top": 2, "align": "right", "font_color": "#7F7F7F", "italic": True}
        )
        self.numbers: dict = {}
        self.statuses: dict = {}

    def number(self, dec: int, first: bool, bold: bool = False):
        key = (dec, first, bold)
        if key not in self.numbers:
            self.numbers[key] = self.wb.add_format(
                {
                    **self.base,
                    "border": 1,
                    "num_format": _fmt_number(dec),
                    "bold": bold,
                    **({"top": 2} if first else {}),
                }
            )
        return self.numbers[key]

    def cell(self, first: bool):
        key = ("text", first)
        if key not in self.numbers:
            self.numbers[key] = self.wb.add_format({**self.base, "border": 1, **({"top": 2} if first else {})})
        return self.numbers[key]

    def status(self, status: str, first: bool):
        key = (status, first)
        if key not in self.statuses:
            fg, bg = STATUS_COLOURS.get(status, ("#000000", "#FFFFFF"))
            self.statuses[key] = self.wb.add_format(
                {
                    **self.base,
                    "border": 1,
                    "font_color": fg,
                    "bg_color": bg,
                    "bold": True,
                    **({"top": 2} if first else {}),
                }
            )
        return self.statuses[key]


def _page_setup(ws, header_row: int | None = None) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&L&8Monitor Dordt West&C&8&A&R&8pagina &P van &N")
    if header_row is not None:
        ws.repeat_rows(header_row)
    ws.hide_gridlines(2)


def _heading(ws, f, content: PillarContent, subtitle: str) -> None:
    ws.write(0, 0, f"Monitor Dordt West – {content.pillar}", f.title)
    created = content.created.strftime("%d-%m-%Y %H:%M UTC")
    ws.write(
        1,
        0,
        f"Kwartaalpublicatie stuurgroep, {content.quarter.label} · versie {content.version} · {created}",
        f.subtitle,
    )
    ws.write(2, 0, subtitle, f.subtitle)


def _overview(wb, f, content: PillarContent) -> None:
    ws = wb.add_worksheet("Overzicht")
    _page_setup(ws)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 110)
    _heading(
        ws, f, content, "Cijfers voor Dordt West, de vier wijken en Dordrecht, met nulmeting, doel 2043 en voortgang"
    )
    row = 4
    facts = [
        ("Pijler", content.pillar),
        ("Kwartaal", f"{content.quarter.code} ({content.quarter.start:%d-%m-%Y} t/m {content.quarter.end:%d-%m-%Y})"),
        ("Versie", str(content.version)),
        ("Aangemaakt", content.created.strftime("%d-%m-%Y %H:%M UTC")),
        ("Gebieden", ", ".join(content.areas.names[a] for a in content.areas.order)),
        ("Aantal indicatoren", str(len(content.indicators))),
        ("Niet gepubliceerde cellen (x)", str(content.suppressed)),
        ("Controlegetal inhoud (SHA-256)", content.checksum()),
    ]
    for label, value in facts:
        ws.write(row, 0, label, f.bold)
        ws.write(row, 1, value, f.wrap)
        row += 1
    row += 1
    ws.write(row, 0, "Thema's (tabbladen)", f.bold)
    row += 1
    for theme, indicators in content.themes:
        ws.write_url(row, 0, f"internal:'{theme}'!A1", string=theme)
        ws.write(row, 1, indicators[0]["operationeel_doel"], f.wrap)
        _fit_row(ws, row, [(indicators[0]["operationeel_doel"], 110)])
        row += 1
    row += 1
    ws.write(row, 0, "Voortgang (laatste cijfer, Dordt West)", f.bold)
    row += 1
    for status, n in content.progress_counts().items():
        if status in STATUS_SYMBOL:
            ws.write(row, 0, STATUS_SYMBOL[status], f.status(status, False))
        else:
            ws.write(row, 0, f"{MARK} {status}", f.mark)
        ws.write_number(row, 1, n, f.cell(False))
        row += 1
    row = _legend(ws, f, row + 1)


def _legend(ws, f, row: int) -> int:
    """The signs and what they mean, from ``row``; returns the next free row."""
    ws.write(row, 0, "Tekens", f.bold)
    for n, (sign, meaning) in enumerate(LEGEND, start=row + 1):
        ws.write(n, 0, sign, f.bold)
        ws.write(n, 1, meaning, f.wrap)
        _fit_row(ws, n, [(meaning, 110)])
    return row + 1 + len(LEGEND)


def _value(ws, row, col, value, suppressed, dec, first, f, bold=False):
    if suppressed:
        ws.write_string(row, col, MARK, f.mark_first if first else f.mark)
    elif value is None:
        ws.write_string(row, col, MISSING, f.mark_first if first else f.mark)
    else:
        ws.write_number(row, col, value, f.number(dec, first, bold))


def _theme_sheet(wb, f, content: PillarContent, theme: str, indicators: list[dict], data, data_row: list[int]) -> None:
    ws = wb.add_worksheet(theme)
    _page_setup(ws, header_row=5)
    _heading(ws, f, content, f"Thema {theme}: {indicators[0]['operationeel_doel']}")
    header = 5
    for col, (name, width) in enumerate(TABLE_COLUMNS):
        ws.set_column(col, col, width)
        ws.write(header, col, name, f.header)
    ws.set_row(header, 36)
    ws.freeze_panes(header + 1, 3)
    row = header + 1
    for ind in indicators:
        dec = ind["decimalen"]
        rows = content.rows_of(ind["indicator_code"])
        # name and unit span the indicator's rows
        ws.merge_range(row, 0, row + len(rows) - 1, 0, ind["naam"], f.text_first)
        ws.merge_range(row, 1, row + len(rows) - 1, 1, ind["eenheid"], f.text_first)
        for i, r in enumerate(rows):
            first = i == 0
            area = content.areas.names[r["gebiedscode"]]
            ws.write(row, 2, area, f.cell(first))
            ws.write(row, 3, period_label(r["periode_code"]) if r["periode_code"] else MISSING, f.cell(first))
            _value(ws, row, 4, r["waarde"], r["onderdrukt"], dec, first, f, bold=True)
            ws.write(row, 5, r["status_cijfer"] or "", f.cell(first))
            _value(ws, row, 6, r["nulmeting"], r["nulmeting_onderdrukt"], dec, first, f)
            ws.write(row, 7, r["nulmeting_jaar"] if r["nulmeting_jaar"] else "", f.cell(first))
            suppressed = r["onderdrukt"]
            _value(ws, row, 8, r["verandering_sinds_nulmeting"], suppressed or r["nulmeting_onderdrukt"], dec, first, f)
            _value(ws, row, 9, r["waarde_dordrecht"], False, dec, first, f)
            if r["gebiedscode"] == MUNICIPALITY:
                ws.write(row, 10, "", f.cell(first))
            else:
                _value(ws, row, 10, r["verschil_met_dordrecht"], suppressed, dec, first, f)
            _value(ws, row, 11, r["doel_2043"], suppressed, dec, first, f)
            if suppressed or r["nulmeting_onderdrukt"]:
                ws.write(row, 12, MARK, f.mark_first if first else f.mark)
            elif r["voortgang"]:
                ws.write(row, 12, STATUS_SYMBOL[r["voortgang"]], f.status(r["voortgang"], first))
            else:
                ws.write(row, 12, MISSING, f.mark_first if first else f.mark)
            ws.write(row, 13, r["significant_verschil_dordrecht"] or "", f.cell(first))
            prev = ""
            if r["vorige_periode"]:
                shown = MARK if r["vorige_onderdrukt"] else _display(r["vorige_waarde"], dec)
                prev = f"{shown} ({r['vorige_periode']})"
            ws.write(row, 14, prev, f.cell(first))
            ws.write(row, 15, r["wijziging"], f.cell(first))
            row += 1
    row += 1
    ws.write(row, 0, "x = niet gepubliceerd (bescherming van personen) · . = geen cijfer · zie Toelichting", f.subtitle)
    row += 2
    for n, ind in enumerate(indicators):
        chart = _chart(wb, content, ind, data, data_row)
        if chart is not None:
            ws.insert_chart(row + (n // 2) * 20, 0 if n % 2 == 0 else 4, chart, {"x_offset": 5, "y_offset": 5})


def _display(value, dec: int) -> str:
    if value is None:
        return MISSING
    return f"{value:,.{dec}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def period_x(code: str) -> float:
    """Position of a period on the time axis: a year at its number, a rolling year ending with
    quarter n of year Y at Y - 1 + n/4 (so the rolling year up to Q4 coincides with the year)."""
    if code.endswith("-4KW"):
        y, q = code[:4], code[6]
        return int(y) - 1 + int(q) / 4
    return float(code) if code.isdigit() else float("nan")


def chart_points(content: PillarContent, ind: dict) -> tuple[list[float], dict[str, list], list | None]:
    """x positions, per area the published values (None: gap), and the path to 2043 for Dordt West."""
    series = content.series_of(ind["indicator_code"])
    periods = sorted({s["periode_code"] for s in series}, key=period_x)
    xs = [period_x(p) for p in periods]
    values = {a: [None] * len(periods) for a in content.areas.order}
    for s in series:
        values[s["gebiedscode"]][periods.index(s["periode_code"])] = None if s["onderdrukt"] else s["waarde"]
    dw = content.rows_of(ind["indicator_code"])[0]
    path = None
    if dw["nulmeting"] is not None and dw["doel_2043"] is not None and dw["nulmeting_jaar"]:
        path = [(float(dw["nulmeting_jaar"]), dw["nulmeting"]), (float(GOAL_YEAR), dw["doel_2043"])]
    return xs, values, path


def _chart(wb, content: PillarContent, ind: dict, data, data_row: list[int]):
    xs, values, path = chart_points(content, ind)
    if not xs:
        return None
    r0 = data_row[0]
    data.write(r0, 0, ind["naam"])
    data.write(r0 + 1, 0, "jaar")
    for i, x in enumerate(xs):
        data.write_number(r0 + 2 + i, 0, x)
    chart = wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    for col, a in enumerate(content.areas.order, start=1):
        data.write(r0 + 1, col, content.areas.names[a])
        for i, v in enumerate(values[a]):
            if v is not None:
                data.write_number(r0 + 2 + i, col, v)
        chart.add_series(
            {
                "name": ["Grafiekdata", r0 + 1, col],
                "categories": ["Grafiekdata", r0 + 2, 0, r0 + 1 + len(xs), 0],
                "values": ["Grafiekdata", r0 + 2, col, r0 + 1 + len(xs), col],
                "line": {
                    "color": AREA_COLOURS[col - 1],
                    "width": 2.25 if a in (content.areas.order[0], MUNICIPALITY) else 1.25,
                },
                "marker": {
                    "type": "circle",
                    "size": 4,
                    "fill": {"color": AREA_COLOURS[col - 1]},
                    "border": {"none": True},
                },
            }
        )
    end = r0 + 2 + len(xs)
    if path is not None:
        pc = len(content.areas.order) + 1
        data.write(r0 + 1, pc, "pad naar doel 2043")
        data.write(r0 + 1, pc + 1, "x pad")
        for i, (x, y) in enumerate(path):
            data.write_number(r0 + 2 + i, pc + 1, x)
            data.write_number(r0 + 2 + i, pc, y)
        chart.add_series(
            {
                "name": ["Grafiekdata", r0 + 1, pc],
                "categories": ["Grafiekdata", r0 + 2, pc + 1, r0 + 3, pc + 1],
                "values": ["Grafiekdata", r0 + 2, pc, r0 + 3, pc],
                "line": {"color": "#E4003A", "dash_type": "dash", "width": 1.5},
                "marker": {"type": "none"},
            }
        )
        end = max(end, r0 + 4)
    data_row[0] = end + 1
    chart.set_title({"name": ind["naam"], "name_font": {"size": 10, "bold": True}})
    chart.set_x_axis(
        {"min": int(min(xs)), "max": GOAL_YEAR + 1, "major_unit": 2, "num_format": "0", "name": "jaar",
            "label_position": "low",
         "major_gridlines": {"visible": False}}
    )  # fmt: skip
    chart.set_y_axis({"name": ind["eenheid"], "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 620, "height": 380})
    return chart


def _changes_sheet(wb, f, content: PillarContent) -> None:
    ws = wb.add_worksheet("Wijzigingen")
    _page_setup(ws, header_row=4)
    _heading(
        ws, f, content, "Wat veranderde sinds de vorige kwartaalpublicatie, en welke gepubliceerde cijfers zijn herzien"
    )
    names = {i["indicator_code"]: i for i in content.indicators}
    cols = [("Indicator", 44), ("Gebied", 15), ("Periode", 22), ("Was", 12), ("Nu", 12), ("Soort", 34)]
    for c, (name, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write(4, c, name, f.header)
    ws.freeze_panes(5, 0)
    row = 5

    def line(ind_code, area, period, was, now, kind):
        nonlocal row
        dec = names[ind_code]["decimalen"]
        ws.write(row, 0, names[ind_code]["naam"], f.text)
        ws.write(row, 1, content.areas.names.get(area, area), f.text)
        ws.write(row, 2, period_label(period) if period else MISSING, f.text)
        for c, v in ((3, was), (4, now)):
            if isinstance(v, int | float):
                ws.write_number(row, c, v, f.number(dec, False))
            else:
                ws.write(row, c, v if v is not None else MISSING, f.mark)
        ws.write(row, 5, kind, f.text)
        _fit_row(ws, row, [(names[ind_code]["naam"], 44), (kind, 34)])
        row += 1

    for ch in content.change_lines():
        line(ch["indicator_code"], ch["gebiedscode"], ch["periode_code"], ch["was"], ch["nu"], ch["soort"])
    if row == 5:
        ws.write(row, 0, "Geen wijzigingen: eerste publicatie of geen nieuwe cijfers.", f.wrap)


def _notes_sheet(wb, f, content: PillarContent) -> None:
    ws = wb.add_worksheet("Toelichting")
    _page_setup(ws, header_row=4)
    _heading(ws, f, content, "Definities, bronnen en de regels voor publicatie")
    cols = [
        ("Thema", 18), ("Indicator", 34), ("Definitie", 60), ("Eenheid", 14), ("Richting", 12), ("Doel 2043", 28),
        ("Bron", 22), ("Bronbestand", 26), ("Soort bron", 12), ("Periode in deze publicatie", 22),
        ("Voorlopig / definitief", 12), ("Publicatieregel", 48),
    ]  # fmt: skip
    for c, (name, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write(4, c, name, f.header)
    ws.freeze_panes(5, 2)
    row = 5
    for theme, indicators in content.themes:
        for ind in indicators:
            dw = content.rows_of(ind["indicator_code"])
            periods = sorted({r["periode_code"] for r in dw if r["periode_code"]})
            statuses = sorted({r["status_cijfer"] for r in dw if r["status_cijfer"]})
            values = [
                theme, ind["naam"], ind["definitie"], ind["eenheid"], ind["richting"], ind["doel_omschrijving"],
                f"{ind['bron_partner']} ({ind['bronhouder']})", ind["bron_bestand"], ind["soort_bron"],
                ", ".join(period_label(p) for p in periods) or MISSING, ", ".join(statuses) or MISSING,
                ind["onthullingsregel"],
            ]  # fmt: skip
            for c, v in enumerate(values):
                ws.write(row, c, v, f.text)
            _fit_row(ws, row, [(str(v), w) for v, (_, w) in zip(values, cols, strict=True)])
            row += 1
    row = _legend(ws, f, row + 1)
    ws.write(row + 1, 0, "Bronnen", f.bold)
    ws.write(
        row + 2,
        0,
        "Politie (misdrijven, verdachten, incidenten), SDD (uitkeringen, schuldhulp, minimaregelingen), OCD "
        "(bevolking, enquêtes, kerncijfers uit CBS, DUO, UWV, Leefbaarometer e.a.), Buurtwerk (BLIK). "
        "Gebiedsindeling: CBS Wijk- en buurtkaart (CC BY 4.0).",
        f.wrap,
    )
