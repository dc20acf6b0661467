"""The Excel workbook of a pillar's quarterly publication (XlsxWriter).

A board member opens and prints it: an overview sheet, one sheet per theme (table with frozen
headers, units and number formats, then the charts of each wijk against Dordrecht with the
path to the 2043 goal), the changes since the previous publication, and a "Toelichting" sheet
with definitions and sources. The file is byte-reproducible: XlsxWriter stamps the zip entries
with a fixed date and the document properties carry the publication's creation time.

It reads the typed content (a :class:`~.content.Publication`) by attribute only; labels, signs,
colours, Dutch numbers and chart points come from :mod:`.presentation`, shared with the report.
"""

from __future__ import annotations

import math
from pathlib import Path

from monitor_dordt_west.programme import GOAL_YEAR
from monitor_dordt_west.publication.content import Figure, Indicator, PillarContent, Publication, Theme
from monitor_dordt_west.publication.presentation import (
    AREA_COLOURS,
    AUTHOR,
    HEADER_COLOUR,
    LEGEND,
    MISSING,
    NO_CHANGES,
    SIGNS,
    STATUS_COLOURS,
    STATUS_SYMBOL,
    area_names,
    chart_points,
    created,
    display,
    document_title,
    is_bold_area,
    period_label,
    period_text,
    progress,
    progress_count,
    quarter_span,
    subtitle,
    title,
)

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


def _fit_row(ws, row: int, cells: list[tuple[str, float]], line: float = 12.0) -> None:
    """Row height for wrapped text (XlsxWriter does not measure text): the most lines any of
    ``cells`` (text, column width in characters) needs."""
    lines = max((math.ceil(len(text or "") * 1.1 / max(width - 1, 1)) for text, width in cells), default=1)
    if lines > 1:
        ws.set_row(row, line * lines)


def _fmt_number(dec: int) -> str:
    return "#,##0" if dec == 0 else "#,##0." + "0" * dec


def write(publication: Publication, path: Path) -> None:
    import xlsxwriter

    content = publication.content
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties(
        {
            "title": document_title(content),
            "subject": f"Kwartaalpublicatie stuurgroep {content.pillar}, versie {publication.version}",
            "author": AUTHOR,
            "company": "Gemeente Dordrecht",
            "created": publication.created.replace(tzinfo=None),
            "comments": f"Inhoud-checksum {content.checksum()}",
        }
    )
    f = _Formats(wb)
    _overview(wb, f, publication)
    data = wb.add_worksheet("Grafiekdata")
    data_row = [0]
    for theme in content.themes:
        _theme_sheet(wb, f, publication, theme, data, data_row)
    _changes_sheet(wb, f, publication)
    _notes_sheet(wb, f, publication)
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
            {**base, "bold": True, "text_wrap": True, "bg_color": HEADER_COLOUR, "border": 1, "valign": "bottom"}
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


def _heading(ws, f, publication: Publication, text: str) -> None:
    ws.write(0, 0, title(publication.content), f.title)
    ws.write(1, 0, subtitle(publication), f.subtitle)
    ws.write(2, 0, text, f.subtitle)


def _overview(wb, f, publication: Publication) -> None:
    content = publication.content
    ws = wb.add_worksheet("Overzicht")
    _page_setup(ws)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 110)
    _heading(
        ws,
        f,
        publication,
        "Cijfers voor Dordt West, de vier wijken en Dordrecht, met nulmeting, doel 2043 en voortgang",
    )
    row = 4
    facts = [
        ("Pijler", content.pillar),
        ("Kwartaal", quarter_span(content.quarter)),
        ("Versie", str(publication.version)),
        ("Aangemaakt", created(publication)),
        ("Gebieden", area_names(content.areas)),
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
    for theme in content.themes:
        ws.write_url(row, 0, f"internal:'{theme.name}'!A1", string=theme.name)
        ws.write(row, 1, theme.operational_goal, f.wrap)
        _fit_row(ws, row, [(theme.operational_goal, 110)])
        row += 1
    row += 1
    ws.write(row, 0, "Voortgang (laatste cijfer, Dordt West)", f.bold)
    row += 1
    for status, n in content.progress_counts().items():
        ws.write(row, 0, progress_count(status), f.status(status, False) if status in STATUS_SYMBOL else f.mark)
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


def _figure(ws, row, col, figure: Figure, dec, first, f, bold=False):
    """A number cell: the value with the unit's number format, or the sign of a suppressed or missing figure."""
    if figure.suppressed or figure.value is None:
        ws.write_string(row, col, display(figure, dec), f.mark_first if first else f.mark)
    else:
        ws.write_number(row, col, figure.value, f.number(dec, first, bold))


def _theme_sheet(wb, f, publication: Publication, theme: Theme, data, data_row: list[int]) -> None:
    content = publication.content
    ws = wb.add_worksheet(theme.name)
    _page_setup(ws, header_row=5)
    _heading(ws, f, publication, f"Thema {theme.name}: {theme.operational_goal}")
    header = 5
    for col, (name, width) in enumerate(TABLE_COLUMNS):
        ws.set_column(col, col, width)
        ws.write(header, col, name, f.header)
    ws.set_row(header, 36)
    ws.freeze_panes(header + 1, 3)
    row = header + 1
    for ind in theme.indicators:
        dec = ind.decimals
        rows = content.rows_of(ind.code)
        # name and unit span the indicator's rows
        ws.merge_range(row, 0, row + len(rows) - 1, 0, ind.name, f.text_first)
        ws.merge_range(row, 1, row + len(rows) - 1, 1, ind.unit, f.text_first)
        for i, r in enumerate(rows):
            first = i == 0
            ws.write(row, 2, content.areas.names[r.area], f.cell(first))
            ws.write(row, 3, period_text(r.period), f.cell(first))
            _figure(ws, row, 4, r.figure, dec, first, f, bold=True)
            ws.write(row, 5, r.figure_status or "", f.cell(first))
            _figure(ws, row, 6, r.baseline_figure, dec, first, f)
            ws.write(row, 7, r.baseline_year if r.baseline_year else "", f.cell(first))
            _figure(ws, row, 8, r.change_since_baseline_figure, dec, first, f)
            _figure(ws, row, 9, r.dordrecht_figure, dec, first, f)
            if r.gap_figure is None:
                ws.write(row, 10, "", f.cell(first))
            else:
                _figure(ws, row, 10, r.gap_figure, dec, first, f)
            _figure(ws, row, 11, r.goal_figure, dec, first, f)
            if r.progress and not r.progress_hidden:
                ws.write(row, 12, progress(r), f.status(r.progress, first))
            else:
                ws.write(row, 12, progress(r), f.mark_first if first else f.mark)
            ws.write(row, 13, r.significance or "", f.cell(first))
            prev = f"{display(r.previous_figure, dec)} ({r.previous_period})" if r.previous_period else ""
            ws.write(row, 14, prev, f.cell(first))
            ws.write(row, 15, r.change.value, f.cell(first))
            row += 1
    row += 1
    ws.write(row, 0, f"{SIGNS} · zie Toelichting", f.subtitle)
    row += 2
    for n, ind in enumerate(theme.indicators):
        chart = _chart(wb, content, ind, data, data_row)
        if chart is not None:
            ws.insert_chart(row + (n // 2) * 20, 0 if n % 2 == 0 else 4, chart, {"x_offset": 5, "y_offset": 5})


def _chart(wb, content: PillarContent, ind: Indicator, data, data_row: list[int]):
    points = chart_points(content, ind)
    xs, values, path = points.xs, points.values, points.path
    if not xs:
        return None
    r0 = data_row[0]
    data.write(r0, 0, ind.name)
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
                    "width": 2.25 if is_bold_area(content.areas, a) else 1.25,
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
                "line": {"color": AREA_COLOURS[0], "dash_type": "dash", "width": 1.5},
                "marker": {"type": "none"},
            }
        )
        end = max(end, r0 + 4)
    data_row[0] = end + 1
    chart.set_title({"name": ind.name, "name_font": {"size": 10, "bold": True}})
    chart.set_x_axis(
        {"min": int(min(xs)), "max": GOAL_YEAR + 1, "major_unit": 2, "num_format": "0", "name": "jaar",
            "label_position": "low",
         "major_gridlines": {"visible": False}}
    )  # fmt: skip
    chart.set_y_axis({"name": ind.unit, "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 620, "height": 380})
    return chart


def _changes_sheet(wb, f, publication: Publication) -> None:
    content = publication.content
    ws = wb.add_worksheet("Wijzigingen")
    _page_setup(ws, header_row=4)
    _heading(
        ws,
        f,
        publication,
        "Wat veranderde sinds de vorige kwartaalpublicatie, en welke gepubliceerde cijfers zijn herzien",
    )
    cols = [("Indicator", 44), ("Gebied", 15), ("Periode", 22), ("Was", 12), ("Nu", 12), ("Soort", 34)]
    for c, (name, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write(4, c, name, f.header)
    ws.freeze_panes(5, 0)
    row = 5
    for line in publication.change_lines():
        ind = content.indicator(line.indicator)
        ws.write(row, 0, ind.name, f.text)
        ws.write(row, 1, content.areas.names.get(line.area, line.area), f.text)
        ws.write(row, 2, period_text(line.period), f.text)
        for c, v in ((3, line.was), (4, line.now)):
            if isinstance(v, int | float):
                ws.write_number(row, c, v, f.number(ind.decimals, False))
            else:
                ws.write(row, c, v if v is not None else MISSING, f.mark)
        ws.write(row, 5, line.kind, f.text)
        _fit_row(ws, row, [(ind.name, 44), (line.kind, 34)])
        row += 1
    if row == 5:
        ws.write(row, 0, NO_CHANGES, f.wrap)


def _notes_sheet(wb, f, publication: Publication) -> None:
    content = publication.content
    ws = wb.add_worksheet("Toelichting")
    _page_setup(ws, header_row=4)
    _heading(ws, f, publication, "Definities, bronnen en de regels voor publicatie")
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
    for theme in content.themes:
        for ind in theme.indicators:
            rows = content.rows_of(ind.code)
            periods = sorted({r.period for r in rows if r.period})
            statuses = sorted({r.figure_status for r in rows if r.figure_status})
            values = [
                theme.name, ind.name, ind.definition, ind.unit, ind.direction, ind.goal_description,
                f"{ind.source_partner} ({ind.source_holder})", ind.source_file, ind.source_kind,
                ", ".join(period_label(p) for p in periods) or MISSING, ", ".join(statuses) or MISSING,
                ind.disclosure_rule,
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
