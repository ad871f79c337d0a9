"""Place finding and resolution (extractors.places) on hand-written sentences.

These use the gazetteer shipped in seeds/gazetteer/ (no network, nothing from ../shared).
"""

from __future__ import annotations

import re
import warnings

import pytest
import yaml

from extractors import SEEDS_DIR
from extractors.gazetteer import GazetteerData, _names_pattern, fold
from extractors.places import Location, get_gazetteer


@pytest.fixture(scope="module")
def gz():
    return get_gazetteer()


def locate_all(gz, text: str, **kw) -> Location | None:
    return gz.locate(text, 0, len(text), **kw)


# -- sites, demonyms, spellings ------------------------------------------------------------


def test_site_fills_admin1_and_country(gz):
    text = "Two mortar rounds landed near the Ain al-Asad air base, in Anbar province, an Iraqi officer said."
    loc = locate_all(gz, text)
    assert loc is not None
    assert loc.place.kind == "site"
    assert (loc.iso3, loc.admin1) == ("IRQ", "Al Anbar")
    assert loc.location == "Ain al-Asad Air Base"
    assert loc.geo_precision == 2  # "near" the base
    assert loc.latitude == pytest.approx(33.79, abs=0.05)


def test_site_written_with_lower_case_descriptor(gz):
    # a named site whose last words are a lower-case descriptor ("... gas field"), then its region
    text = "Mortar rounds were reported close to the Conoco gas field, in the Deir Ezzor province of Syria."
    loc = locate_all(gz, text)
    assert (loc.location, loc.iso3, loc.admin1) == ("Conoco gas field", "SYR", "Deir ez-Zor")


def test_demonym_signals_country_but_is_no_location(gz):
    text = "An Iraqi security source said the talks went well."
    assert gz.countries(text) == ["IRQ"]
    [hit] = gz.find(text)
    assert hit.surface == "Iraqi" and hit.candidates[0].iso3 == "IRQ"
    loc = locate_all(gz, text)
    assert (loc.iso3, loc.admin1, loc.geo_precision) == ("IRQ", None, 3)


@pytest.mark.parametrize("spelling", ["Deir Ezzor", "Deir ez-Zor", "Dayr az Zawr", "Deir el-Zour"])
def test_spelling_variants_of_a_region(gz, spelling):
    loc = locate_all(gz, f"Clashes were reported in {spelling} province on Monday.")
    assert (loc.iso3, loc.admin1, loc.place.kind) == ("SYR", "Deir ez-Zor", "admin1")


@pytest.mark.parametrize("spelling", ["Kiev", "Kyiv"])
def test_exonym_and_endonym_of_a_city(gz, spelling):
    loc = locate_all(gz, f"Drones struck {spelling} overnight.")
    assert (loc.iso3, loc.place.kind, loc.location) == ("UKR", "city", "Kyiv")


def test_article_variants_meet(gz):
    a = locate_all(gz, "Shelling hit Deir al-Balah on Tuesday.")
    b = locate_all(gz, "Shelling hit Deir el-Balah on Tuesday.")
    assert a.place == b.place and a.iso3 == "PSE"


# -- ambiguity resolved by context ---------------------------------------------------------


def test_same_town_name_in_two_countries_follows_the_named_country(gz):
    lbn = locate_all(gz, "Gunmen opened fire in Tripoli, Lebanon, on Sunday.")
    lby = locate_all(gz, "In Libya, rival militias clashed in Tripoli overnight.")
    assert lbn.iso3 == "LBN" and lby.iso3 == "LBY"
    assert lbn.location == lby.location == "Tripoli"


def test_same_town_name_follows_the_named_region(gz):
    pak = locate_all(gz, "Police dispersed protesters in Hyderabad, Sindh.")
    ind = locate_all(gz, "Police dispersed protesters in Hyderabad, Telangana.")
    assert (pak.iso3, pak.admin1) == ("PAK", "Sindh")
    assert (ind.iso3, ind.admin1) == ("IND", "Telangana")


def test_context_iso3_breaks_a_tie(gz):
    text = "A roadside bomb exploded in Hyderabad."
    assert locate_all(gz, text, context_iso3=["PAK"]).iso3 == "PAK"
    assert locate_all(gz, text, context_iso3=["IND"]).iso3 == "IND"


def test_unknown_village_takes_its_named_region(gz):
    text = "On 6 May 2020, rebel forces fired grenade launchers at positions near Kamianka, Donetsk."
    loc = locate_all(gz, text)
    assert (loc.location, loc.admin1, loc.iso3) == ("Kamianka", "Donetsk", "UKR")
    assert loc.geo_precision == 3  # coordinates are the region's


def test_unknown_village_with_an_arabic_article_takes_its_named_region(gz):
    loc = locate_all(gz, "Clashes in Bir al-Qasab (Rif Dimashq) killed two fighters on Monday.")
    assert (loc.location, loc.admin1, loc.iso3) == ("Bir al-Qasab", "Rural Damascus", "SYR")


def test_bracketed_district_and_region(gz):
    text = "Militants killed two teachers in Toulfe (Loroum, Nord)."
    loc = locate_all(gz, text)
    assert (loc.location, loc.admin1, loc.iso3) == ("Toulfe", "Nord", "BFA")


def test_unknown_place_before_a_town_of_another_country_than_its_namesakes(gz):
    # Trinidad's Valencia is too small for the gazetteer; Venezuela's and Spain's are not, but
    # the town it is said to be in lies in neither country.
    loc = locate_all(gz, "On 2 May 2020, in Valencia, Sangre Grande, a man was shot by police.")
    assert (loc.location, loc.iso3, loc.geo_precision, loc.strong) == ("Valencia", "TTO", 2, True)
    assert loc.place.name == "Sangre Grande"  # its coordinates stand in, near the place


def test_bracketed_unknown_district_then_known_one(gz):
    # "Ariel (Nassoumbou, Soum)": Nassoumbou is not in the gazetteer; Soum (Burkina Faso) is
    # where the text puts Ariel, so Ariel is not the town of that name in the West Bank.
    loc = locate_all(gz, "Gunmen raided cattle camps near Ariel (Nassoumbou, Soum) on Friday.")
    assert (loc.location, loc.admin1, loc.iso3) == ("Ariel", "Sahel", "BFA")


def test_country_possessive_names_the_container(gz):
    loc = locate_all(gz, "A drone struck a convoy in Syria's Idlib province.")
    assert (loc.iso3, loc.admin1) == ("SYR", "Idlib")


def test_main_country_beats_a_more_specific_foreign_name(gz):
    text = ("The Nigerian army bombarded insurgent camps in the Timbuktu triangle near Alagarno forest, "
            "Biu LGA (Borno).")
    loc = locate_all(gz, text)
    assert (loc.iso3, loc.admin1) == ("NGA", "Borno")


def test_span_limits_the_place_and_text_gives_context(gz):
    text = "Fighting continued in Kherson. Separately, a drone hit Odesa."
    second = text.index("Separately")
    assert gz.locate(text, second, len(text)).location == "Odesa"
    assert gz.locate(text, 0, second).location == "Kherson"


# -- what is not a place -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Strong nord-ouest winds were forecast for the weekend.",
        "He was hit by a car while he walked along the road, police said.",
        "Police said the man was taken to hospital.",
        "The NAF and the SMM issued statements.",
        "Said he would return in May.",
        "Col. Hasan Abdullahi met Justin Zongo on Monday.",
    ],
)
def test_words_that_are_also_town_names_are_not_places(gz, text):
    assert gz.find(text) == []
    assert locate_all(gz, text) is None


def test_mali_is_not_found_inside_somali(gz):
    text = "Somali forces said they had retaken the town."
    assert all(h.candidates[0].iso3 != "MLI" for h in gz.find(text))
    assert gz.countries(text) == ["SOM"]


def test_common_word_town_taken_with_its_region(gz):
    loc = locate_all(gz, "Mortars were fired at a checkpoint in Hit, Anbar.")
    assert (loc.location, loc.iso3, loc.admin1, loc.geo_precision) == ("Hit", "IRQ", "Al Anbar", 1)


def test_attributive_country_is_not_the_scene(gz):
    loc = locate_all(gz, "Iran-backed militias attacked a base in Syria.")
    assert loc.iso3 == "SYR"
    loc = locate_all(gz, "Rockets wounded five US troops at an outpost in Kuwait.")
    assert loc.iso3 == "KWT"


def test_nothing_named_gives_none(gz):
    assert locate_all(gz, "The meeting ended without agreement.") is None


def test_sea_has_no_country(gz):
    loc = locate_all(gz, "Pirates seized a fishing vessel in the Gulf of Aden.")
    assert (loc.location, loc.iso3, loc.place.kind) == ("Gulf of Aden", None, "water")


# -- find() output -------------------------------------------------------------------------


def test_offsets_and_longest_match(gz):
    text = "Rockets fell on Deir ez-Zor and Abu Kamal, near the Iraqi border."
    hits = gz.find(text)
    for h in hits:
        assert text[h.start : h.end] == h.surface
    surfaces = [h.surface for h in hits]
    assert surfaces == ["Deir ez-Zor", "Abu Kamal", "Iraqi"]  # not "Deir", "Abu", "Kamal"
    assert hits[0].start == text.index("Deir")


def test_candidates_keep_every_reading_best_first(gz):
    [hit] = [h for h in gz.find("Rockets hit Tripoli, Lebanon.") if h.surface == "Tripoli"]
    isos = [c.iso3 for c in hit.candidates]
    assert isos[0] == "LBN" and "LBY" in isos


def test_countries_most_frequent_first(gz):
    text = "Syrian officials said. Iraq closed the border; Iraq's army deployed near Mosul."
    assert gz.countries(text)[:2] == ["IRQ", "SYR"]


# -- the seed files ------------------------------------------------------------------------


def test_seed_files_load_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GazetteerData(SEEDS_DIR / "gazetteer")


def test_every_site_sits_in_a_known_region(gz):
    data = yaml.safe_load((SEEDS_DIR / "gazetteer" / "sites.yaml").read_text(encoding="utf-8"))
    for site in data["sites"]:
        assert -90 <= site["lat"] <= 90 and -180 <= site["lon"] <= 180, site["name"]
        if site.get("iso3"):
            assert site["iso3"] in gz.data.country_row, site["name"]
            assert (site["iso3"], fold(site["admin1"])) in gz.data.admin1_row, site["name"]


def test_dateline_is_where_the_reporter_is_not_the_scene(gz):
    text = "KYIV, Ukraine (AP) — Russian missiles struck Kharkiv early Monday, the governor said."
    loc = locate_all(gz, text)
    assert (loc.location, loc.iso3) == ("Kharkiv", "UKR")


def test_title_case_headline_abbreviation_is_an_adjective(gz):
    loc = locate_all(gz, "Strikes Against US Troops in Syria Raise Fears of Wider War")
    assert loc.iso3 == "SYR"


# -- document-level country evidence ---------------------------------------------------------


def test_country_before_the_word_border_is_a_neighbour_not_the_scene(gz):
    text = "Militants attacked a gendarmerie post near the Mali border in Djibasso, Kossi province."
    loc = locate_all(gz, text, context_iso3=tuple(gz.countries(text)))
    assert (loc.iso3, loc.location) == ("BFA", "Djibasso")


def test_small_namesake_abroad_is_dropped_when_the_text_names_another_country(gz):
    # "Inata" has a namesake in Japan; nothing in the text points there.
    text = "Miners protested in Inata after Burkinabe officials in Djibo closed the site, Burkina Faso media said."
    assert gz.countries(text) == ["BFA"]


def test_namesake_inside_its_named_region_is_kept(gz):
    # The town, not the country Panama: the region right after it holds a town of that name.
    text = "Villagers in Panama, Corrientes, protested against a new dam."
    loc = locate_all(gz, text, context_iso3=tuple(gz.countries(text)))
    assert (loc.iso3, loc.admin1, loc.location) == ("ARG", "Corrientes", "Panama")
    assert gz.countries(text)[0] == "ARG"


def test_countries_weigh_places_above_nationalities(gz):
    text = ("Ethiopian gunmen, said to be Ethiopian herders, raided Ethiopian-Kenyan grazing land "
            "near Moyale in Kenya.")
    assert gz.countries(text)[0] == "KEN"


# -- ACLED's region names -----------------------------------------------------------------------


def test_region_named_without_its_unit_word(gz):
    # GeoNames says "Central Region"; notes write "(Central)".
    loc = locate_all(gz, "Protesters gathered in Lilongwe (Central) after the court ruling.")
    assert (loc.iso3, loc.admin1, loc.location) == ("MWI", "Central Region", "Lilongwe")


@pytest.mark.parametrize("text, admin1", [
    ("Unknown gunmen attacked a checkpoint in Janzur (Aljfara) at dawn.", "Aljfara"),
    ("Shelling hit Tarhuna (Al Marqab) on Tuesday.", "Almargeb"),
    ("Two people were killed in clashes in Iztapalapa, Mexico City.", "Distrito Federal"),
])
def test_region_is_spelled_as_acled_spells_it(gz, text, admin1):
    assert locate_all(gz, text).admin1 == admin1


def test_acled_region_renames_name_existing_regions():
    data = yaml.safe_load((SEEDS_DIR / "gazetteer" / "aliases.yaml").read_text(encoding="utf-8"))
    gd = get_gazetteer().data
    for iso3, names in data["acled_admin1"].items():
        for old, new in names.items():
            assert (iso3, fold(new)) in gd.admin1_row, (iso3, old)
            assert (iso3, fold(old)) in gd.admin1_row, (iso3, old)


def _where(gz, text: str) -> tuple:
    loc = gz.locate(text, 0, len(text))
    return (loc.iso3, loc.admin1, loc.location) if loc else None


def test_small_town_put_as_the_scene_is_taken_when_no_country_competes(gz):
    # A town of ~4k people with no support but "near": the one country that has it.
    text = "Monitors counted 46 bursts of small-arms fire near Novoluhanske overnight."
    assert _where(gz, text)[:2] == ("UKR", "Donetsk")


def test_small_town_put_as_the_scene_is_not_taken_against_another_country(gz):
    text = "Officials in France said 46 bursts of fire were heard near Novoluhanske."
    assert _where(gz, text)[0] == "FRA"


def test_small_town_put_as_the_scene_is_not_taken_against_a_nationality(gz):
    # A nationality is weak evidence of where, but enough to withhold the benefit of the doubt.
    text = "Kenyan troops rescued two pupils near Novoluhanske."
    assert _where(gz, text)[0] != "UKR"


def test_reading_outside_the_named_container_loses(gz):
    # "Guaira" is a Paraguayan department and a town of Brazil's Parana: the comma says which.
    text = "On 5 May, in Guaira, Parana, federal police seized a ton of marijuana."
    assert _where(gz, text) == ("BRA", "Parana", "Guaira")


def test_french_particles_inside_a_name(gz):
    text = "On 3 June, in Port-au-Prince, Ouest department, a teacher was gunned down."
    assert _where(gz, text) == ("HTI", "Ouest", "Port-au-Prince")


@pytest.mark.parametrize(("text", "admin1"), [
    ("Soldiers beat market traders in Gulu town on Monday.", "Gulu"),  # Uganda: districts
    ("Students protested in Kasese over fees.", "Kasese"),
    ("Citizens protested in Belgrade, Serbia, against the government.", "Belgrade"),  # its own unit
    ("Citizens protested in Nis, Serbia, against the government.", "Central Serbia"),  # the rest not
    ("Students rallied in Subotica, Serbia, against the new law.", "Vojvodina"),
])
def test_admin1_where_acled_uses_districts(gz, text, admin1):
    assert _where(gz, text)[1] == admin1


def test_districts_promoted_to_admin1_are_regions_not_districts(gz):
    gul = gz.data.admin1_row.get(("UGA", "gulu"))
    assert gul is not None and gz.place(gul).kind == "admin1"
    assert ("UGA", "northern region") in gz.data.admin1_row  # the old regions still match text


def test_small_town_that_is_only_the_head_of_a_hyphenated_name_is_not_taken(gz):
    # "Novoluhanske-Yanga" is another place: the known part alone earns no benefit of the doubt.
    text = "Gunmen attacked the police station in Novoluhanske-Yanga on Monday."
    assert _where(gz, text) is None or _where(gz, text)[2] != "Novoluhanske"


# -- how strong the evidence for a country is (Location.strong) -------------------------------
# Callers that count incidents by country abstain on a weak location: a wrong country is worse
# for them than an unknown one. Each case pairs a weak reading with the strong one next to it.


def _second_sentence(gz, text: str) -> Location | None:
    start = text.index(". ") + 2
    return gz.locate(text, start, len(text))


def test_a_town_loses_its_country_to_a_region_the_text_names_elsewhere(gz):
    # The story is set in an Afghan province; a bare "Hyderabad" in it is no proof of India or
    # Pakistan, so the reading is kept but marked weak.
    weak = _second_sentence(gz, "Clashes spread across Helmand this week. Gunmen shot two farmers near Hyderabad.")
    assert weak is not None and weak.location == "Hyderabad" and not weak.strong
    alone = locate_all(gz, "Gunmen shot two farmers near Hyderabad.")
    assert alone is not None and alone.strong  # a large town, no rival country named


def test_a_large_unique_town_yields_to_a_named_region_but_not_to_another_town(gz):
    # "Tegucigalpa" has no namesake: a town named in passing elsewhere ("Los Angeles cemetery")
    # does not make it weak.
    text = "Residents of Tegucigalpa protested against burials in the Los Angeles cemetery."
    loc = gz.locate(text, 0, text.index(" protested"))
    assert loc is not None and loc.iso3 == "HND" and loc.strong


def test_a_country_named_as_the_one_that_speaks_is_weak_as_a_place(gz):
    said = locate_all(gz, "Turkey says its jets killed 12 militants.")
    assert said is not None and said.iso3 == "TUR" and not said.strong
    scene = locate_all(gz, "Twelve militants were killed in Turkey on Monday.")
    assert scene is not None and scene.iso3 == "TUR" and scene.strong
    coast = locate_all(gz, "A missile was downed off the coast of Libya.")
    assert coast is not None and coast.iso3 == "LBY" and coast.strong
    hit = locate_all(gz, "Yemen was hit by three air strikes on Monday.")  # the subject suffers: a scene
    assert hit is not None and hit.iso3 == "YEM" and hit.strong


def test_a_nationality_alone_is_weak_when_the_text_places_the_story_in_another_country(gz):
    text = "Raids have multiplied in northern Burkina Faso. A Malian patrol shot two herders on Sunday."
    loc = _second_sentence(gz, text)
    assert loc is not None and loc.iso3 == "MLI" and not loc.strong
    # with no other country named, the nationality is all there is: kept as strong
    alone = locate_all(gz, "A Malian patrol shot two herders on Sunday.")
    assert alone is not None and alone.iso3 == "MLI" and alone.strong


def test_a_nationality_that_qualifies_a_site_names_the_place(gz):
    text = "Raids have multiplied in southern Lebanon. Rockets hit an Israeli army base on Sunday."
    loc = _second_sentence(gz, text)
    assert loc is not None and loc.iso3 == "ISR" and loc.strong


def test_a_small_namesake_town_alone_in_the_text_is_weak(gz):
    # "Bor" is a town in South Sudan and in Russia (and more): nothing in the text says which.
    loc = locate_all(gz, "Gunmen attacked a police post in Bor on Monday.")
    assert loc is not None and not loc.strong
    # a container settles it
    tied = locate_all(gz, "Gunmen shelled Kamianka, Donetsk, on Monday.")
    assert tied is not None and tied.iso3 == "UKR" and tied.strong


# -- forces and groups tied to one country or a few ------------------------------------------


def test_a_force_of_one_country_names_its_country_where_no_place_is_named(gz):
    loc = locate_all(gz, "The OSCE SMM recorded 12 explosions near a checkpoint on Tuesday.")
    assert loc is not None and (loc.iso3, loc.admin1, loc.geo_precision) == ("UKR", None, 3) and loc.strong
    # unlike a nationality, it counts as naming the country for a story's unplaced incidents
    assert gz.place_countries("Koglweogo militiamen beat two herders on Friday.") == {"BFA"}
    assert gz.place_countries("Burkinabe soldiers beat two herders on Friday.") == set()


def test_a_namesake_town_abroad_yields_to_the_force_of_one_country(gz):
    # "Bor" alone is a namesake of several countries (weak); the militia says Burkina Faso.
    assert not locate_all(gz, "Gunmen attacked a police post in Bor on Monday.").strong
    loc = locate_all(gz, "Koglweogo militiamen killed two herders near Bor.")
    assert loc is not None and loc.iso3 == "BFA" and loc.strong


def test_a_town_outside_every_country_of_a_regional_group_is_weak(gz):
    # A Breton village no other country has is strong alone, not in a story about JNIM.
    assert locate_all(gz, "Gunmen abducted two traders in Plouha.").strong
    loc = locate_all(gz, "Suspected JNIM militants abducted two traders in Plouha.")
    assert loc is not None and not loc.strong


def test_a_regional_group_and_a_closing_qualifier_pick_the_district(gz):
    # "Bam" is an Iranian city and a province of Burkina Faso; the last name in the brackets is
    # a region, and the group named is active in Burkina Faso.
    assert locate_all(gz, "Gunmen burned a school in Wendou (Sabce, Bam) on Sunday.").iso3 != "BFA"
    text = "Militants of the Islamic State in the Greater Sahara burned a school in Wendou (Sabce, Bam) on Sunday."
    assert _where(gz, text) == ("BFA", "Centre-Nord", "Wendou")


# -- the region the text names as the container -----------------------------------------------


def test_a_town_outside_the_region_the_span_names_is_a_namesake(gz):
    # The gazetteer's Bhiwani is in Haryana; the note puts its Bhiwani in Bihar.
    text = "Police fired on protesters in Bhiwani village near Rajgir town (Nalanda, Bihar)."
    assert _where(gz, text)[:2] == ("IND", "Bihar")


def test_a_weak_town_yields_to_the_region_the_text_ties_it_to(gz):
    # "Hyderabad" here is a hamlet of Helmand, not the Indian or Pakistani city.
    text = "Militants attacked a police post in the Hyderabad area of Nahri Saraj district, Helmand."
    loc = locate_all(gz, text)
    assert (loc.iso3, loc.admin1) == ("AFG", "Helmand") and loc.strong


def test_an_unknown_village_takes_the_namesake_region_of_its_districts_country(gz):
    # Plateau is a state of Nigeria and a department of Benin; Bassa is a Nigerian LGA.
    assert _where(gz, "Gunmen burned houses in Ancha village (Bassa LGA, Plateau) overnight.")[:2] == ("NGA", "Plateau")


def test_a_misspelt_region_of_four_words_in_brackets(gz):
    loc = locate_all(gz, "Shells fell on a farm in Bir Ayyad (Al Jabl Al Gharbi) on Monday.")
    assert (loc.iso3, loc.admin1) == ("LBY", "Al Jabal Al Gharbi")


# -- nationalities only ----------------------------------------------------------------------


def test_the_nationality_of_the_victims_is_the_scene(gz):
    loc = locate_all(gz, "Armed Ugandan rustlers shot two Kenyan herders at a watering point.")
    assert loc is not None and loc.iso3 == "KEN"


def test_a_neighbour_named_at_the_border_is_not_the_scene(gz):
    loc = locate_all(gz, "Algerian soldiers fired on smugglers near the border with Mali.")
    assert loc is not None and loc.iso3 == "DZA"


# -- the place of a story, for incidents whose sentences name none ----------------------------


def test_story_place_is_the_one_place_of_the_text(gz):
    text = "On 3 June, in Tetecala, Morelos, a man was found shot dead. 1 fatality."
    loc = gz.story_place(text, "MEX")
    assert (loc.iso3, loc.admin1, loc.location) == ("MEX", "Morelos", "Tetecala") and loc.geo_precision == 2
    assert gz.story_place(text, "GTM") is None  # not the country asked for
    assert gz.story_place("Clashes hit Kandahar and Zabul provinces this week. Five died.", "AFG") is None


def test_actor_files_load_with_every_country_known(gz):
    data = yaml.safe_load((SEEDS_DIR / "gazetteer" / "aliases.yaml").read_text(encoding="utf-8"))
    for iso3 in data["actors"]:
        assert iso3 in gz.data.country_row
    for group in data["regional_actors"]:
        assert group["names"] and all(iso3 in gz.data.country_row for iso3 in group["iso3"])
    assert gz.data.actor_countries("Fighters of Jama'at Nusrat al-Islam wal-Muslimin") == {"MLI", "BFA", "NER"}


def test_equal_readings_of_a_region_go_to_the_more_populous(gz):
    # Nothing tells Nigeria's Plateau from Benin's but size.
    assert _where(gz, "Gunmen killed three farmers in Zangwol (Plateau) overnight.")[:2] == ("NGA", "Plateau")


def test_a_sea_inside_a_named_region_is_a_street_of_it(gz):
    loc = locate_all(gz, "A grenade hit a checkpoint at Red Sea junction in Hodan district (Hodan, Banadir).")
    assert loc is not None and loc.iso3 == "SOM"
    at_sea = locate_all(gz, "A tanker was attacked in the Red Sea off Hodeidah.")
    assert at_sea is not None and at_sea.place.kind == "water"


def test_every_force_name_matches_as_written(gz):
    # A name the scanner cannot match (a lower-case word inside it) would be dead data.
    data = yaml.safe_load((SEEDS_DIR / "gazetteer" / "aliases.yaml").read_text(encoding="utf-8"))
    for iso3, names in data["actors"].items():
        for name in names:
            text = f"On Monday, {name} fighters attacked a post."
            hits = [h for h in gz.find(text) if h.surface == name]
            assert hits and hits[0].candidates[0].iso3 == iso3, name
    for group in data["regional_actors"]:
        for name in group["names"]:
            assert gz.data.actor_countries(f"On Monday, {name} fighters attacked a post.") == set(group["iso3"]), name


def test_a_region_named_with_its_unit_word_is_no_namesake_district(gz):
    # Two districts of other states are also called Guerrero; "state" says which is meant.
    loc = locate_all(gz, "On 8 May, in Guerrero state, armed men burned two trucks.")
    assert (loc.iso3, loc.admin1, loc.place.kind) == ("MEX", "Guerrero", "admin1")


# -- where a named group operates, and acronyms of one country ----------------------------------


def test_a_village_in_several_regions_is_read_where_the_group_named_operates(gz):
    # Odesa's Serhiyivka is the bigger; the monitors of the contact line work in Donetsk and
    # Luhansk, where the smaller namesake lies.
    assert _where(gz, "Shelling was recorded near Serhiyivka on Tuesday.")[:2] == ("UKR", "Odesa")
    text = "Observers of the OSCE SMM recorded shelling near Serhiyivka on Tuesday."
    assert _where(gz, text)[:2] == ("UKR", "Donetsk")


def test_a_group_area_outweighs_a_bigger_namesake_town_elsewhere(gz):
    # Poltava's Molodizhne is a town of 44,000; the monitors' namesakes in Donetsk and Luhansk
    # are villages the national codifier lists without population.
    assert _where(gz, "Shelling was recorded near Molodizhne on Tuesday.")[:2] == ("UKR", "Poltava")
    where = _where(gz, "Observers of the OSCE SMM recorded shelling near Molodizhne on Tuesday.")
    assert where[0] == "UKR" and where[1] in ("Donetsk", "Luhansk")


def test_a_group_area_decides_between_two_regions_of_one_name(gz):
    # Saudi Arabia's Al Jawf province is the more populous; the Houthis fight in Yemen's
    assert _where(gz, "Houthi fighters attacked government positions in Al Jawf on Monday.")[:2] == ("YEM", "Al Jawf")


def test_a_sponsor_or_maker_adjective_is_no_evidence_of_the_scene(gz):
    # Mahmudabad: a town of India and three smaller ones of Iran; a nationality tips it, "Iran-backed"
    # (whose backing, by construction not where) does not
    assert _where(gz, "Iranian militias shelled positions near Mahmudabad on Monday.")[0] == "IRN"
    assert _where(gz, "Iran-backed militias shelled positions near Mahmudabad on Monday.")[0] != "IRN"


def test_a_region_word_in_brackets_does_not_unmake_a_town_the_text_supports(gz):
    # "West" alone is also a region of Cameroon (Ouest); "West Azarbaijan" is ACLED's spelling
    text = "Iranian border guards shot dead two porters near Sardasht (West Azarbaijan) on Monday."
    assert _where(gz, text) == ("IRN", "West Azerbaijan", "Sardasht")
    text = "Lebanese protesters blocked roads with burning tires in Tripoli (North) on Monday."
    assert _where(gz, text) == ("LBN", "North Lebanon", "Tripoli")


def test_a_unit_word_does_not_confirm_a_common_word_region_of_another_country(gz):
    # Ghana has a "Central" region; Bahrain's Sitra is what "Bahraini police" point to
    text = "Bahraini police dispersed a protest in Sitra (Central Governorate) with tear gas on Monday."
    assert _where(gz, text)[0] == "BHR"


def test_a_region_named_with_its_unit_word_is_also_the_region_stored_without_it(gz):
    # Uganda's admin1 is stored as "Central Region", Ghana's as "Central"; Cape Coast is Ghana's
    assert _where(gz, "Police dispersed a protest in Cape Coast, Central Region, on Monday.") == \
        ("GHA", "Central", "Cape Coast")


def test_a_district_seat_of_unknown_population_is_a_town(gz):
    # GeoNames gives Deou (Burkina Faso) no population; it is kept as a district seat and read
    # as a small town: taken where the text puts the act in it and no other country competes
    loc = locate_all(gz, "Militants attacked the gendarmerie in Deou on Monday.")
    assert (loc.iso3, loc.admin1, loc.location, loc.geo_precision) == ("BFA", "Sahel", "Deou", 1)


def test_group_areas_load_with_every_region_known(gz):
    data = yaml.safe_load((SEEDS_DIR / "gazetteer" / "aliases.yaml").read_text(encoding="utf-8"))
    for group in data["actor_areas"]:
        for iso3, regions in group["areas"].items():
            assert all((iso3, fold(r)) in gz.data.admin1_row for r in regions), (iso3, regions)
        for name in group["names"]:
            assert gz.data.actor_regions(f"On Monday, {name} fighters attacked a post."), name
    assert gz.data.actor_regions("Gunmen attacked a post.") == frozenset()


def test_a_three_letter_party_of_one_country_names_it_while_other_acronyms_do_not(gz):
    loc = locate_all(gz, "Supporters of the ODM clashed with police at a market on Tuesday.")
    assert loc is not None and loc.iso3 == "KEN"
    assert locate_all(gz, "The NAF fired mortars at a market on Tuesday.") is None


def test_the_short_name_of_a_two_part_county_names_it(gz):
    # "Marakwet" is how news names Kenya's Elgeyo-Marakwet county.
    assert _where(gz, "Bandits stole 200 cattle in Marakwet on Tuesday.")[:2] == ("KEN", "Elgeyo-Marakwet")


# -- Ukrainian villages from the national codifier (no coordinates, no population) -------------


def test_a_small_ukrainian_village_is_taken_where_the_group_named_operates(gz):
    # Adrianopil (Luhansk) has a few hundred people: GeoNames' packaged files lack it.
    loc = locate_all(gz, "Observers of the OSCE SMM heard explosions near Adrianopil on Sunday.")
    assert (loc.iso3, loc.admin1, loc.location) == ("UKR", "Luhansk", "Adrianopil")
    # the codifier gives no coordinates: the region's, at region precision
    assert loc.geo_precision == 3 and loc.latitude == pytest.approx(48.6, abs=1.0)


def test_a_codifier_village_alone_is_no_place(gz):
    # No population and no support: a name like it is too weak to stand by itself.
    assert locate_all(gz, "Gunmen attacked a shop in Adrianopil on Sunday.") is None


def test_ukrainian_names_are_romanised_as_ukraine_does_and_as_news_also_writes(gz):
    import sys

    sys.path.insert(0, str(SEEDS_DIR.parent / "scripts"))
    from build_gazetteer import romanise_uk

    assert romanise_uk("Водяне") == "Vodiane" and romanise_uk("Водяне", y_forms=True) == "Vodyane"
    assert romanise_uk("Юр’ївка") == "Yurivka" and romanise_uk("Згурівка") == "Zghurivka"
    assert romanise_uk("Калинове-Борщувате") == "Kalynove-Borshchuvate"


_BODIES = [
    "BEIRUT (Reuters) - Israeli strikes hit Nabatieh, south Lebanon, and Tyre on Monday.",
    "Of the attacks near Kamianka, Donetsk, two hit Col. Hasan's post in Deir ez-Zor's countryside.",
    "GUNMEN KILLED FIVE IN MAIDUGURI, BORNO STATE, ON TUESDAY.",
    "Clashes in Ghazni city and Anbar province; the U.S. embassy in Kabul said (Zimtanga, Bam).",
]
_TITLES = ["", "Attack in Kabul,", "President", "Gen.", "KYIV", "Clashes near Donetsk (", "Province of", "MALI"]


@pytest.mark.parametrize("body", _BODIES)
def test_title_and_body_scan_as_one_text(gz, body):
    """`Gazetteer._scan` reuses a body's tokens and name spans for "title\\nbody" (issue #7): the
    result is what scanning the joined text afresh gives, whatever the title and its case."""
    from extractors.place_scan import scan

    for title in _TITLES:
        for text in (f"{title}\n{body}", f"{title}\n{body.upper()}", f"{title.upper()}\n{body.lower()}"):
            gz._pieces.clear()
            gz._scan(body)  # the body first, as `locate` may
            assert gz._scan.__wrapped__(gz, text) == scan(gz.data, text)
            gz._pieces.clear()
            assert gz._scan.__wrapped__(gz, text) == scan(gz.data, text)
            # then the body alone (as `code_incidents` does): its tokens, made in the joined text, moved back
            tail = text[text.index("\n") + 1:]
            assert gz._scan.__wrapped__(gz, tail) == scan(gz.data, tail)


def test_tokens_cut_words_and_joins():
    from extractors.gazetteer import tokens

    toks = tokens("  Syria's Deir ez-Zor, U.S. St. Petersburg__Kam'yanka\nN'Djamena.")
    assert [(t.text, t.norm, t.joins_next) for t in toks] == [
        ("Syria", "syria", False), ("Deir", "deir", True), ("ez", "ez", True), ("Zor", "zor", False),
        ("U", "u", True), ("S", "s", True), ("St", "st", True), ("Petersburg", "petersburg", False),
        ("Kam'yanka", "kamyanka", False), ("N'Djamena", "ndjamena", False),
    ]
    assert [(t.start, t.end) for t in toks][:2] == [(2, 7), (10, 14)]
    moved = tokens("  Syria's Deir ez-Zor, U.S. St. Petersburg__Kam'yanka\nN'Djamena.", 5)
    assert [(t.start, t.end) for t in moved][:2] == [(7, 12), (15, 19)]
    assert [t[2:] for t in moved] == [t[2:] for t in toks]


@pytest.mark.parametrize("names", [["JNIM", "Katiba Macina", "Jama'at Nusrat al-Islam"], ["Al-Shabaab", "al Shabaab"],
                                   ["IS", "ISWAP"], ["9th Brigade", "Wagner"]])
def test_a_group_pattern_matches_its_names_as_whole_words_only(names: list[str]) -> None:
    # the same spans as the plain whole-word alternation, whatever stands around a name
    plain = re.compile(r"(?<!\w)(?:" + "|".join(r"[-\s]+".join(re.escape(w) for w in re.split(r"[-\s]+", n))
                                                for n in names) + r")(?!\w)")
    fast = _names_pattern(names)
    texts = [f"{a}{n.replace(' ', sep)}{b}" for n in names for sep in (" ", "-", "  ")
             for a in ("", "x", "_", " ", "\n", "\u00e9", "1") for b in ("", "s", " ", "'s", "_", "-x", ".")]
    for text in [*texts, "the ISIS base", "ISWAP and IS fighters", "Katiba  Macina", "no group here"]:
        assert ((m := fast.search(text)) and m.span()) == ((p := plain.search(text)) and p.span()), text
