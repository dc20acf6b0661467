"""Transcription of seed 002 Bijlage 3 ("Cijfers") into the catalogue's nulmeting seed.

Run once to (re)write dbt_project/seeds/nulmeting_bijlage3.csv; the seed is the artifact,
tests/test_catalogue.py checks every value and label against the seed text itself.
Each entry: indicator code, section, row label as printed (line breaks -> one space),
component of a composite value, unit as printed, reference year when printed, and the
values as printed per column (Dordrecht, Oud-Krispijn, Nieuw-Krispijn, Wielwijk, Crabbehof).
"""

import csv
from pathlib import Path

K2 = "Kernindicatoren Rijk / Actielijn 2 - Verbeteren woningen en wijken"
K3 = "Kernindicatoren Rijk / Actielijn 3 - Meedoen in de samenleving"
K4 = "Kernindicatoren Rijk / Actielijn 4 - Vergroten van de veiligheid"
NW = "Overzicht indicatoren NPDW / Wonen en Fysieke Leefomgeving"
NG = "Overzicht indicatoren NPDW / Gezond en samen leven"
NL = "Overzicht indicatoren NPDW / Leren en ontwikkelen"
NA = "Overzicht indicatoren NPDW / Arbeidsmarkt en bestaanszekerheid"
NV = "Overzicht indicatoren NPDW / Leefbaar en veilig"
AREAS = ["Dordrecht", "Oud-Krispijn", "Nieuw-Krispijn", "Wielwijk", "Crabbehof"]

# (code, section, label, component, unit as printed, reference year, values as printed D, OK, NK, W, C)
ROWS = [
    ("lbm_woningvoorraad", K2, "Leefbaarometer ‘woningvoorraad’ (indexcijfer):", "", "indexcijfer", "2020", {"Dordrecht": "4,02"}),
    ("energielabel_efg_pct", K2, "Woningen met energielabels E t/m G (%):", "", "%", "", {"Dordrecht": "11", "Dordt West": "14,5"}),
    ("ses_woa", K3, "SES-WOA-score (indexcijfer)", "", "indexcijfer", "", ["-0,07", "-0,41", "-0,47", "-0,38", "-0,22"]),
    ("huishoudens_onder_sociaal_minimum", K3, "Huishoudens onder sociaal minimum (% van totaal aantal huishoudens)", "", "%", "", ["8%", "15%", "17%", "14%", "11%"]),
    ("arbeidsparticipatie", K3, "Arbeidsparticipatie (% van beroepsbevolking)", "", "%", "", ["66%", "60%", "57%", "59%", "64%"]),
    ("schooladvies_mavo", K3, "Definitief schooladvies PO (% MAVO – HAVO – VWO)", "MAVO", "%", "", ["55,6%", "69%", "57,9%", "47,2%", "63,7%"]),
    ("schooladvies_havo", K3, "Definitief schooladvies PO (% MAVO – HAVO – VWO)", "HAVO", "%", "", ["22,4%", "20,1%", "5,3%", "31,4%", "12%"]),
    ("schooladvies_vwo", K3, "Definitief schooladvies PO (% MAVO – HAVO – VWO)", "VWO", "%", "", ["20,7%", "10,9%", "15,8%", "21,3%", "20,6%"]),
    ("zonder_startkwalificatie", K3, "Inwoners zonder startkwalificatie (% inwoners 18-30 jaar)", "", "%", "", ["15%", "20%", "30%", "18%", "23%"]),
    ("schuldsanering_per_1k", K3, "Personen in schuldsanering (% inwoners)", "", "/1000inw", "", ["2/1000inw", "4/1000inw", "4/1000inw", "6/1000inw", "1/1000inw"]),
    ("wmo_gebruik_per_1k", K3, "Gebruik WMO (aantal per 1000 inwoners)", "", "per 1000 inwoners", "", ["85/1000inw", "117", "116", "92", "58"]),
    ("jeugdzorg_pct", K3, "Jongeren met jeugdzorg (aantal per 1000 23-minners)", "", "%", "", ["11,00%", "12%", "14%", "9%", "10%"]),
    ("lbm_overlast_onveiligheid", K4, "Leefbaarometer ‘overlast & onveiligheid’ (indexcijfer)", "", "indexcijfer", "", ["4,02", "3,79", "3,68", "3,83", "3,88"]),
    ("pol_verdachten_jong_per_1k", K4, "Aantal personen jonger dan 25 verdacht van een delict (per 1000 inwoners)", "", "%", "", ["2%", "3%", "3%", "0%", "2%"]),
    ("vm_overlast_rondhangende_jongeren", K4, "Percentage dat veel overlast ervaart van rondhangende jongeren in 2023 (Veiligheidsmonitor)", "", "%", "2023", ["6%", "7%", "9%", "10%", "10%"]),
    # Wonen en fysieke leefomgeving
    ("lbm_bewoners", NW, "Leefbaarometer bewoners", "", "indexcijfer", "", ["4,03", "3,93", "3,9", "3,78", "3,85"]),
    ("vm_prettig_wonen", NW, "Prettig wonen in de buurt - rapportcijfer 1-10 (Veiligheidsmonitor 2023)", "", "rapportcijfer", "2023", ["7,4", "6,9", "7,1", "7,1", "6,9"]),
    ("lbm_fysieke_omgeving", NW, "Leefbaarometer fysieke omgeving 2020", "", "indexcijfer", "2020", ["4,05", "3,89", "3,93", "3,77", "3,81"]),
    ("vm_fysieke_voorzieningen", NW, "Fysieke voorzieningen - schaalscore, hoe hoger hoe beter (Veiligheidsmonitor 2023)", "", "schaalscore", "2023", ["6,0", "6,4", "6,0", "5,8", "5,5"]),
    ("vm_overlast_fysieke_verloedering", NW, "Percentage dat veel overlast ervaart van fysieke verloedering (Veiligheidsmonitor 2023)", "", "%", "2023", ["26%", "39%", "31%", "36%", "34%"]),
    ("kpi_hittestress", NW, "KPI hittestress", "", "index", "", ["0,4", "1,61", "1,45", "1,21", "1,24"]),
    ("kpi_groen_pct", NW, "KPI m² groen in openbare ruimte en collectieve tuinen van corporaties", "", "%", "", ["23,66%", "14,45%", "22,00%", "35,69%", "22,69%"]),
    ("woz_gemiddeld", NW, "Gemiddelde WOZ-waarde in 2022 (woonmonitor OCD)", "", "x 1.000 euro", "2022", ["297", "245", "219", "242", "205"]),
    ("woningvoorraad_koop", NW, "Samenstelling woningvoorraad (huur/ koop, markt/sociaal, woningtype)", "koop", "aantal", "", ["23623,26", "2768,87", "983,09", "1211,2", "1569,96"]),
    ("woningvoorraad_sociale_huur", NW, "Samenstelling woningvoorraad (huur/ koop, markt/sociaal, woningtype)", "sociale huur", "aantal", "", ["15749,16", "1314,04", "1275,36", "1665,4", "2049,67"]),
    ("woningvoorraad_huur", NW, "Samenstelling woningvoorraad (huur/ koop, markt/sociaal, woningtype)", "huur", "aantal", "", ["7874,58", "610,09", "398,55", "151,4", "610,09"]),
    ("lbm_woningvoorraad", NW, "Leefbaarometer woningvoorraad 2020", "", "indexcijfer", "2020", ["4,05", "3,93", "3,93", "3,79", "3,89"]),
    ("energielabel_e", NW, "Energielabel E, F, G", "E", "aantal", "", ["2980", "290", "195", "190", "410"]),
    ("energielabel_f", NW, "Energielabel E, F, G", "F", "aantal", "", ["1950", "325", "145", "80", "120"]),
    ("energielabel_g", NW, "Energielabel E, F, G", "G", "aantal", "", ["1450", "205", "145", "35", "75"]),
    # Gezond en samen leven
    ("gm_goed_ervaren_gezondheid", NG, "Goed ervaren gezondheid in 2020 (gezondheidsmonitor)", "", "%", "2020", ["76%", "74,6", "70,2", "70,7", "70,7"]),
    ("gm_regie_over_leven", NG, "Regie over het leven", "", "%", "", ["88,9%", "87,9%", "85,3%", "85,7%", "85,9%"]),
    ("jeugdzorg_pct", NG, "Jongeren met jeugdzorg", "", "%", "", ["11%", "10%", "9%", "14%", "12%"]),
    ("wmo_gebruik_per_1k", NG, "Gebruik WMO (per 1.000 inwoners) (CBS 2020)", "", "per 1.000 inwoners", "2020", ["85", "58", "92", "116", "117"]),
    ("gm_beweegrichtlijn", NG, "Percentage volwassenen en ouderen (2,5 uur per week matig intensief bewegen & 2 keer per week spier- en botversterkende activiteiten & balansoefeningen voor ouderen)", "", "%", "", ["42,1", "43,2", "41", "39", "40,7"]),
    ("gm_wekelijkse_sporters", NG, "Percentage wekelijkse sporters volwassenen", "", "%", "", ["46%", "43%", "40%", "39%", "40%"]),
    ("gm_angst_depressie", NG, "Percentage inwoners van 18 jaar of ouder met een hoog risico op een angststoornis of depressie", "", "%", "", ["12%", "16%", "16%", "16%", "17%"]),
    ("gm_stress", NG, "Percentage inwoners van 18 jaar of ouder dat de afgelopen 4 weken (heel) veel stress heeft ervaren", "", "%", "", ["22%", "27%", "26%", "25%", "26%"]),
    ("gm_eenzaam", NG, "Percentage ernstig/zeer eenzaam", "", "%", "", ["19%", "23%", "21%", "25%", "24%"]),
    ("gm_mantelzorg", NG, "Percentage mantelzorg", "", "%", "", ["13,50%", "12,70%", "13,30%", "13,50%", "12,40%"]),
    ("gm_vrijwilligers", NG, "Percentage vrijwilligers", "", "%", "", ["21%", "18,50%", "17,90%", "17%", "17,10%"]),
    ("vm_sociale_cohesie", NG, "Sociale cohesie - schaalscore, hoe hoger hoe beter (Veiligheidsmonitor 2023)", "", "schaalscore", "2023", ["6,1", "5,9", "6,0", "5,8", "5,5"]),
    ("vm_politie_functioneren_tevreden", NG, "Tevredenheid over functioneren politie in de buurt - % (zeer) tevreden / % (zeer) ontevreden (Veiligheidsmonitor 2023)", "% (zeer) tevreden", "%", "2023", ["36%", "24%", "34%", "35%", "36%"]),
    ("vm_politie_functioneren_ontevreden", NG, "Tevredenheid over functioneren politie in de buurt - % (zeer) tevreden / % (zeer) ontevreden (Veiligheidsmonitor 2023)", "% (zeer) ontevreden", "%", "2023", ["9%", "10%", "10%", "15%", "11%"]),
    ("vm_politie_zichtbaarheid_tevreden", NG, "Tevredenheid over zichtbaarheid politie in de buurt - % (zeer) tevreden / % (zeer) ontevreden (Veiligheidsmonitor 2023)", "% (zeer) tevreden", "%", "2023", ["30%", "22%", "29%", "29%", "42%"]),
    ("vm_politie_zichtbaarheid_ontevreden", NG, "Tevredenheid over zichtbaarheid politie in de buurt - % (zeer) tevreden / % (zeer) ontevreden (Veiligheidsmonitor 2023)", "% (zeer) ontevreden", "%", "2023", ["23%", "35%", "21%", "29%", "16%"]),
    ("vm_aanpak_gemeente_tevreden", NG, "Tevredenheid met aanpak van leefbaarheid en veiligheid door gemeente - % (zeer) tevreden / % (zeer) ontevreden (Veiligheidsmonitor 2023)", "% (zeer) tevreden", "%", "2023", ["43%", "37%", "42%", "39%", "38%"]),
    ("vm_aanpak_gemeente_ontevreden", NG, "Tevredenheid met aanpak van leefbaarheid en veiligheid door gemeente - % (zeer) tevreden / % (zeer) ontevreden (Veiligheidsmonitor 2023)", "% (zeer) ontevreden", "%", "2023", ["15%", "25%", "19%", "15%", "18%"]),
    # Leren en ontwikkelen
    ("vsv_pct", NL, "Percentage Voortijdig Schoolverlaters", "", "%", "", ["3%", "3%", "5%", "7%", "5%"]),
    ("citoscore", NL, "Citoscore", "", "schaalscore", "", ["535,15", "532,99", "538,78", "532,64", "533,57"]),
    ("onderwijsachterstand_pct", NL, "Verwachte onderwijsachterstand", "", "%", "", ["22%", "33%", "35%", "37%", "40%"]),
    ("schooladvies_mavo", NL, "Definitief schooladvies PO (DUO) (% mavo – havo – vwo)", "mavo", "%", "", ["55.6%", "63.7%", "47.2%", "57.9%", "69%"]),
    ("schooladvies_havo", NL, "Definitief schooladvies PO (DUO) (% mavo – havo – vwo)", "havo", "%", "", ["22.4%", "12%", "31.4%", "5.53%", "20.1%"]),
    ("schooladvies_vwo", NL, "Definitief schooladvies PO (DUO) (% mavo – havo – vwo)", "vwo", "%", "", ["20.7%", "20.6%", "21.3%", "15.8%", "10.9%"]),
    ("zonder_startkwalificatie", NL, "Percentage 18 t/m 30 jarigen zonder startkwalificatie", "", "%", "", ["15%", "23%", "18%", "30%", "20%"]),
    ("hoogopgeleid_18_30", NL, "Percentage hoogopgeleide 18 t/m 30 jr", "", "%", "", ["25%", "21%", "22%", "11%", "19%"]),
    # Arbeidsmarkt en bestaanszekerheid
    ("ses_woa", NA, "SES-WOA Score", "", "score", "", ["-0,07", "-0,22", "-0,38", "-0,47", "-0,41"]),
    ("ses_woa_spreiding", NA, "Spreiding SES-WOA scores", "", "score", "", ["0,91", "0,96", "0,98", "1,07", "0,97"]),
    ("arbeidsparticipatie", NA, "Arbeidsparticipatie", "", "%", "", ["67%", "66%", "61%", "58%", "60%"]),
    ("werkloosheid", NA, "Werkloosheidscijfers (t.a.v. bevolking 15- tot AOW-leeftijd) - Percentage niet-werkende werkzoekenden - Percentage met uitkering sociale dienst", "", "%", "", ["7,8", "8,3", "8", "11,2", "8,3"]),
    ("jongeren_afstand_arbeidsmarkt", NA, "Percentage jongeren met een afstand tot de arbeidsmarkt", "", "%", "", ["2%", "3%", "5%", "4%", "4%"]),
    ("schuldsanering_per_1k", NA, "Schuldsanering per 1.000 inwoners (KIS Wijkmonitor 2018)", "", "per 1.000 inwoners", "2018", ["2", "1", "6", "4", "4"]),
    ("wmo_gebruik_per_1k", NA, "Gebruik WMO-voorziening (per 1.000 inwoners)", "", "per 1.000 inwoners", "", ["85", "58", "92", "116", "117"]),
    ("bijstand_per_1k", NA, "Aantal inwoners met een bijstand uitkering", "", "(geen eenheid gedrukt)", "", ["30,7", "37,8", "56,2", "57,7", "66,5"]),
    ("ww_uitkering", NA, "Aantal inwoners met WW-uitkering", "", "(geen eenheid gedrukt)", "", ["7,8", "8,3", "8", "11,2", "8,3"]),
    ("huishoudens_rond_sociaal_minimum", NA, "Percentage huishoudens onder of rond het sociaal minimum", "", "%", "", ["8%", "10%", "13%", "16%", "14%"]),
    ("huishoudens_laag_inkomen", NA, "Percentage huishoudens laag inkomen", "", "%", "", ["8%", "10%", "12%", "15%", "14%"]),
    ("gm_hoge_draagkracht", NA, "Percentage hoge draagkracht in 2020 (gezondheidsmonitor) = geen moeite hebben maandelijks rond komen", "", "%", "2020", ["77%", "69%", "68%", "67%", "67%"]),
    ("gm_regie_over_leven", NA, "Percentage lage draaglast in 2020 (gezondheidsmonitor) = matig of veel regie over eigen leven", "", "%", "2020", ["89%", "87%", "85%", "86%", "86%"]),
    ("sdd_bereik_bijzondere_bijstand", NA, "Percentage bereik bijzondere bijstand regelingen 2021", "", "%", "2021", ["9%", "8%", "8%", "13%", "9%"]),
    ("sdd_bereik_persoonlijk_minimabudget", NA, "Percentage bereik persoonlijk minima budget regelingen 2021", "", "%", "2021", ["49%", "53%", "55%", "60%", "55%"]),
    ("sdd_bereik_kwijtschelding", NA, "Percentage bereik kwijtschelding gemeentelijke belastingen regelingen 2021", "", "%", "2021", ["73%", "76%", "78%", "72%", "80%"]),
    # Leefbaar en veilig
    ("pol_verdachten_jong_per_1k", NV, "Aantal personen jonger dan 25 jaar verdacht van een delict (per 1.000 inwoners)", "", "%", "", ["1,0%", "2,0%", "2,0%", "4,0%", "1,0%"]),
    ("risicoscore_jonge_aanwas", NV, "Risicoscore jonge aanwas drugscriminaliteit", "", "score", "", ["0,18", "0,19", "0,22", "0,2", "0,19"]),
    ("pol_hic_per_10k", NV, "High impact crimes (per 10.000 inwoners)", "", "per 10.000 inwoners", "", ["57,5", "52,5", "70,3", "48,1", "72,4"]),
    ("pol_straatroof_overval_per_10k", NV, "Straatroof en overval (per 10.000 inwoners)", "", "per 10.000 inwoners", "", ["1,5", "0", "4", "0", "2,4"]),
    ("pol_misdrijven_per_10k", NV, "Totaal misdrijven (per 10.000 inwoners)", "", "per 10.000 inwoners", "", ["513,1", "474,4", "546,2", "495,6", "471,5"]),
    ("pol_geweld_per_10k", NV, "Geweldsmisdrijven (per 10.000 inwoners)", "", "per 10.000 inwoners", "", ["47,7", "47", "58,2", "48,1", "53,4"]),
    ("pol_woninginbraak_per_10k", NV, "Diefstal/ inbraak woning (per 10.000 inwoners)", "", "per 10.000 inwoners", "", ["8,4", "5,5", "8", "0", "16,6"]),
    ("lbm_overlast_onveiligheid", NV, "Leefbaarometer overlast en onveiligheid (Indexcijfer 2020)", "", "indexcijfer", "2020", ["4,02", "3,88", "3,83", "3,68", "3,79"]),
    ("vm_veiligheid_buurt", NV, "Veiligheid in de buurt - rapportcijfer 1-10 (Veiligheidsmonitor 2023)", "", "rapportcijfer", "2023", ["7,3", "6,7", "7,1", "6,8", "6,8"]),
    ("pol_e33_meldingen", NV, "E33 meldingen politie", "", "aantal", "", ["1353", "93", "67", "101", "111"]),
    ("vm_overlast_buurtbewoners", NV, "Percentage ervaren van veel overlast van buurtbewoners in 2023 (Veiligheidsmonitor)", "", "%", "2023", ["6%", "9%", "6%", "5%", "6%"]),
    ("vm_overlast_verwarde_personen", NV, "Percentage ervaren van veel overlast van verwarde personen in 2023 (Veiligheidsmonitor)", "", "%", "2023", ["3%", "2%", "1%", "7%", "4%"]),
    ("pol_overlast_per_10k", NV, "Melding overlast (per 10.000 inwoners)", "", "per 10.000 inwoners", "", ["389,7", "391,5", "496", "495,6", "408,6"]),
    ("pol_aandeel_overlast_jeugd", NV, "Melding overlast jeugd", "", "%", "", ["20%", "24,0%", "9,0%", "11,0%", "11,0%"]),
    ("vm_sociale_overlast", NV, "Percentage inwoners dat veel sociale overlast ervaart (Veiligheidsmonitor 2023)", "", "%", "2023", ["14%", "22%", "14%", "20%", "20%"]),
]


def number(printed: str) -> str:
    """The number in a printed value: '2/1000inw' -> 2, '55.6%' -> 55.6, '23623,26' -> 23623.26."""
    text = printed.replace("/1000inw", "").replace("%", "").strip()
    return text.replace(",", ".")


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "nulmeting_bijlage3.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["indicator_code", "gebied", "waarde", "waarde_zoals_gedrukt", "eenheid_zoals_gedrukt",
                    "referentiejaar", "bron_seed", "sectie", "rijlabel", "onderdeel"])
        for code, section, label, part, unit, year, values in ROWS:
            pairs = values.items() if isinstance(values, dict) else zip(AREAS, values, strict=True)
            for area, printed in pairs:
                w.writerow([code, area, number(printed), printed, unit, year, "002_595b1b18b47d5e8d.txt",
                            section, label, part])
    print(out)


if __name__ == "__main__":
    main()
