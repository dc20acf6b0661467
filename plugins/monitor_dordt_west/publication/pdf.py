"""The PDF report of a pillar's quarterly publication (reportlab, charts by matplotlib).

Same content as the workbook: cover with overview and legend, per theme the table and the
charts, the changes, and the definitions and sources. Byte-reproducible: reportlab runs in
invariant mode with the publication's creation time, matplotlib writes PNGs without metadata.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from monitor_dordt_west.publication.assembly import GOAL_YEAR, MUNICIPALITY, STATUS_SYMBOL, PillarContent, period_label
from monitor_dordt_west.publication.disclosure import MARK
from monitor_dordt_west.publication.excel import AREA_COLOURS, LEGEND, MISSING, STATUS_COLOURS, _display, chart_points

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


def chart_png(content: PillarContent, ind: dict) -> bytes | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    xs, values, path = chart_points(content, ind)
    if not xs:
        return None
    fig, ax = plt.subplots(figsize=(4.6, 2.5), dpi=150)
    for n, a in enumerate(content.areas.order):
        pts = [(x, v) for x, v in zip(xs, values[a], strict=True) if v is not None]
        if pts:
            bold = a in (content.areas.order[0], MUNICIPALITY)
            ax.plot(*zip(*pts, strict=True), marker="o", markersize=2.5, linewidth=2 if bold else 1,
                    color=AREA_COLOURS[n], label=content.areas.names[a])  # fmt: skip
    if path:
        ax.plot(
            *zip(*path, strict=True), linestyle="--", linewidth=1, color=AREA_COLOURS[0], label="pad naar doel 2043"
        )
    ax.set_title("\n".join(textwrap.wrap(ind["naam"], 70)), fontsize=8, fontweight="bold", loc="left")
    ax.set_ylabel(ind["eenheid"], fontsize=6.5)
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


def write(content: PillarContent, path: Path) -> None:
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

    _register_fonts()
    st = _styles()
    created = content.created.strftime("%d-%m-%Y %H:%M UTC")
    doc = SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=f"Monitor Dordt West – {content.pillar} – {content.quarter.code}",
        author="Gemeente Dordrecht – Monitor Dordt West",
        subject=f"Kwartaalpublicatie stuurgroep, versie {content.version}",
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
            f"Monitor Dordt West · {content.pillar} · {content.quarter.code} · versie {content.version}",
        )
        canvas.drawRightString(landscape(A4)[0] - 12 * mm, 7 * mm, f"pagina {doc_.page}")
        canvas.restoreState()

    story = [
        Paragraph(f"Monitor Dordt West – {content.pillar}", st["title"]),
        Paragraph(
            f"Kwartaalpublicatie stuurgroep, {content.quarter.label} · versie {content.version} · {created}",
            st["muted"],
        ),
        Spacer(1, 4 * mm),
    ]
    facts = [
        ["Kwartaal", f"{content.quarter.code} ({content.quarter.start:%d-%m-%Y} t/m {content.quarter.end:%d-%m-%Y})"],
        ["Gebieden", ", ".join(content.areas.names[a] for a in content.areas.order)],
        ["Indicatoren", str(len(content.indicators))],
        ["Niet gepubliceerde cellen (x)", str(content.suppressed)],
        ["Controlegetal inhoud", content.checksum()],
    ]
    story.append(
        _grid([[Paragraph(a, st["smallbold"]), Paragraph(b, st["small"])] for a, b in facts], [55 * mm, 200 * mm])
    )
    story.append(Paragraph("Voortgang van Dordt West (laatste cijfer)", st["h2"]))
    counts = content.progress_counts()
    labels = [STATUS_SYMBOL.get(s, f"{MARK} {s}") for s in counts]
    story.append(
        _grid(
            [[Paragraph(label, st["smallbold"]), str(n)] for label, n in zip(labels, counts.values(), strict=True)],
            [55 * mm, 20 * mm],
            [
                ("TEXTCOLOR", (0, i), (0, i), colors.HexColor(STATUS_COLOURS.get(s, ("#555555",))[0]))
                for i, s in enumerate(counts)
            ],
            align="LEFT",
        )
    )
    story.append(Paragraph("Thema's", st["h2"]))
    for theme, indicators in content.themes:
        story.append(Paragraph(f"<b>{theme}</b> – {indicators[0]['operationeel_doel']}", st["small"]))
    story.append(Paragraph("Tekens", st["h2"]))
    story.append(
        _grid([[Paragraph(a, st["smallbold"]), Paragraph(b, st["small"])] for a, b in LEGEND], [40 * mm, 215 * mm])
    )

    header = ["Indicator", "Gebied", "Periode", "Cijfer", "Status", "Nul-\nmeting", "Veran-\ndering", "Dord-\nrecht",
              "Verschil\nDordrecht", "Doel\n2043", "Op koers?", "Sign.\nverschil", "Wijziging"]  # fmt: skip
    widths = [46, 22, 28, 15, 15, 15, 15, 15, 18, 15, 27, 16, 26]  # 273 mm: A4 landscape within the margins
    for theme, indicators in content.themes:
        story.append(PageBreak())
        story.append(Paragraph(f"{theme}", st["h1"]))
        story.append(Paragraph(indicators[0]["operationeel_doel"], st["muted"]))
        story.append(Spacer(1, 2 * mm))
        data = [[Paragraph(h.replace("\n", "<br/>"), st["smallbold"]) for h in header]]
        style = []
        for ind in indicators:
            dec = ind["decimalen"]
            rows = content.rows_of(ind["indicator_code"])
            start = len(data)
            for i, r in enumerate(rows):
                sup = r["onderdrukt"]

                def num(v, hide=False, dec=dec):
                    return MARK if hide else _display(v, dec)

                status = (
                    MARK
                    if sup or r["nulmeting_onderdrukt"]
                    else (STATUS_SYMBOL[r["voortgang"]] if r["voortgang"] else MISSING)
                )
                data.append(
                    [
                        Paragraph(f"<b>{ind['naam']}</b><br/>{ind['eenheid']}", st["small"]) if i == 0 else "",
                        content.areas.names[r["gebiedscode"]],
                        Paragraph(period_label(r["periode_code"]) if r["periode_code"] else MISSING, st["small"]),
                        num(r["waarde"], sup),
                        r["status_cijfer"] or "",
                        num(r["nulmeting"], r["nulmeting_onderdrukt"]),
                        num(r["verandering_sinds_nulmeting"], sup or r["nulmeting_onderdrukt"]),
                        num(r["waarde_dordrecht"]),
                        "" if r["gebiedscode"] == MUNICIPALITY else num(r["verschil_met_dordrecht"], sup),
                        num(r["doel_2043"], sup),
                        status,
                        r["significant_verschil_dordrecht"] or "",
                        r["wijziging"],
                    ]
                )
                if r["voortgang"] and not sup:
                    fg, bg = STATUS_COLOURS[r["voortgang"]]
                    row = len(data) - 1
                    style += [("TEXTCOLOR", (10, row), (10, row), colors.HexColor(fg)),
                              ("BACKGROUND", (10, row), (10, row), colors.HexColor(bg))]  # fmt: skip
            style += [("SPAN", (0, start), (0, len(data) - 1)), ("LINEABOVE", (0, start), (-1, start), 1, colors.black)]
        style += [("ALIGN", (3, 1), (9, -1), "RIGHT"), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1"))]
        story.append(_grid(data, [w * mm for w in widths], style, repeat=1))
        story.append(Paragraph("x = niet gepubliceerd (bescherming van personen) · . = geen cijfer", st["muted"]))
        images = [png for ind in indicators if (png := chart_png(content, ind))]
        cells = [Image(io.BytesIO(png), width=128 * mm, height=69.5 * mm) for png in images]
        grid = [cells[i : i + 2] + [""] * (2 - len(cells[i : i + 2])) for i in range(0, len(cells), 2)]
        if grid:
            story.append(Spacer(1, 3 * mm))
            story.append(Table(grid, colWidths=[132 * mm, 132 * mm]))

    story.append(PageBreak())
    story.append(Paragraph("Wijzigingen sinds de vorige publicatie", st["h1"]))
    changes = [["Indicator", "Gebied", "Periode", "Was", "Nu", "Soort"]]
    names = {i["indicator_code"]: i for i in content.indicators}
    for ch in content.change_lines():
        dec = names[ch["indicator_code"]]["decimalen"]
        changes.append(
            [
                names[ch["indicator_code"]]["naam"],
                content.areas.names.get(ch["gebiedscode"], ch["gebiedscode"]),
                period_label(ch["periode_code"]) if ch["periode_code"] else MISSING,
                ch["was"] if isinstance(ch["was"], str) else _display(ch["was"], dec),
                ch["nu"] if isinstance(ch["nu"], str) else _display(ch["nu"], dec),
                ch["soort"],
            ]
        )
    if len(changes) == 1:
        story.append(Paragraph("Geen wijzigingen: eerste publicatie of geen nieuwe cijfers.", st["body"]))
    else:
        rows = [[Paragraph(str(c), st["small"]) for c in row] for row in changes]
        story.append(_grid(rows, [70 * mm, 30 * mm, 45 * mm, 25 * mm, 25 * mm, 60 * mm],
                           [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1"))], repeat=1))  # fmt: skip

    story.append(PageBreak())
    story.append(Paragraph("Toelichting: definities en bronnen", st["h1"]))
    notes = [
        [
            Paragraph(h, st["smallbold"])
            for h in ("Indicator", "Definitie", "Doel 2043", "Bron", "Periode / status", "Publicatieregel")
        ]
    ]
    for _theme, indicators in content.themes:
        for ind in indicators:
            rows = content.rows_of(ind["indicator_code"])
            periods = sorted({period_label(r["periode_code"]) for r in rows if r["periode_code"]})
            statuses = sorted({r["status_cijfer"] for r in rows if r["status_cijfer"]})
            notes.append(
                [
                    Paragraph(f"<b>{ind['naam']}</b><br/>{ind['eenheid']}, {ind['richting']}", st["small"]),
                    Paragraph(ind["definitie"] or "", st["small"]),
                    Paragraph(ind["doel_omschrijving"], st["small"]),
                    Paragraph(
                        f"{ind['bron_partner']} ({ind['bronhouder']}); {ind['bron_bestand']}; {ind['soort_bron']}",
                        st["small"],
                    ),
                    Paragraph(f"{', '.join(periods) or MISSING}; {', '.join(statuses) or MISSING}", st["small"]),
                    Paragraph(ind["onthullingsregel"], st["small"]),
                ]
            )
    story.append(_grid(notes, [50 * mm, 80 * mm, 30 * mm, 45 * mm, 30 * mm, 38 * mm],
                       [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1"))], repeat=1))  # fmt: skip
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
