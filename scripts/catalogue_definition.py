"""The indicator catalogue of the Monitor Dordt West, written to dbt_project/seeds/indicator_catalogus.csv.

Source: seed 002 (Bijlage 1 goals, Bijlage 3 figures) and seeds 000/001 (Buurtwerk). Goals are
verbatim from the bullet that precedes an indicator's table in Bijlage 3 (line breaks -> spaces).
tests/test_catalogue.py checks the goal texts and row labels against the seed text.
"""

import csv
from pathlib import Path

W, G, L, A, V = ("Wonen en fysieke leefomgeving", "Gezond en samen leven", "Leren en ontwikkelen",
                 "Arbeidsmarkt en bestaanszekerheid", "Leefbaar en veilig")
D1 = "In 2043 waarderen bewoners in Dordt West hun woonomgeving gelijk aan het gemiddelde van Dordrecht."
D2 = "In 2043 is de woonomgeving in Dordt West zoveel mogelijk toekomstklaar op het gebied van duurzaamheid en klimaatbestendigheid."
D3 = "In 2043 zijn bewoners in Dordt West net zo tevreden over hun woning als bewoners elders in Dordrecht."
D4 = "In 2043 kunnen bewoners in Dordt West, ongeacht hun inkomen, een wooncarrière binnen de wijken maken."
D5 = ("In 2043 zijn woningen in Dordt West toekomstklaar gemaakt voor en aangesloten op een duurzame energiebron die voor "
      "de te onderscheiden buurt als beste kwalificeert.")
G1 = "In 2043 ligt de ervaren gezondheid van inwoners in Dordt West op het gemiddelde van Dordrecht."
G2 = ("In 2043 haalt 75% van de inwoners van Dordt West de beweegrichtlijn (dit is in lijn met het landelijk streven uit "
      "het Nationaal preventieakkoord).")
G3 = "In 2043 ligt het percentage bewoners dat de afgelopen 4 weken stress heeft ervaren in Dordt West onder de 15%."
G4 = "In 2043 is in Dordt West de betrokkenheid en verbondenheid met elkaar en de buurt verbeterd."
G5 = "In 2043 is in Dordt West het vertrouwen in de buurt, overheid, instanties en elkaar verbeterd."
L1 = ("In 2043 is de onderwijsdeelname van kinderen in Dordt West gelijk aan het gemiddelde van Dordrecht. "
      "(Afname schooluitval en -verzuim).")
L2 = ("In 2043 is het niveau van doorstromen naar het voortgezet onderwijs gelijk aan het gemiddelde van Dordrecht. "
      "(Uitstroom advies, zie monitor groeiagenda).")
L3 = ("In 2043 is het aantal jongeren tussen de 16 en 27 jaar met een startkwalificatie gegroeid en gelijk aan het "
      "gemiddelde van Dordrecht.")
A1 = "In 2043 is de SES-WOA score van inwoners in Dordt West gelijk aan het gemiddelde van Dordrecht."
A2 = "In 2043 is het percentage inwoners dat deelneemt aan de arbeidsmarkt gelijk aan het gemiddelde van Dordrecht."
A3 = ("In 2043 is het aantal jongeren met een afstand tot de arbeidsmarkt in Dordt West afgenomen en ligt op het "
      "gemiddelde van Dordrecht.")
A4 = "In 2043 is het aantal inwoners in Dordt West dat in armoede leeft gedaald met 70% t.o.v. 2015."
A5 = "In 2043 is het aantal inwoners in Dordt West dat in de bijstand zit gelijk aan het gemiddelde van Dordrecht."
A6 = ("In 2043 is het aantal huishoudens in Dordt West dat onder of rond het sociaal minimum zit gelijk aan het "
      "gemiddelde van Dordrecht.")
A7 = "In 2043 bereiken we met onze regelingen in het sociaal domein alle inwoners in Dordt West."
A8 = "In 2043 is het aantal inwoners in Dordt West met problematische schulden gedaald met 50% t.o.v. 2015."
V1 = ("In 2043 is het aantal jongeren tot 27 jaar in Dordt West dat in aanraking komt met de politie gelijk aan het "
      "gemiddelde van Dordrecht.")
V2 = "In 2043 is het totaal aantal misdrijven per 1.000 inwoners in Dordt West gelijk aan het gemiddelde van Dordrecht."
V3 = "In 2043 is de beleving van veiligheid in Dordt West gelijk aan het gemiddelde van Dordrecht."
V4 = "In 2043 scoort Dordt West op de Leefbaarometer gelijk aan het gemiddelde van Dordrecht."
V5 = ("In 2043 is het aantal E33 meldingen (personen met onbegrepen gedrag) in Dordt West gelijk aan het gemiddelde "
      "van Dordrecht.")
V6 = ("In 2043 is het aantal meldingen van overlast per 1.000 inwoners in Dordt West gelijk aan het gemiddelde van "
      "Dordrecht.")
K2 = ("Actielijn 2 - Verbeteren woningen en wijken: Afspraken maken over herstructurering, het aandeel sociale "
      "huurwoningen, de bouw van betaalbare woningen en verduurzamen van bestaande woningen.")
K4 = ("Actielijn 4 - Vergroten van de veiligheid: Geld inzetten voor de preventie van jeugdcriminaliteit, het versterken "
      "van de veerkracht van jongeren en van de professionals in het sociaal domein, en afgepakte goederen en middelen "
      "een publieke bestemming geven.")
BW = ("Buurtwerk Dordrecht, indicator 3: Het bereik tonen we aan door het aangeven van aantallen unieke "
      "personen/trajecten, directe verwijzingen of vraagafhandelingen, langdurige trajecten en bewonersinitiatieven "
      "(vrijwillige inzet).")

EQ, REL, MAX, MIN, BETTER, NONE = ("gelijk_aan_dordrecht", "relatieve_daling", "drempel_max", "drempel_min",
                                   "verbeteren", "geen_meetbaar_doel")
HB, LB, NEU = "hoger is beter", "lager is beter", "neutraal"
OCD_K = ("OCD", "OCD_kerncijfers_JJJJ.xlsx")
VM = ("OCD", "OCD_veiligheidsmonitor_JJJJ.xlsx")
GM = ("OCD", "OCD_gezondheidsmonitor_JJJJ.xlsx")
WM = ("OCD", "OCD_woonmonitor_JJJJ.xlsx")
POL_M = ("Politie", "POL_misdrijven_JJJJMM.csv; OCD_bevolking_JJJJ.csv")
POL_I = ("Politie", "POL_incidenten_JJJJMM.csv; OCD_bevolking_JJJJ.csv")
SDD_U = ("SDD", "SDD_uitkeringen_JJJJMM.csv; OCD_bevolking_JJJJ.csv")
BLIK = ("BLIK", "BLIK_registraties_JJJJ-Qn.csv")
WIJK = "wijk, gemeente"
ALL = "buurt, wijk, focusgebied, gemeente"
P, E, S, C = ("personen", "gebeurtenissen", "enquete", "samengesteld")

# code: (naam, pijler, goal, goal type, goal value, base year, unit, direction, (partner, file), kind,
#        holder/compiler, definition, area levels, disclosure class)
INDICATORS = {
    # --- Wonen en fysieke leefomgeving
    "lbm_bewoners": ("Leefbaarometer bewoners", W, D1, EQ, "", "", "index", HB, OCD_K, "samengesteld", "Leefbaarometer (BZK)", "Leefbaarometer-dimensie bewoners (samenstelling en sociale kenmerken), score rond 4.", WIJK, C),
    "vm_prettig_wonen": ("Prettig wonen in de buurt (rapportcijfer)", W, D1, EQ, "", "", "rapportcijfer", HB, VM, "enquete", "Veiligheidsmonitor", "Gemiddeld rapportcijfer (1-10) dat inwoners van 15 jaar en ouder hun buurt geven als woonbuurt.", WIJK, S),
    "lbm_fysieke_omgeving": ("Leefbaarometer fysieke omgeving", W, D1, EQ, "", "", "index", HB, OCD_K, "samengesteld", "Leefbaarometer (BZK)", "Leefbaarometer-dimensie fysieke omgeving.", WIJK, C),
    "vm_fysieke_voorzieningen": ("Fysieke voorzieningen (schaalscore)", W, D1, EQ, "", "", "schaalscore", HB, VM, "enquete", "Veiligheidsmonitor", "Schaalscore 0-10 over de staat van voorzieningen in de buurt (hoe hoger hoe beter).", WIJK, S),
    "vm_overlast_fysieke_verloedering": ("Veel overlast van fysieke verloedering (%)", W, D1, EQ, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage inwoners dat veel overlast ervaart van fysieke verloedering.", WIJK, S),
    "kpi_hittestress": ("KPI hittestress", W, D2, NONE, "", "", "index", LB, OCD_K, "samengesteld", "gemeente Dordrecht", "Kengetal hittestress van de woonomgeving (hoger is meer hittestress).", WIJK, C),
    "kpi_groen_pct": ("Groen in openbare ruimte en collectieve tuinen (%)", W, D2, NONE, "", "", "%", HB, OCD_K, "samengesteld", "gemeente Dordrecht", "Aandeel m² groen in openbare ruimte en collectieve tuinen van corporaties.", WIJK, C),
    "woz_gemiddeld": ("Gemiddelde WOZ-waarde (x 1.000 euro)", W, D3, EQ, "", "", "x 1.000 euro", NEU, WM, "samengesteld", "CBS / OCD woonmonitor", "Gemiddelde WOZ-waarde van woningen, in duizenden euro.", WIJK, C),
    "woningvoorraad_koop": ("Woningvoorraad: koopwoningen", W, D4, NONE, "", "", "aantal", NEU, OCD_K, "samengesteld", "CBS / corporaties", "Aantal koopwoningen (zoals gedrukt, met decimalen).", WIJK, C),
    "woningvoorraad_sociale_huur": ("Woningvoorraad: sociale huurwoningen", W, D4, NONE, "", "", "aantal", NEU, OCD_K, "samengesteld", "CBS / corporaties", "Aantal sociale huurwoningen.", WIJK, C),
    "woningvoorraad_huur": ("Woningvoorraad: overige huurwoningen", W, D4, NONE, "", "", "aantal", NEU, OCD_K, "samengesteld", "CBS", "Aantal huurwoningen buiten de sociale huur.", WIJK, C),
    "lbm_woningvoorraad": ("Leefbaarometer woningvoorraad", W, D4, NONE, "", "", "index", HB, OCD_K, "samengesteld", "Leefbaarometer (BZK)", "Leefbaarometer-dimensie woningvoorraad. Ook kernindicator Rijk (actielijn 2).", WIJK, C),
    "energielabel_efg_pct": ("Woningen met energielabel E t/m G (%)", W, K2, NONE, "", "", "%", LB, OCD_K, "samengesteld", "RVO / EP-online", "Percentage woningen met energielabel E, F of G. Kernindicator Rijk; gedrukt voor Dordrecht en Dordt West.", "focusgebied, gemeente", C),
    "energielabel_e": ("Woningen met energielabel E", W, D5, NONE, "", "", "aantal", LB, OCD_K, "samengesteld", "RVO / EP-online", "Aantal woningen met energielabel E.", WIJK, C),
    "energielabel_f": ("Woningen met energielabel F", W, D5, NONE, "", "", "aantal", LB, OCD_K, "samengesteld", "RVO / EP-online", "Aantal woningen met energielabel F.", WIJK, C),
    "energielabel_g": ("Woningen met energielabel G", W, D5, NONE, "", "", "aantal", LB, OCD_K, "samengesteld", "RVO / EP-online", "Aantal woningen met energielabel G.", WIJK, C),
    # --- Gezond en samen leven
    "gm_goed_ervaren_gezondheid": ("Goed ervaren gezondheid (%)", G, G1, EQ, "", "", "%", HB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen dat de eigen gezondheid als goed of zeer goed ervaart.", WIJK, S),
    "gm_regie_over_leven": ("Regie over het eigen leven (%)", G, G1, EQ, "", "", "%", HB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen met matig of veel regie over het eigen leven (ook gedrukt als 'lage draaglast').", WIJK, S),
    "jeugdzorg_pct": ("Jongeren met jeugdzorg (%)", G, G1, EQ, "", "", "%", LB, OCD_K, "samengesteld", "CBS", "Percentage jongeren tot 23 jaar met jeugdzorg (kernindicator Rijk gedrukt als 'aantal per 1000 23-minners' maar met %).", WIJK, P),
    "wmo_gebruik_per_1k": ("Gebruik Wmo (per 1.000 inwoners)", G, G1, EQ, "", "", "per 1.000 inwoners", NEU, OCD_K, "samengesteld", "CBS", "Inwoners met een Wmo-voorziening per 1.000 inwoners. Ook gedrukt bij pijler Arbeidsmarkt en bestaanszekerheid.", WIJK, P),
    "gm_beweegrichtlijn": ("Voldoet aan de beweegrichtlijn (%)", G, G2, MIN, "75", "", "%", HB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen en ouderen dat voldoet aan de beweegrichtlijn (2,5 uur per week matig intensief bewegen, 2 keer per week spier- en botversterkende activiteiten, balansoefeningen voor ouderen).", WIJK, S),
    "gm_wekelijkse_sporters": ("Wekelijkse sporters volwassenen (%)", G, G2, NONE, "", "", "%", HB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen dat wekelijks sport.", WIJK, S),
    "gm_angst_depressie": ("Hoog risico op angststoornis of depressie (%)", G, G3, NONE, "", "", "%", LB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage inwoners van 18 jaar of ouder met een hoog risico op een angststoornis of depressie.", WIJK, S),
    "gm_stress": ("(Heel) veel stress in de afgelopen 4 weken (%)", G, G3, MAX, "15", "", "%", LB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage inwoners van 18 jaar of ouder dat de afgelopen 4 weken (heel) veel stress heeft ervaren.", WIJK, S),
    "gm_eenzaam": ("Ernstig of zeer eenzaam (%)", G, G4, BETTER, "", "", "%", LB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen dat ernstig of zeer ernstig eenzaam is.", WIJK, S),
    "gm_mantelzorg": ("Mantelzorgers (%)", G, G4, BETTER, "", "", "%", HB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen dat mantelzorg geeft.", WIJK, S),
    "gm_vrijwilligers": ("Vrijwilligers (%)", G, G4, BETTER, "", "", "%", HB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen dat vrijwilligerswerk doet.", WIJK, S),
    "vm_sociale_cohesie": ("Sociale cohesie (schaalscore)", G, G4, BETTER, "", "", "schaalscore", HB, VM, "enquete", "Veiligheidsmonitor", "Schaalscore 0-10 voor sociale cohesie in de buurt (hoe hoger hoe beter).", WIJK, S),
    "vm_politie_functioneren_tevreden": ("(Zeer) tevreden over functioneren politie in de buurt (%)", G, G5, BETTER, "", "", "%", HB, VM, "enquete", "Veiligheidsmonitor", "Percentage (zeer) tevreden over het functioneren van de politie in de buurt.", WIJK, S),
    "vm_politie_functioneren_ontevreden": ("(Zeer) ontevreden over functioneren politie in de buurt (%)", G, G5, BETTER, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage (zeer) ontevreden over het functioneren van de politie in de buurt.", WIJK, S),
    "vm_politie_zichtbaarheid_tevreden": ("(Zeer) tevreden over zichtbaarheid politie in de buurt (%)", G, G5, BETTER, "", "", "%", HB, VM, "enquete", "Veiligheidsmonitor", "Percentage (zeer) tevreden over de zichtbaarheid van de politie in de buurt.", WIJK, S),
    "vm_politie_zichtbaarheid_ontevreden": ("(Zeer) ontevreden over zichtbaarheid politie in de buurt (%)", G, G5, BETTER, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage (zeer) ontevreden over de zichtbaarheid van de politie in de buurt.", WIJK, S),
    "vm_aanpak_gemeente_tevreden": ("(Zeer) tevreden over aanpak leefbaarheid en veiligheid door gemeente (%)", G, G5, BETTER, "", "", "%", HB, VM, "enquete", "Veiligheidsmonitor", "Percentage (zeer) tevreden met de aanpak van leefbaarheid en veiligheid door de gemeente.", WIJK, S),
    "vm_aanpak_gemeente_ontevreden": ("(Zeer) ontevreden over aanpak leefbaarheid en veiligheid door gemeente (%)", G, G5, BETTER, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage (zeer) ontevreden met de aanpak van leefbaarheid en veiligheid door de gemeente.", WIJK, S),
    # --- Leren en ontwikkelen
    "vsv_pct": ("Voortijdig schoolverlaters (%)", L, L1, EQ, "", "", "%", LB, OCD_K, "samengesteld", "DUO", "Percentage voortijdig schoolverlaters onder leerplichtigen/kwalificatieplichtigen.", WIJK, P),
    "citoscore": ("Citoscore", L, L2, EQ, "", "", "schaalscore", HB, OCD_K, "samengesteld", "DUO", "Gemiddelde score eindtoets basisonderwijs (Cito-schaal 501-550).", WIJK, C),
    "onderwijsachterstand_pct": ("Verwachte onderwijsachterstand (%)", L, L2, EQ, "", "", "%", LB, OCD_K, "samengesteld", "CBS", "Percentage basisschoolleerlingen met een verhoogd risico op een onderwijsachterstand.", WIJK, P),
    "schooladvies_mavo": ("Definitief schooladvies PO: mavo (%)", L, L2, EQ, "", "", "%", NEU, OCD_K, "samengesteld", "DUO", "Percentage leerlingen groep 8 met definitief schooladvies mavo (vmbo-t).", WIJK, P),
    "schooladvies_havo": ("Definitief schooladvies PO: havo (%)", L, L2, EQ, "", "", "%", NEU, OCD_K, "samengesteld", "DUO", "Percentage leerlingen groep 8 met definitief schooladvies havo.", WIJK, P),
    "schooladvies_vwo": ("Definitief schooladvies PO: vwo (%)", L, L2, EQ, "", "", "%", NEU, OCD_K, "samengesteld", "DUO", "Percentage leerlingen groep 8 met definitief schooladvies vwo.", WIJK, P),
    "zonder_startkwalificatie": ("18 t/m 30-jarigen zonder startkwalificatie (%)", L, L3, EQ, "", "", "%", LB, OCD_K, "samengesteld", "CBS / DUO", "Percentage inwoners van 18 t/m 30 jaar zonder startkwalificatie.", WIJK, P),
    "hoogopgeleid_18_30": ("Hoogopgeleide 18 t/m 30-jarigen (%)", L, L3, EQ, "", "", "%", HB, OCD_K, "samengesteld", "CBS", "Percentage hoogopgeleiden onder inwoners van 18 t/m 30 jaar.", WIJK, P),
    # --- Arbeidsmarkt en bestaanszekerheid
    "ses_woa": ("SES-WOA-score", A, A1, EQ, "", "", "index", HB, OCD_K, "samengesteld", "CBS", "Sociaal-economische status (welvaart, opleiding, arbeid); indexcijfer rond 0. Ook kernindicator Rijk (actielijn 3).", WIJK, C),
    "ses_woa_spreiding": ("Spreiding SES-WOA-scores", A, A1, NONE, "", "", "index", NEU, OCD_K, "samengesteld", "CBS", "Spreiding van de SES-WOA-scores van huishoudens.", WIJK, C),
    "arbeidsparticipatie": ("Arbeidsparticipatie (%)", A, A2, EQ, "", "", "%", HB, OCD_K, "samengesteld", "CBS", "Werkzame beroepsbevolking als percentage van de bevolking 15-75 jaar. Ook kernindicator Rijk (actielijn 3).", WIJK, P),
    "werkloosheid": ("Werkloosheid: niet-werkende werkzoekenden en uitkering sociale dienst (%)", A, A2, EQ, "", "", "%", LB, OCD_K, "samengesteld", "UWV / SDD", "Percentage van de bevolking van 15 jaar tot AOW-leeftijd (niet-werkende werkzoekenden; met uitkering sociale dienst). Let op: de gedrukte waarden zijn gelijk aan die van 'WW-uitkering'.", WIJK, P),
    "jongeren_afstand_arbeidsmarkt": ("Jongeren met een afstand tot de arbeidsmarkt (%)", A, A3, EQ, "", "", "%", LB, OCD_K, "samengesteld", "CBS", "Percentage jongeren (16-27) zonder werk en zonder onderwijs.", WIJK, P),
    "schuldsanering_per_1k": ("Personen in schuldsanering (per 1.000 inwoners)", A, A4, REL, "70", "2015", "per 1.000 inwoners", LB, ("SDD", "SDD_schuldhulp_JJJJMM.csv; OCD_bevolking_JJJJ.csv"), "register", "SDD", "Unieke personen met een lopend traject schuldsanering (Wsnp) in de periode per 1.000 inwoners op 1 januari.", ALL, P),
    "bijstand_per_1k": ("Inwoners met een bijstandsuitkering (per 1.000 inwoners)", A, A5, EQ, "", "", "per 1.000 inwoners", LB, SDD_U, "register", "SDD", "Unieke personen met een lopende PW-uitkering op de peildatum per 1.000 inwoners op 1 januari (eenheid niet gedrukt in Bijlage 3; de waarden passen bij per 1.000).", ALL, P),
    "ww_uitkering": ("Inwoners met een WW-uitkering", A, A8, REL, "50", "2015", "%", LB, OCD_K, "samengesteld", "UWV", "Inwoners met een WW-uitkering (eenheid niet gedrukt). Let op: de gedrukte waarden zijn gelijk aan die van 'Werkloosheidscijfers'.", WIJK, P),
    "huishoudens_onder_sociaal_minimum": ("Huishoudens onder het sociaal minimum (%)", A, A6, EQ, "", "", "%", LB, OCD_K, "samengesteld", "CBS", "Huishoudens met een inkomen onder het sociaal minimum als percentage van alle huishoudens (kernindicator Rijk).", WIJK, P),
    "huishoudens_rond_sociaal_minimum": ("Huishoudens onder of rond het sociaal minimum (%)", A, A6, EQ, "", "", "%", LB, OCD_K, "samengesteld", "CBS", "Huishoudens met een inkomen tot 120 % van het sociaal minimum als percentage van alle huishoudens.", WIJK, P),
    "huishoudens_laag_inkomen": ("Huishoudens met een laag inkomen (%)", A, A6, EQ, "", "", "%", LB, OCD_K, "samengesteld", "CBS", "Huishoudens met een laag inkomen als percentage van alle huishoudens.", WIJK, P),
    "gm_hoge_draagkracht": ("Geen moeite met rondkomen (hoge draagkracht, %)", A, A6, EQ, "", "", "%", HB, GM, "enquete", "GGD Gezondheidsmonitor", "Percentage volwassenen dat geen moeite heeft om maandelijks rond te komen.", WIJK, S),
    "sdd_bereik_bijzondere_bijstand": ("Bereik bijzondere bijstand (%)", A, A7, MIN, "100", "", "%", HB, ("SDD", "SDD_minimaregelingen_JJJJQn.csv; OCD_huishoudens_JJJJ.csv"), "register", "SDD", "Huishoudens met een toekenning bijzondere bijstand (jaar tot en met het kwartaal) als percentage van de huishoudens met een laag inkomen.", ALL, P),
    "sdd_bereik_persoonlijk_minimabudget": ("Bereik persoonlijk minimabudget (%)", A, A7, MIN, "100", "", "%", HB, ("SDD", "SDD_minimaregelingen_JJJJQn.csv; OCD_huishoudens_JJJJ.csv"), "register", "SDD", "Huishoudens met een toekenning persoonlijk minimabudget als percentage van de huishoudens met een laag inkomen.", ALL, P),
    "sdd_bereik_kwijtschelding": ("Bereik kwijtschelding gemeentelijke belastingen (%)", A, A7, MIN, "100", "", "%", HB, ("SDD", "SDD_minimaregelingen_JJJJQn.csv; OCD_huishoudens_JJJJ.csv"), "register", "SDD", "Huishoudens met kwijtschelding gemeentelijke belastingen als percentage van de huishoudens met een laag inkomen.", ALL, P),
    # --- Leefbaar en veilig
    "pol_verdachten_jong_per_1k": ("Aantal personen jonger dan 25 jaar verdacht van een delict (per 1.000 inwoners)", V, V1, EQ, "", "", "per 1.000 inwoners jonger dan 25", LB, ("Politie", "POL_verdachten_JJJJMM.csv; OCD_bevolking_JJJJ.csv"), "register", "Politie", "Unieke verdachten jonger dan 25 jaar naar woonbuurt, per 1.000 inwoners van 0 t/m 24 jaar. Bijlage 3 drukt de waarden als % bij een rijlabel 'per 1.000 inwoners'.", ALL, P),
    "vm_overlast_rondhangende_jongeren": ("Veel overlast van rondhangende jongeren (%)", V, K4, EQ, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage inwoners dat veel overlast ervaart van rondhangende jongeren (kernindicator Rijk).", WIJK, S),
    "risicoscore_jonge_aanwas": ("Risicoscore jonge aanwas drugscriminaliteit", V, V1, EQ, "", "", "index", LB, OCD_K, "samengesteld", "Politie / RIEC", "Risicoscore jonge aanwas in de drugscriminaliteit.", WIJK, C),
    "pol_misdrijven": ("Geregistreerde misdrijven", V, V2, NONE, "", "", "aantal", LB, ("Politie", "POL_misdrijven_JJJJMM.csv"), "register", "Politie", "Aantal geregistreerde misdrijven (zwaarste feit per registratie) naar buurt van de pleegplaats. Niet in Bijlage 3; telling onder de indicatoren per 10.000 inwoners.", ALL, E),
    "pol_hic_per_10k": ("High impact crimes (per 10.000 inwoners)", V, V2, EQ, "", "", "per 10.000 inwoners", LB, POL_M, "register", "Politie", "Woninginbraak, geweldsmisdrijven, straatroof en overval (CBS-soort 1.1.1, 1.4.1 t/m 1.4.7) per 10.000 inwoners op 1 januari.", ALL, E),
    "pol_straatroof_overval_per_10k": ("Straatroof en overval (per 10.000 inwoners)", V, V2, EQ, "", "", "per 10.000 inwoners", LB, POL_M, "register", "Politie", "CBS-soort 1.4.6 en 1.4.7 per 10.000 inwoners op 1 januari.", ALL, E),
    "pol_misdrijven_per_10k": ("Totaal misdrijven (per 10.000 inwoners)", V, V2, EQ, "", "", "per 10.000 inwoners", LB, POL_M, "register", "Politie", "Alle geregistreerde misdrijven per 10.000 inwoners op 1 januari.", ALL, E),
    "pol_geweld_per_10k": ("Geweldsmisdrijven (per 10.000 inwoners)", V, V2, EQ, "", "", "per 10.000 inwoners", LB, POL_M, "register", "Politie", "CBS-soort 1.4.1 t/m 1.4.5 per 10.000 inwoners op 1 januari.", ALL, E),
    "pol_woninginbraak_per_10k": ("Diefstal/inbraak woning (per 10.000 inwoners)", V, V2, EQ, "", "", "per 10.000 inwoners", LB, POL_M, "register", "Politie", "CBS-soort 1.1.1 per 10.000 inwoners op 1 januari.", ALL, E),
    "lbm_overlast_onveiligheid": ("Leefbaarometer overlast en onveiligheid", V, V4, EQ, "", "", "index", HB, OCD_K, "samengesteld", "Leefbaarometer (BZK)", "Leefbaarometer-dimensie overlast en onveiligheid. Ook kernindicator Rijk (actielijn 4).", WIJK, C),
    "vm_veiligheid_buurt": ("Veiligheid in de buurt (rapportcijfer)", V, V3, EQ, "", "", "rapportcijfer", HB, VM, "enquete", "Veiligheidsmonitor", "Gemiddeld rapportcijfer (1-10) voor de veiligheid in de buurt.", WIJK, S),
    "pol_e33_meldingen": ("E33 meldingen politie", V, V5, EQ, "", "", "aantal", LB, ("Politie", "POL_incidenten_JJJJMM.csv"), "register", "Politie", "Aantal incidenten met code E33 (overlast door persoon met verward gedrag). Een aantal: niet vergelijkbaar met het gemiddelde van Dordrecht zonder noemer.", ALL, E),
    "vm_overlast_buurtbewoners": ("Veel overlast van buurtbewoners (%)", V, V5, EQ, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage inwoners dat veel overlast ervaart van buurtbewoners.", WIJK, S),
    "vm_overlast_verwarde_personen": ("Veel overlast van verwarde personen (%)", V, V5, EQ, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage inwoners dat veel overlast ervaart van verwarde personen.", WIJK, S),
    "pol_overlast_per_10k": ("Melding overlast (per 10.000 inwoners)", V, V6, EQ, "", "", "per 10.000 inwoners", LB, POL_I, "register", "Politie", "Alle overlastincidenten per 10.000 inwoners op 1 januari (het doel spreekt van per 1.000; Bijlage 3 meet per 10.000).", ALL, E),
    "pol_aandeel_overlast_jeugd": ("Melding overlast jeugd (%)", V, V6, EQ, "", "", "%", LB, ("Politie", "POL_incidenten_JJJJMM.csv"), "register", "Politie", "Overlastincidenten 'overlast jeugd' als percentage van alle overlastincidenten.", ALL, E),
    "vm_sociale_overlast": ("Veel sociale overlast (%)", V, V6, EQ, "", "", "%", LB, VM, "enquete", "Veiligheidsmonitor", "Percentage inwoners dat veel sociale overlast ervaart.", WIJK, S),
    # --- Buurtwerk (uitvoering; seeds 000/001)
    "blik_bereik": ("Bereik Buurtwerk (unieke cliënten)", G, BW, NONE, "", "", "aantal", HB, BLIK, "uitvoering", "Buurtwerk Dordrecht", "Unieke cliënten (client_ref) met minstens één registratie in de periode.", WIJK, P),
    "blik_korte_vragen": ("Korte vragen Buurtwerk", G, BW, NONE, "", "", "aantal", NEU, BLIK, "uitvoering", "Buurtwerk Dordrecht", "Registraties van soort 'korte vraag' (directe vraagafhandelingen).", WIJK, E),
    "blik_individuele_dossiers": ("Individuele dossiers Buurtwerk", G, BW, NONE, "", "", "aantal", NEU, BLIK, "uitvoering", "Buurtwerk Dordrecht", "Registraties van soort 'individueel dossier'.", WIJK, E),
    "blik_collectieve_dossiers": ("Collectieve dossiers Buurtwerk", G, BW, NONE, "", "", "aantal", NEU, BLIK, "uitvoering", "Buurtwerk Dordrecht", "Registraties van soort 'collectief dossier'.", WIJK, E),
    "blik_deelnemers_collectief": ("Deelnemers collectief werk Buurtwerk", G, BW, NONE, "", "", "aantal", HB, BLIK, "uitvoering", "Buurtwerk Dordrecht", "Som van aantal_deelnemers van collectieve dossiers (geen unieke personen: contactmomenten).", WIJK, E),
    "blik_vrijwilligers": ("Actieve vrijwilligers Buurtwerk", G, BW, NONE, "", "", "aantal", HB, ("BLIK", "BLIK_vrijwilligers_JJJJ-Qn.csv"), "uitvoering", "Buurtwerk Dordrecht", "Vrijwilligers die ergens in het kwartaal actief waren.", WIJK, P),
    "blik_doorverwijzingen": ("Doorverwijzingen Buurtwerk", G, BW, NONE, "", "", "aantal", NEU, BLIK, "uitvoering", "Buurtwerk Dordrecht", "Registraties van soort 'doorverwijzing', naar partner.", WIJK, E),
}

DISCLOSURE = {
    P: "personen: aantallen 1-9 niet publiceren, overige aantallen afronden op 5; percentage/ratio alleen bij noemer >= 100",
    E: "gebeurtenissen: ratio alleen bij noemer (inwoners) >= 100; aantallen gebeurtenissen worden gepubliceerd",
    S: "enquete: alleen publiceren bij >= 30 respondenten (N)",
    C: "samengesteld door bronhouder: publiceren zoals geleverd; ratio alleen bij noemer >= 100 als teller/noemer bekend",
}


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "indicator_catalogus.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["indicator_code", "naam", "pijler", "operationeel_doel", "doel_type", "doel_waarde",
                    "doel_basisjaar", "eenheid", "richting", "bron_partner", "bron_bestand", "soort_bron",
                    "bronhouder", "definitie", "gebiedsniveaus", "onthullingsregel", "status", "status_datum",
                    "status_reden"])
        for code, (naam, pijler, doel, dtype, dval, dbase, unit, richting, (partner, bestand), soort, houder,
                   definitie, niveaus, klasse) in INDICATORS.items():
            w.writerow([code, naam, pijler, doel, dtype, dval, dbase, unit, richting, partner, bestand, soort, houder,
                        definitie, niveaus, DISCLOSURE[klasse], "actief", "", ""])
    print(out, len(INDICATORS))


if __name__ == "__main__":
    main()
