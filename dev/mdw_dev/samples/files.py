"""How the sample deliveries land on disk: reproducible to the byte and to the second.

* **Delivery moments.** Every generated file gets the modification time of its agreed delivery
  moment (shared/partner-exports.md), derived from its period, at 06:00 Europe/Amsterdam: the
  ingestion orders deliveries by modification time and only takes files that have settled.
* **Workbooks.** ``save_workbook`` writes an openpyxl workbook that is byte-identical for the same
  content: its document properties and zip entries carry the file's delivery moment, not the
  clock.
The demo's delivery (only what the warehouse has not received yet) is ``demo``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo
from zoneinfo import ZoneInfo

from monitor_dordt_west.ingestion import registry

TZ = ZoneInfo("Europe/Amsterdam")
DELIVERY_HOUR = 6
# Monthly and quarterly files: the agreed day of the month after the period (politie by the 10th,
# SDD by the 15th — the quarterly minima file too —, BLIK in the first week: the 7th).
DAY_AFTER_PERIOD = {"politie": 10, "sdd": 15, "blik": 7}
# OCD delivers yearly: the population and households on 1 January of year Y on 1 March of Y; the
# survey workbooks and the kerncijfers about year Y on 1 March of Y+1 (they appear after the year).
OCD_AS_OF_1_JANUARY = ("ocd.bevolking", "ocd.huishoudens")
OCD_DAY = (3, 1)
# A second-round file (a correction or a re-delivery) arrives this long after the file it follows;
# first-round files are therefore never later than the day before ``today`` (00:00), so that the
# second round is never later than ``today`` either.
SECOND_ROUND_DELAY = timedelta(days=1)


def agreed_moment(ds: registry.Dataset, period: registry.Period) -> datetime:
    """The agreed delivery moment of a dataset's file for a period (aware, Europe/Amsterdam)."""
    if ds.partner == "ocd":
        year = period.start.year if ds.id in OCD_AS_OF_1_JANUARY else period.end.year + 1
        day = date(year, *OCD_DAY)
    else:
        day = (period.end + timedelta(days=1)).replace(day=DAY_AFTER_PERIOD[ds.partner])
    return datetime.combine(day, time(DELIVERY_HOUR), TZ)


def moment_of(partner: str, file_name: str) -> datetime:
    """``agreed_moment`` of a file by its name (raises ``ValueError`` for a name of no agreed file)."""
    return agreed_moment(*registry.identify(partner, file_name))


def first_round_limit(today: date) -> datetime:
    return datetime.combine(today, time(0), TZ) - SECOND_ROUND_DELAY


def first_round_moment(partner: str, file_name: str, today: date) -> datetime:
    """The modification time of a generated file: its agreed moment, at the latest the day before ``today``."""
    return min(moment_of(partner, file_name), first_round_limit(today))


def set_mtime(path: Path, moment: datetime) -> None:
    stamp = moment.timestamp()
    os.utime(path, (stamp, stamp))


def stamp_files(paths: Iterable[Path], today: date | None = None) -> None:
    """Give each file (``<partner>/<name>``) its delivery moment as modification time.

    A file whose name gives no agreed delivery (a bad delivery of ``sample_bad``) gets the latest
    moment of the others; without ``today`` nothing is limited.
    """
    paths = list(paths)
    moments: dict[Path, datetime] = {}
    for path in paths:
        try:
            moments[path] = (
                first_round_moment(path.parent.name, path.name, today)
                if today
                else moment_of(path.parent.name, path.name)
            )
        except ValueError:
            continue
    fallback = max(moments.values(), default=datetime.combine(today or date(2022, 1, 1), time(0), TZ))
    for path in paths:
        set_mtime(path, moments.get(path, fallback))


def save_workbook(wb, path: Path, moment: datetime) -> None:
    """Save an openpyxl workbook so that the same content gives the same bytes.

    openpyxl stamps the clock into a workbook twice: ``Workbook.save`` (``save_workbook``) sets
    ``properties.modified`` to now (``created`` is when the Workbook object was made) for
    docProps/core.xml, and ``ZipFile.writestr``/``write`` give every zip entry the current local
    time (the worksheets are written through a temporary file: its mtime). Here ``created`` and
    ``modified`` are ``moment``, the workbook is written with openpyxl's own ``ExcelWriter`` (what
    ``save_workbook`` does, without resetting ``modified``), and the archive is copied entry by
    entry, in openpyxl's order, with ``moment`` (Europe/Amsterdam wall time) as every entry's time
    and fixed attributes.
    """
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = moment.astimezone(UTC).replace(tzinfo=None)
    raw = io.BytesIO()
    ExcelWriter(wb, ZipFile(raw, "w", ZIP_DEFLATED, allowZip64=True)).save()  # save() closes the archive
    date_time = moment.astimezone(TZ).timetuple()[:6]
    out = io.BytesIO()
    with ZipFile(raw) as src, ZipFile(out, "w", ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = ZIP_DEFLATED
            entry.create_system = 3  # unix, wherever it is generated
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
