"""The PDF report of a pillar's quarterly publication (reportlab, charts by matplotlib).

Same content as the workbook: cover with overview and legend, per theme the table and the
charts, the changes, and the definitions and sources. Byte-reproducible: reportlab runs in
invariant mode with the publication's creation time, matplotlib writes PNGs without metadata.

Input: a :class:`~.content.Publication`, read by attribute; what the report shows like the
workbook does (signs, labels, colours, numbers in Dutch, chart points) is :mod:`.presentation`'s.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from monitor_dordt_west.programme import GOAL_YEAR
from monitor_dordt_west.publication.content import Indicator, PillarContent, Publication
from monitor_dordt_west.publication.presentation import (
    AREA_COLOURS,
    AUTHOR,
    HEADER_COLOUR,
    LEGEND,
    MISSING,
    NO_CHANGES,
    SIGNS,
    STATUS_COLOURS,
    area_names,
    chart_points,
    display,
    document_title,
    is_bold_area,
    period_label,
    period_text,
    progress,
    progress_count,
    quarter_span,
    shown,
    subtitle,
    title,
)

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"


def _register_fonts() -> None:
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=6),
        "h1": ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=4, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=7, leading=8.5),
        "smallbold": ParagraphStyle("smallbold", fontName=FONT_BOLD, fontSize=7, leading=8.5),
        "muted": ParagraphStyle("muted", fontName=FONT, fontSize=8, leading=10, textColor="#555555"),
    }


def chart_png(content: PillarContent, ind: Indicator) -> bytes | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    points = chart_points(content, ind)
    xs, values, path = points.xs, points.values, points.path
    if not xs:
        return None
    fig, ax = plt.subplots(figsize=(4.6, 2.5), dpi=150)
    for n, a in enumerate(content.areas.order):
        pts = [(x, v) for x, v in zip(xs, values[a], strict=True) if v is not None]
        if pts:
            bold = is_bold_area(content.areas, a)
            ax.plot(*zip(*pts, strict=True), marker="o", markersize=2.5, linewidth=2 if bold else 1,
                    color=AREA_COLOURS[n], label=content.areas.names[a])  # fmt: skip
    if path:
        ax.plot(
            *zip(*path, strict=True), linestyle="--", linewidth=1, color=AREA_COLOURS[0], label="pad naar doel 2043"
        )
    ax.set_title("\n".join(textwrap.wrap(ind.name, 70)), fontsize=8, fontweight="bold", loc="left")
    ax.set_ylabel(ind.unit, fontsize=6.5)
    ax.tick_params(labelsize=6.5)
    ax.set_xlim(int(min(xs)), GOAL_YEAR + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}"))
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if ax.get_legend_handles_labels()[0]:  # every value may be hidden: then nothing to name
        ax.legend(fontsize=5.5, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def write(publication: Publication, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
    )

    content = publication.content
    _register_fonts()
    st = _styles()
    header_background = ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_COLOUR))
    doc = SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=document_title(content),
        author=AUTHOR,
        subject=f"Kwartaalpublicatie stuurgroep, versie {publication.version}",
        creator="Monitor Dordt West",
        invariant=1,
    )

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(
            12 * mm,
            7 * mm,
            f"Monitor Dordt West · {content.pillar} · {content.quarter.code} · versie {publication.version}",
        )
        canvas.drawRightString(landscape(A4)[0] - 12 * mm, 7 * mm, f"pagina {doc_.page}")
        canvas.restoreState()

    story = [
        Paragraph(title(content), st["title"]),
        Paragraph(subtitle(publication), st["muted"]),
        Spacer(1, 4 * mm),
    ]
    facts = [
        ["Kwartaal", quarter_span(content.quarter)],
        ["Gebieden", area_names(content.areas)],
        ["Indicatoren", str(len(content.indicators))],
        ["Niet gepubliceerde cellen (x)", str(content.suppressed)],
        ["Controlegetal inhoud", content.checksum()],
    ]
    story.append(
        _grid([[Paragraph(a, st["smallbold"]), Paragraph(b, st["small"])] for a, b in facts], [55 * mm, 200 * mm])
    )
    story.append(Paragraph("Voortgang van Dordt West (laatste cijfer)", st["h2"]))
    counts = content.progress_counts()
    story.append(
        _grid(
            [[Paragraph(progress_count(s), st["smallbold"]), str(n)] for s, n in counts.items()],
            [55 * mm, 20 * mm],
            [
                ("TEXTCOLOR", (0, i), (0, i), colors.HexColor(STATUS_COLOURS.get(s, ("#555555",))[0]))
                for i, s in enumerate(counts)
            ],
            align="LEFT",
        )
    )
    story.append(Paragraph("Thema's", st["h2"]))
    for theme in content.themes:
        story.append(Paragraph(f"<b>{theme.name}</b> – {theme.operational_goal}", st["small"]))
    story.append(Paragraph("Tekens", st["h2"]))
    story.append(
        _grid([[Paragraph(a, st["smallbold"]), Paragraph(b, st["small"])] for a, b in LEGEND], [40 * mm, 215 * mm])
    )

    header = ["Indicator", "Gebied", "Periode", "Cijfer", "Status", "Nul-\nmeting", "Veran-\ndering", "Dord-\nrecht",
              "Verschil\nDordrecht", "Doel\n2043", "Op koers?", "Sign.\nverschil", "Wijziging"]  # fmt: skip
    widths = [46, 22, 28, 15, 15, 15, 15, 15, 18, 15, 27, 16, 26]  # 273 mm: A4 landscape within the margins
    for theme in content.themes:
        story.append(PageBreak())
        story.append(Paragraph(theme.name, st["h1"]))
        story.append(Paragraph(theme.operational_goal, st["muted"]))
        story.append(Spacer(1, 2 * mm))
        data = [[Paragraph(h.replace("\n", "<br/>"), st["smallbold"]) for h in header]]
        style: list[tuple] = []
        for ind in theme.indicators:
            dec = ind.decimals
            start = len(data)
            for i, r in enumerate(content.rows_of(ind.code)):
                gap = r.gap_figure
                data.append(
                    [
                        Paragraph(f"<b>{ind.name}</b><br/>{ind.unit}", st["small"]) if i == 0 else "",
                        content.areas.names[r.area],
                        Paragraph(period_text(r.period), st["small"]),
                        display(r.figure, dec),
                        r.figure_status or "",
                        display(r.baseline_figure, dec),
                        display(r.change_since_baseline_figure, dec),
                        display(r.dordrecht_figure, dec),
                        "" if gap is None else display(gap, dec),
                        display(r.goal_figure, dec),
                        progress(r),
                        r.significance or "",
                        r.change.value,
                    ]
                )
                if r.progress and not r.suppressed:
                    fg, bg = STATUS_COLOURS[r.progress]
                    row = len(data) - 1
                    style += [("TEXTCOLOR", (10, row), (10, row), colors.HexColor(fg)),
                              ("BACKGROUND", (10, row), (10, row), colors.HexColor(bg))]  # fmt: skip
            style += [("SPAN", (0, start), (0, len(data) - 1)), ("LINEABOVE", (0, start), (-1, start), 1, colors.black)]
        style += [("ALIGN", (3, 1), (9, -1), "RIGHT"), header_background]
        story.append(_grid(data, [w * mm for w in widths], style, repeat=1))
        story.append(Paragraph(SIGNS, st["muted"]))
        images = [png for ind in theme.indicators if (png := chart_png(content, ind))]
        cells = [Image(io.BytesIO(png), width=128 * mm, height=69.5 * mm) for png in images]
        grid = [cells[i : i + 2] + [""] * (2 - len(cells[i : i + 2])) for i in range(0, len(cells), 2)]
        if grid:
            story.append(Spacer(1, 3 * mm))
            story.append(Table(grid, colWidths=[132 * mm, 132 * mm]))

    story.append(PageBreak())
    story.append(Paragraph("Wijzigingen sinds de vorige publicatie", st["h1"]))
    changes = [["Indicator", "Gebied", "Periode", "Was", "Nu", "Soort"]]
    for line in publication.change_lines():
        ind = content.indicator(line.indicator)
        changes.append(
            [
                ind.name,
                content.areas.names.get(line.area, line.area),
                period_text(line.period),
                shown(line.was, ind.decimals),
                shown(line.now, ind.decimals),
                line.kind,
            ]
        )
    if len(changes) == 1:
        story.append(Paragraph(NO_CHANGES, st["body"]))
    else:
        rows = [[Paragraph(str(c), st["small"]) for c in row] for row in changes]
        story.append(_grid(rows, [70 * mm, 30 * mm, 45 * mm, 25 * mm, 25 * mm, 60 * mm], [header_background], repeat=1))

    story.append(PageBreak())
    story.append(Paragraph("Toelichting: definities en bronnen", st["h1"]))
    notes = [
        [
            Paragraph(h, st["smallbold"])
            for h in ("Indicator", "Definitie", "Doel 2043", "Bron", "Periode / status", "Publicatieregel")
        ]
    ]
    for theme in content.themes:
        for ind in theme.indicators:
            ind_rows = content.rows_of(ind.code)
            periods = sorted({period_label(r.period) for r in ind_rows if r.period})
            statuses = sorted({r.figure_status for r in ind_rows if r.figure_status})
            notes.append(
                [
                    Paragraph(f"<b>{ind.name}</b><br/>{ind.unit}, {ind.direction}", st["small"]),
                    Paragraph(ind.definition or "", st["small"]),
                    Paragraph(ind.goal_description, st["small"]),
                    Paragraph(
                        f"{ind.source_partner} ({ind.source_holder}); {ind.source_file}; {ind.source_kind}",
                        st["small"],
                    ),
                    Paragraph(f"{', '.join(periods) or MISSING}; {', '.join(statuses) or MISSING}", st["small"]),
                    Paragraph(ind.disclosure_rule, st["small"]),
                ]
            )
    story.append(_grid(notes, [50 * mm, 80 * mm, 30 * mm, 45 * mm, 30 * mm, 38 * mm], [header_background], repeat=1))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def _grid(data, widths, extra=(), repeat=0, align="LEFT"):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = Table(data, colWidths=widths, repeatRows=repeat, hAlign=align)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                *extra,
            ]
        )
    )
    return t
