"""The registry of partner deliveries: one entry per agreed file (see shared/partner-exports.md).

Everything that differs between partners is data here: file name pattern, period, encoding,
separator, line ends, date format, columns with types and rules, and the key. The ingestion
code, the Great Expectations suites in ``expectations/`` and the Airflow DAGs are all
generated from this registry, so onboarding a delivery means adding an entry.
"""

from __future__ import annotations

import calendar
import csv
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from monitor_dordt_west import config, programme
from monitor_dordt_west.ingestion.column_types import COLUMN_TYPES, DATE_FORMATS, ColumnType

# The programme's calendar: deliveries for periods before its first year are refused; so are periods
# that have not begun yet.
CALENDAR_START = date(programme.CALENDAR_START_YEAR, 1, 1)
# No date in any delivery lies before this day (birth years have their own bounds).
EARLIEST_DATE = date(1900, 1, 1)


@dataclass(frozen=True)
class Column:
    header: str  # exactly as in the file's header row
    name: str  # column name in the raw table
    type: str = "text"  # a name in column_types.COLUMN_TYPES
    required: bool = True
    allowed: tuple[str, ...] | None = None  # closed list of values
    lookup: str | None = None  # name of a reference list (see ``reference_values``)
    min_value: int | None = None
    max_value: int | None = None
    in_period: bool = False  # the date must lie inside the delivery's period
    pattern: str | None = None
    pseudonymise: bool = False  # a BSN: checked (11-proef) and replaced by a keyed pseudonym before writing
    # date/timestamp columns that are not ``in_period`` lie between EARLIEST_DATE and the end of the
    # delivery's period (or the day of receipt, if earlier); set False only for dates that may lie ahead
    not_after_period: bool = True

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.header}: type {self.type!r} is not one of {', '.join(COLUMN_TYPES)}")

    @property
    def column_type(self) -> ColumnType:
        return COLUMN_TYPES[self.type]


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | quarter_ytd (January up to the quarter) | year
    start: date
    end: date  # inclusive
    label: str  # 2024-01, 2024-Q1, 2024

    @classmethod
    def from_match(cls, kind: str, groups: dict[str, str]) -> Period:
        year = int(groups["year"])
        if kind == "month":
            month = int(groups["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"maand {month:02d} bestaat niet")
            last = calendar.monthrange(year, month)[1]
            return cls(kind, date(year, month, 1), date(year, month, last), f"{year}-{month:02d}")
        if kind in ("quarter", "quarter_ytd"):
            q = int(groups["quarter"])
            if not 1 <= q <= 4:
                raise ValueError(f"kwartaal {q} bestaat niet")
            end_month = 3 * q
            last = calendar.monthrange(year, end_month)[1]
            first = date(year, 1, 1) if kind == "quarter_ytd" else date(year, end_month - 2, 1)
            return cls(kind, first, date(year, end_month, last), f"{year}-Q{q}")
        return cls(kind, date(year, 1, 1), date(year, 12, 31), f"{year}")


@dataclass(frozen=True)
class Dataset:
    partner: str
    name: str
    file_pattern: str  # regex on the file name with named groups year/month/quarter
    example: str  # file name as written in the agreement, e.g. POL_misdrijven_JJJJMM.csv
    period_kind: str
    encoding: str  # cp1252 | utf-8 | utf-8-sig (BOM required)
    delimiter: str
    line_end: str  # crlf | lf
    date_format: str  # a key of column_types.DATE_FORMATS: DD-MM-YYYY | YYYY-MM-DD
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str
    extra_period_rule: str | None = None  # first_day / last_day: the period column equals that day
    replaces: str = "period"  # a new delivery replaces the loaded one of the same period, or of the same year
    # cross-column rules: (column, what is expected, SQL condition that is true for a wrong row)
    row_rules: tuple[tuple[str, str, str], ...] = ()
    file_format: str = "csv"  # csv | xlsx
    sheet: str | None = None  # xlsx: the agreed sheet
    header_row: int = 1  # xlsx: the row of the header (rows above it are a title)
    quote: str = '"'
    tags: tuple[str, ...] = field(default_factory=tuple)
    # the key is unique within one delivery ("delivery": a snapshot per period, e.g. everyone with a
    # benefit on the last day of the month) or across all active deliveries ("dataset": one row per
    # event, e.g. a crime registered once)
    key_scope: str = "delivery"
    # plausibility against the previous delivery: the measure (None = rows; else the column summed),
    # per month of the period, may change by at most this factor (up or down) before the delivery is
    # held for review; only checked when the previous delivery's measure is at least PLAUSIBILITY_MIN
    plausibility_column: str | None = None
    plausibility_factor: float = 2.0
    # person-level: a message about this file names lines and columns, never a value
    person_level: bool = False

    def __post_init__(self) -> None:
        if self.date_format not in DATE_FORMATS:
            raise ValueError(
                f"dataset {self.id}: date format {self.date_format!r} is not one of {', '.join(DATE_FORMATS)}"
            )

    @property
    def id(self) -> str:
        return f"{self.partner}.{self.name}"

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.partner}"

    @property
    def raw_table(self) -> str:
        return f"{self.raw_schema}.{self.name}"

    def partition(self, delivery_id: int) -> str:
        """Name of a delivery's work table in ``loading`` and of its partition of the raw table."""
        return f"{self.name}__d{delivery_id}"

    @property
    def suite_name(self) -> str:
        return f"{self.partner}__{self.name}"

    @property
    def suite_path(self) -> Path:
        return config.EXPECTATIONS_DIR / f"{self.suite_name}.json"

    @property
    def pseudonymised(self) -> bool:
        return any(c.pseudonymise for c in self.columns)

    @property
    def pg_encoding(self) -> str:
        return {"cp1252": "WIN1252", "utf-8": "UTF8", "utf-8-sig": "UTF8"}[self.encoding]

    @property
    def months(self) -> int:
        """Months a delivery of this dataset covers (quarter_ytd: 3 per quarter, depends on the period)."""
        return {"month": 1, "quarter": 3, "year": 12, "quarter_ytd": 3}[self.period_kind]

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)

    def match(self, file_name: str) -> Period | None:
        m = re.fullmatch(self.file_pattern, file_name)
        if not m:
            return None
        return Period.from_match(self.period_kind, m.groupdict())


POLITIE_CSV: dict[str, Any] = dict(encoding="cp1252", delimiter=";", line_end="crlf", date_format="DD-MM-YYYY")
OCD_CSV: dict[str, Any] = dict(encoding="utf-8", delimiter=",", line_end="lf", date_format="YYYY-MM-DD")
SDD_CSV: dict[str, Any] = dict(encoding="utf-8-sig", delimiter=";", line_end="any", date_format="YYYY-MM-DD")
BSN = Column("BSN", "persoon_pseudoniem", pseudonymise=True)

BUURT: dict[str, Any] = dict(lookup="buurtcode", pattern=r"^BU0505\d{4}$")
# Upper bounds of counts and amounts: far above anything real, low enough that no model can be
# made to expand a value into rows until the disk is full.
MAX_PER_BUURT_AGE = 10_000  # inhabitants of one buurt of one age (the largest Dutch buurten: ~1.000)
MAX_HOUSEHOLDS_PER_BUURT = 50_000
MAX_AMOUNT_EUR = 100_000  # one grant of a minima scheme (bijzondere bijstand: a few thousand at most)
MAX_PARTICIPANTS = 2_500  # participants of one collective activity of Buurtwerk
MAX_RESPONDENTS = 100_000  # respondents of one survey figure
MAX_COMPILED = 100_000_000  # a numerator or denominator OCD compiles (persons, dwellings, households)

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        partner="politie",
        name="misdrijven",
        file_pattern=r"POL_misdrijven_(?P<year>\d{4})(?P<month>\d{2})\.csv",
        example="POL_misdrijven_JJJJMM.csv",
        period_kind="month",
        **POLITIE_CSV,
        description="Geregistreerde misdrijven, één rij per misdrijf (zwaarste feit per registratie).",
        columns=(
            Column("Registratienummer", "registratienummer", pattern=r"^PL\d{4}-\d{6,12}$"),
            Column("Registratiedatum", "registratiedatum", "date", in_period=True),
            Column("Pleegdatum", "pleegdatum", "date", required=False),
            Column("Maatschappelijke klasse", "maatschappelijke_klasse", lookup="bvh_klasse"),
            Column("Omschrijving", "omschrijving"),
            Column("Buurtcode", "buurtcode", required=False, **BUURT),
        ),
        key=("Registratienummer",),
        key_scope="dataset",
        row_rules=(
            (
                "Pleegdatum",
                "een pleegdatum niet na de registratiedatum",
                "pleegdatum__typed > registratiedatum__typed",
            ),
        ),
    ),
    Dataset(
        partner="politie",
        name="verdachten",
        file_pattern=r"POL_verdachten_(?P<year>\d{4})(?P<month>\d{2})\.csv",
        example="POL_verdachten_JJJJMM.csv",
        period_kind="month",
        **POLITIE_CSV,
        description="Verdachten gekoppeld aan misdrijven die in de maand zijn geregistreerd.",
        columns=(
            Column("Registratienummer", "registratienummer", pattern=r"^PL\d{4}-\d{6,12}$"),
            Column("Verdachtennummer", "verdachtennummer"),
            Column("Geboortejaar", "geboortejaar", "int", min_value=1900),
            Column("Woonbuurtcode", "woonbuurtcode", required=False, **BUURT),
            Column("Registratiedatum", "registratiedatum", "date", in_period=True),
        ),
        key=("Registratienummer", "Verdachtennummer"),
        key_scope="dataset",
        person_level=True,
        row_rules=(
            (
                "Geboortejaar",
                "een geboortejaar niet na het jaar van registratie",
                "geboortejaar__typed > extract(year FROM registratiedatum__typed)",
            ),
        ),
    ),
    Dataset(
        partner="politie",
        name="incidenten",
        file_pattern=r"POL_incidenten_(?P<year>\d{4})(?P<month>\d{2})\.csv",
        example="POL_incidenten_JJJJMM.csv",
        period_kind="month",
        **POLITIE_CSV,
        description="Overlastincidenten (geen misdrijven), één rij per incident.",
        columns=(
            Column("Incidentnummer", "incidentnummer"),
            Column("Meldingsdatum", "meldingsdatum", "date", in_period=True),
            Column("Incidentcode", "incidentcode", pattern=r"^[A-Z]\d{2,3}$"),
            Column(
                "Categorie",
                "categorie",
                allowed=(
                    "overlast jeugd",
                    "overlast verward persoon",
                    "overlast alcohol/drugs",
                    "burenruzie",
                    "overige overlast",
                ),
            ),
            Column("Buurtcode", "buurtcode", required=False, **BUURT),
        ),
        key=("Incidentnummer",),
        key_scope="dataset",
    ),
    Dataset(
        partner="ocd",
        name="bevolking",
        file_pattern=r"OCD_bevolking_(?P<year>\d{4})\.csv",
        example="OCD_bevolking_JJJJ.csv",
        period_kind="year",
        **OCD_CSV,
        extra_period_rule="first_day",
        description="Inwoners op 1 januari per buurt en leeftijd (100 = 100 jaar en ouder).",
        columns=(
            Column("buurtcode", "buurtcode", **BUURT),
            Column("peildatum", "peildatum", "date", in_period=True),
            Column("leeftijd", "leeftijd", "int", min_value=0, max_value=100),
            Column("inwoners", "inwoners", "int", min_value=0, max_value=MAX_PER_BUURT_AGE),
        ),
        key=("buurtcode", "leeftijd"),
        plausibility_column="inwoners",
        plausibility_factor=1.25,
    ),
    Dataset(
        partner="ocd",
        name="huishoudens",
        file_pattern=r"OCD_huishoudens_(?P<year>\d{4})\.csv",
        example="OCD_huishoudens_JJJJ.csv",
        period_kind="year",
        **OCD_CSV,
        extra_period_rule="first_day",
        description=(
            "Huishoudens op 1 januari per buurt, met huishoudens met een laag inkomen "
            "(tot 120 % van het sociaal minimum)."
        ),
        columns=(
            Column("buurtcode", "buurtcode", **BUURT),
            Column("peildatum", "peildatum", "date", in_period=True),
            Column("huishoudens", "huishoudens", "int", min_value=0, max_value=MAX_HOUSEHOLDS_PER_BUURT),
            Column(
                "huishoudens_laag_inkomen",
                "huishoudens_laag_inkomen",
                "int",
                min_value=0,
                max_value=MAX_HOUSEHOLDS_PER_BUURT,
            ),
        ),
        key=("buurtcode",),
        plausibility_column="huishoudens",
        plausibility_factor=1.25,
        row_rules=(
            (
                "huishoudens_laag_inkomen",
                "niet meer huishoudens met een laag inkomen dan huishoudens",
                "huishoudens_laag_inkomen__typed > huishoudens__typed",
            ),
        ),
    ),
)

DATASETS += (
    Dataset(
        partner="sdd",
        name="uitkeringen",
        file_pattern=r"SDD_uitkeringen_(?P<year>\d{4})(?P<month>\d{2})\.csv",
        example="SDD_uitkeringen_JJJJMM.csv",
        period_kind="month",
        **SDD_CSV,
        extra_period_rule="last_day",
        description="Iedereen met een lopende uitkering op de laatste dag van de maand (BSN gepseudonimiseerd).",
        columns=(
            BSN,
            Column("Peildatum", "peildatum", "date", in_period=True),
            Column("Regeling", "regeling", allowed=("PW", "IOAW", "IOAZ", "BBZ")),
            Column("Ingangsdatum", "ingangsdatum", "date"),
            Column(
                "Huishoudtype",
                "huishoudtype",
                allowed=("alleenstaand", "alleenstaande ouder", "paar zonder kinderen", "paar met kinderen", "overig"),
            ),
            Column("Geboortejaar", "geboortejaar", "int", min_value=1900),
            Column("Buurtcode", "buurtcode", **BUURT),
        ),
        key=("BSN", "Regeling"),
        person_level=True,
        row_rules=(
            ("Ingangsdatum", "een ingangsdatum niet na de peildatum", "ingangsdatum__typed > peildatum__typed"),
            (
                "Geboortejaar",
                "een geboortejaar niet na het jaar van de peildatum",
                "geboortejaar__typed > extract(year FROM peildatum__typed)",
            ),
        ),
    ),
    Dataset(
        partner="sdd",
        name="schuldhulp",
        file_pattern=r"SDD_schuldhulp_(?P<year>\d{4})(?P<month>\d{2})\.csv",
        example="SDD_schuldhulp_JJJJMM.csv",
        period_kind="month",
        **SDD_CSV,
        description="Schuldhulptrajecten die ergens in de maand liepen (BSN gepseudonimiseerd).",
        columns=(
            BSN,
            Column("Trajectnummer", "trajectnummer"),
            Column("Soort", "soort", allowed=("schuldhulpverlening", "schuldsanering", "budgetbeheer")),
            Column("Startdatum", "startdatum", "date"),
            Column("Einddatum", "einddatum", "date", required=False),
            Column("Buurtcode", "buurtcode", **BUURT),
        ),
        key=("Trajectnummer",),
        person_level=True,
        row_rules=(("Einddatum", "een einddatum niet voor de startdatum", "einddatum__typed < startdatum__typed"),),
    ),
    Dataset(
        partner="sdd",
        name="minimaregelingen",
        file_pattern=r"SDD_minimaregelingen_(?P<year>\d{4})Q(?P<quarter>\d)\.csv",
        example="SDD_minimaregelingen_JJJJQn.csv",
        period_kind="quarter_ytd",
        replaces="year",
        **SDD_CSV,
        description="Toekenningen van minimaregelingen van 1 januari tot en met het kwartaal (BSN gepseudonimiseerd).",
        columns=(
            BSN,
            Column(
                "Regeling",
                "regeling",
                allowed=("bijzondere bijstand", "persoonlijk minimabudget", "kwijtschelding gemeentelijke belastingen"),
            ),
            Column("Toekenningsdatum", "toekenningsdatum", "date", in_period=True),
            Column("Bedrag", "bedrag", "decimal_nl", min_value=0, max_value=MAX_AMOUNT_EUR),
            Column("Buurtcode", "buurtcode", **BUURT),
        ),
        key=("BSN", "Regeling", "Toekenningsdatum"),
        key_scope="dataset",
        person_level=True,
    ),
)

BLIK_CSV: dict[str, Any] = dict(encoding="utf-8", delimiter=",", line_end="any", date_format="YYYY-MM-DD")
BLIK_WIJK: dict[str, Any] = dict(lookup="blik_wijk")
PROGRAMMALIJN: dict[str, Any] = dict(min_value=1, max_value=5)

DATASETS += (
    Dataset(
        partner="blik",
        name="registraties",
        file_pattern=r"BLIK_registraties_(?P<year>\d{4})-Q(?P<quarter>\d)\.csv",
        example="BLIK_registraties_JJJJ-Qn.csv",
        period_kind="quarter",
        **BLIK_CSV,
        description="Registraties van Buurtwerk (korte vragen, dossiers, welzijnsbezoeken, doorverwijzingen).",
        columns=(
            Column("registratie_id", "registratie_id", "int", min_value=1),
            Column("datum_tijd", "datum_tijd", "timestamp", in_period=True),
            Column(
                "soort",
                "soort",
                allowed=(
                    "korte vraag",
                    "individueel dossier",
                    "collectief dossier",
                    "welzijnsbezoek",
                    "doorverwijzing",
                ),
            ),
            Column("programmalijn", "programmalijn", "int", **PROGRAMMALIJN),
            Column("domein", "domein"),
            Column("wijk", "wijk", **BLIK_WIJK),
            Column("client_ref", "client_ref", required=False),
            Column(
                "aantal_deelnemers", "aantal_deelnemers", "int", required=False, min_value=0, max_value=MAX_PARTICIPANTS
            ),
            Column("doorverwezen_naar", "doorverwezen_naar", required=False),
        ),
        key=("registratie_id",),
        key_scope="dataset",
        person_level=True,
        row_rules=(
            (
                "aantal_deelnemers",
                "een aantal bij soort 'collectief dossier' en leeg bij andere soorten",
                """("soort" = 'collectief dossier') <> ("aantal_deelnemers" IS NOT NULL)""",
            ),
            (
                "doorverwezen_naar",
                "een partner bij soort 'doorverwijzing' en leeg bij andere soorten",
                """("soort" = 'doorverwijzing') <> ("doorverwezen_naar" IS NOT NULL)""",
            ),
            (
                "client_ref",
                "leeg bij collectief werk (soort 'collectief dossier')",
                """"soort" = 'collectief dossier' AND "client_ref" IS NOT NULL""",
            ),
        ),
    ),
    Dataset(
        partner="blik",
        name="vrijwilligers",
        file_pattern=r"BLIK_vrijwilligers_(?P<year>\d{4})-Q(?P<quarter>\d)\.csv",
        example="BLIK_vrijwilligers_JJJJ-Qn.csv",
        period_kind="quarter",
        **BLIK_CSV,
        description="Vrijwilligers van Buurtwerk die ergens in het kwartaal actief waren.",
        columns=(
            Column("vrijwilliger_ref", "vrijwilliger_ref"),
            Column("wijk", "wijk", **BLIK_WIJK),
            Column("programmalijn", "programmalijn", "int", **PROGRAMMALIJN),
            Column("startdatum", "startdatum", "date"),
            Column("einddatum", "einddatum", "date", required=False),
        ),
        key=("vrijwilliger_ref", "wijk", "programmalijn"),
        person_level=True,
        row_rules=(("einddatum", "een einddatum niet voor de startdatum", "einddatum__typed < startdatum__typed"),),
    ),
)

# The OCD survey workbooks, one agreed dataset each, all with the same columns and rules (the sample
# generator writes them, dbt unions them in stg_ocd__enquete_uitkomsten: a test holds it to this list).
OCD_SURVEYS = ("veiligheidsmonitor", "gezondheidsmonitor", "woonmonitor")
# the OCD workbooks (their cells are read as text; the CSV dialect fields describe that text)
OCD_XLSX: dict[str, Any] = dict(
    encoding="utf-8", delimiter=",", line_end="any", date_format="YYYY-MM-DD", file_format="xlsx"
)
SURVEY_COLUMNS = (
    Column("Indicator", "indicator", lookup="ocd_indicator"),
    Column("Omschrijving", "omschrijving"),
    Column("Gebiedscode", "gebiedscode", lookup="wijk_of_gemeente"),
    Column("Gebied", "gebied"),
    Column("Waarde", "waarde", "number", required=False),
    Column("Eenheid", "eenheid", allowed=("%", "rapportcijfer", "schaalscore", "euro")),
    Column("N", "respondenten", "int", required=False, min_value=0, max_value=MAX_RESPONDENTS),
    Column("Ondergrens", "ondergrens", "number", required=False),
    Column("Bovengrens", "bovengrens", "number", required=False),
    Column("Opmerking", "opmerking", required=False),
)
SURVEY_RULES = (
    ("Waarde", "een waarde, of een lege cel met de reden in Opmerking", '"Waarde" IS NULL AND "Opmerking" IS NULL'),
    ("Waarde", "een percentage van 0 tot en met 100", "\"Eenheid\" = '%' AND waarde__typed NOT BETWEEN 0 AND 100"),
    (
        "Waarde",
        "een rapportcijfer van 1 tot en met 10",
        "\"Eenheid\" = 'rapportcijfer' AND waarde__typed NOT BETWEEN 1 AND 10",
    ),
    (
        "Waarde",
        "een schaalscore van 0 tot en met 10",
        "\"Eenheid\" = 'schaalscore' AND waarde__typed NOT BETWEEN 0 AND 10",
    ),
    ("Waarde", "een bedrag van 0 of meer", "\"Eenheid\" = 'euro' AND waarde__typed < 0"),
    (
        "Ondergrens",
        "een betrouwbaarheidsinterval rond de waarde (ondergrens <= waarde <= bovengrens)",
        "ondergrens__typed > waarde__typed OR bovengrens__typed < waarde__typed "
        "OR ondergrens__typed > bovengrens__typed",
    ),
)

DATASETS = (
    *DATASETS,
    *(
        Dataset(
            partner="ocd",
            name=monitor,
            file_pattern=rf"OCD_{monitor}_(?P<year>\d{{4}})\.xlsx",
            example=f"OCD_{monitor}_JJJJ.xlsx",
            period_kind="year",
            **OCD_XLSX,
            sheet="Tabel",
            header_row=4,
            description=f"Uitkomsten van de {monitor} per gebied, met N en betrouwbaarheidsinterval.",
            columns=SURVEY_COLUMNS,
            key=("Indicator", "Gebiedscode"),
            row_rules=SURVEY_RULES,
        )
        for monitor in OCD_SURVEYS
    ),
    Dataset(
        partner="ocd",
        name="kerncijfers",
        file_pattern=r"OCD_kerncijfers_(?P<year>\d{4})\.xlsx",
        example="OCD_kerncijfers_JJJJ.xlsx",
        period_kind="year",
        **OCD_XLSX,
        sheet="Kerncijfers",
        header_row=1,
        description=(
            "Kerncijfers die OCD samenstelt uit bronnen van anderen (CBS, DUO, UWV, Leefbaarometer, RIVM, Vektis)."
        ),
        columns=(
            Column("Indicator", "indicator", lookup="ocd_indicator"),
            Column("Omschrijving", "omschrijving"),
            Column("Gebiedscode", "gebiedscode", lookup="gebiedscode"),
            Column("Periode", "periode", pattern=r"^([0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}/[0-9]{4})$"),
            Column("Waarde", "waarde", "number"),
            Column("Teller", "teller", "number", required=False, min_value=0, max_value=MAX_COMPILED),
            Column("Noemer", "noemer", "number", required=False, min_value=0, max_value=MAX_COMPILED),
            Column("Bron", "bron"),
        ),
        key=("Indicator", "Gebiedscode", "Periode"),
        row_rules=(
            (
                "Periode",
                f"een periode van {CALENDAR_START.year} tot en met dit jaar (jjjj/jjjj: twee opeenvolgende jaren)",
                "CASE WHEN \"Periode\" ~ '^[0-9][0-9][0-9][0-9]' THEN "
                f'left("Periode", 4)::int NOT BETWEEN {CALENDAR_START.year} AND extract(year FROM current_date) '
                "OR (\"Periode\" ~ '^[0-9][0-9][0-9][0-9]/[0-9][0-9][0-9][0-9]$' "
                'AND right("Periode", 4)::int <> left("Periode", 4)::int + 1) END',
            ),
            (
                "Waarde",
                "een percentage van 0 tot en met 100 (de indicator is een aandeel)",
                '"Indicator" IN {lookup:ocd_share_indicator} AND waarde__typed NOT BETWEEN 0 AND 100',
            ),
            (
                "Teller",
                "een teller niet groter dan de noemer (de indicator is een aandeel)",
                '"Indicator" IN {lookup:ocd_share_indicator} AND teller__typed > noemer__typed',
            ),
        ),
    ),
)

PARTNERS: dict[str, str] = {
    "politie": "Politie eenheid Rotterdam, district Zuid-Holland-Zuid",
    "ocd": "Onderzoekcentrum Drechtsteden",
    "sdd": "Sociale Dienst Drechtsteden",
    "blik": "Buurtwerk Dordrecht (registratiesysteem BLIK)",
}


def datasets(partner: str | None = None) -> tuple[Dataset, ...]:
    return tuple(d for d in DATASETS if partner is None or d.partner == partner)


def dataset(dataset_id: str) -> Dataset:
    return next(d for d in DATASETS if d.id == dataset_id)


def headers(dataset_id: str) -> list[str]:
    """The agreed header of a dataset's file."""
    return [c.header for c in dataset(dataset_id).columns]


MAX_NAME = 120  # characters of a file name shown in messages and kept in stored names


def display_name(name: str) -> str:
    """A delivered file name as it may appear in a message or a log: printable, at most MAX_NAME
    characters, and any run of 9 or more digits masked (no agreed name has one; it could be a BSN)."""
    shown = re.sub(r"\d{9,}", lambda m: "#" * len(m.group()), name)
    shown = "".join(ch if ch.isprintable() else "?" for ch in shown)
    return shown if len(shown) <= MAX_NAME else shown[: MAX_NAME - 1] + "…"


def identify(partner: str, file_name: str) -> tuple[Dataset, Period]:
    """Which agreed delivery a file is; raises ``ValueError`` with a message for the partner."""
    shown = display_name(file_name)
    if len(file_name) > MAX_NAME:
        raise ValueError(
            f"bestandsnaam '{shown}' is {len(file_name)} tekens lang; een afgesproken naam heeft er hoogstens "
            f"{max(len(d.example) for d in DATASETS)}"
        )
    for ds in datasets(partner):
        prefix = ds.example.split("_J")[0]
        if file_name.startswith(prefix + "_"):
            try:
                period = ds.match(file_name)
            except ValueError as exc:
                raise ValueError(f"bestandsnaam '{shown}': {exc}; verwacht {ds.example}") from exc
            if period is None:
                raise ValueError(f"bestandsnaam '{shown}' volgt het afgesproken patroon niet; verwacht {ds.example}")
            return ds, period
    agreed = ", ".join(d.example for d in datasets(partner)) or "(geen)"
    raise ValueError(
        f"bestandsnaam '{shown}' komt niet overeen met een afgesproken levering van {partner}; afgesproken: {agreed}"
    )


def period_problem(period: Period, today: date | None = None) -> str | None:
    """Why a delivery's period cannot be accepted: before the programme's calendar, or not begun yet."""
    today = today or date.today()
    if period.start < CALENDAR_START:
        return (
            f"periode {period.label} ligt voor de kalender van het programma (vanaf {CALENDAR_START.year}); "
            "is het jaar in de bestandsnaam juist?"
        )
    if period.start > today:
        return (
            f"periode {period.label} is nog niet begonnen (vandaag is {today:%d-%m-%Y}); een levering voor een "
            "toekomstige periode wordt niet aangenomen — is het jaar of de maand in de bestandsnaam juist?"
        )
    return None


@functools.cache
def reference_values(lookup: str) -> tuple[str, ...]:
    """Closed value lists from the reference seeds (read on use, never at import)."""
    if lookup == "buurtcode":
        with open(config.SEEDS_DIR / "cbs_buurten_dordrecht.csv", encoding="utf-8", newline="") as fh:
            return tuple(sorted(row["buurtcode"] for row in csv.DictReader(fh)))
    if lookup == "bvh_klasse":
        codes: set[str] = set()
        with open(config.SEEDS_DIR / "cbs_soort_misdrijf_47018NED.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for item in filter(None, (row["politie_maatschappelijke_klassen"] or "").split(";")):
                    codes.add(item.strip().split(" ", 1)[0])
        return tuple(sorted(codes))
    if lookup == "ocd_indicator":
        with open(config.SEEDS_DIR / "ocd_indicatorcodes.csv", encoding="utf-8", newline="") as fh:
            return tuple(sorted(row["ocd_code"] for row in csv.DictReader(fh)))
    if lookup in ("wijk_of_gemeente", "gebiedscode"):
        with open(config.SEEDS_DIR / "cbs_buurten_dordrecht.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        codes = {r["wijkcode"] for r in rows} | {r["gemeentecode"] for r in rows}
        if lookup == "gebiedscode":
            codes |= {r["buurtcode"] for r in rows}
        return tuple(sorted(codes))
    if lookup == "ocd_share_indicator":  # OCD codes whose catalogue unit is a share (a percentage)
        units = programme.units()
        with open(config.SEEDS_DIR / "indicator_catalogus.csv", encoding="utf-8", newline="") as fh:
            shares = {r["indicator_code"] for r in csv.DictReader(fh) if units[r["eenheid"]].is_share}
        with open(config.SEEDS_DIR / "ocd_indicatorcodes.csv", encoding="utf-8", newline="") as fh:
            return tuple(sorted(r["ocd_code"] for r in csv.DictReader(fh) if r["indicator_code"] in shares))
    if lookup == "blik_wijk":
        with open(config.SEEDS_DIR / "blik_wijken.csv", encoding="utf-8", newline="") as fh:
            return tuple(row["blik_wijk"] for row in csv.DictReader(fh))
    raise KeyError(lookup)
