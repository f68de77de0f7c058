#!/usr/bin/env python3
"""Regenerate the reference data in Resources/Reference/ from Unicode CLDR.

How to run (from the repository root):

    pip install --break-system-packages babel==2.19.0   # the version the files were made with
    python3 scripts/reference/generate.py                # rewrites countries.json and languages.json
    python3 scripts/reference/generate.py --check        # exits 1 if a file differs from what it
                                                         # would write, or municipalities.json is malformed

What it writes:
  * Resources/Reference/countries.json  - ISO 3166-1 alpha-2 code -> name in nb and en (CLDR), plus
    XK (Kosovo, CLDR) and XX (stateless, added by hand).
  * Resources/Reference/languages.json  - ISO 639-1 / 639-2/3 language code -> name in nb and en
    (CLDR), plus a few codes CLDR does not name that are needed for refugees in Norway.

Resources/Reference/municipalities.json is NOT generated: no package on PyPI or in Debian ships the
2024 municipality list (classification 131 from Statistics Norway). It was written by hand from the
sources named in its "source" field; --check only validates its shape (357 unique four-digit numbers,
county = first two digits, sorted).

Output is deterministic: keys are sorted, UTF-8, two-space indent, trailing newline. A different
babel version gives a different CLDR version and possibly different names; the "source" field records
which one was used.
"""

import argparse
import json
import sys
from pathlib import Path

import babel
from babel import Locale
from babel.core import get_cldr_version

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Resources" / "Reference"
BABEL_VERSION_USED = "2.19.0"

# --- countries ---------------------------------------------------------------------------------

# Two-letter CLDR territory codes that are not ISO 3166-1 country codes. CLDR names them, but they
# do not belong in a country-of-birth / citizenship list. (Checked against Debian's iso-codes 4.15.0
# iso_3166-1.json: CLDR 49 has all 249 assigned ISO codes, plus exactly these and XK and ZZ.)
NOT_COUNTRIES = {
    "EU": "European Union (CLDR grouping)",
    "EZ": "Eurozone (CLDR grouping)",
    "UN": "United Nations (CLDR grouping)",
    "QO": "Outlying Oceania (CLDR private-use grouping)",
    "XA": "Pseudo-Accents (CLDR pseudo-locale)",
    "XB": "Pseudo-Bidi (CLDR pseudo-locale)",
    "AC": "Ascension Island (ISO 3166-1 exceptionally reserved, part of SH)",
    "CP": "Clipperton Island (ISO 3166-1 exceptionally reserved, part of FR)",
    "CQ": "Sark (ISO 3166-1 exceptionally reserved, part of GG)",
    "DG": "Diego Garcia (ISO 3166-1 exceptionally reserved, part of IO)",
    "EA": "Ceuta & Melilla (ISO 3166-1 exceptionally reserved, part of ES)",
    "IC": "Canary Islands (ISO 3166-1 exceptionally reserved, part of ES)",
    "TA": "Tristan da Cunha (ISO 3166-1 exceptionally reserved, part of SH)",
    "ZZ": "Unknown Region (CLDR)",
}

COUNTRY_ADDITIONS = {
    "XX": {"nb": "Statsløs", "en": "Stateless"},
}

COUNTRY_NOTES = [
    "Codes are ISO 3166-1 alpha-2. Names come from CLDR's nb and en locales, unchanged.",
    "XK (Kosovo) is an ISO 3166-1 user-assigned code, not an officially assigned one. CLDR names it "
    "and it is widely used, so it is included.",
    "XX is an ISO 3166-1 user-assigned code (XA-XZ are reserved for user assignment). It is not in "
    "CLDR. It was added by hand and means stateless (nb 'Statsløs', en 'Stateless').",
    "The Norwegian population register and UDI use ISO 3166-1 alpha-3, and they add three "
    "extensions: XXX = statsløs, XUK = ukjent, XXK = Kosovo (domstolene/ESAS kodeverk/land/"
    "readme.md). So an alpha-2 XX here corresponds to alpha-3 XXX there, and XK corresponds to XXK. "
    "Map between them when exchanging data.",
    "Left out on purpose, because CLDR names them but they are not country codes: "
    + ", ".join(f"{code} ({why})" for code, why in sorted(NOT_COUNTRIES.items())) + ".",
]

# --- languages ---------------------------------------------------------------------------------

# ISO 639 special-purpose codes that CLDR names but that are not languages.
NOT_LANGUAGES = {
    "mul": "multiple languages",
    "und": "undetermined",
    "zxx": "no linguistic content",
}

# Codes CLDR 49 does not name in both nb and en, but that are needed for refugees and other
# residents of Norway. The "why" text goes into the file's notes.
LANGUAGE_ADDITIONS = {
    "prs": ({"nb": None, "en": None}, "Dari. Names are CLDR's names for the locale fa_AF (nb 'dari', "
            "en 'Dari'). CLDR treats Dari as Persian (fa) spoken in Afghanistan, but ISO 639-3 and "
            "Norwegian services use prs."),
    "kmr": ({"nb": "nordkurdisk", "en": "Northern Kurdish"}, "Northern Kurdish (Kurmanji). The en "
            "name is the ISO 639-3 reference name, and the nb name follows CLDR's pattern for ckb "
            "'sentralkurdisk' and sdh 'sørkurdisk'. CLDR's own 'ku' (kurdisk/Kurdish) is the "
            "macrolanguage, and in CLDR data it means Kurmanji."),
    "haz": ({"nb": "hazaragi", "en": "Hazaragi"}, "Hazaragi. The en name is the ISO 639-3 reference "
            "name, and the nb name was added by hand."),
    "fkv": ({"nb": "kvensk", "en": "Kven Finnish"}, "Kven, a national minority language of Norway. The en "
            "name is the ISO 639-3 reference name, and the nb name was added by hand."),
}


def source_string():
    return f"Unicode CLDR {get_cldr_version()} via babel {babel.__version__}"


def build_countries():
    nb, en = Locale("nb"), Locale("en")
    names = {}
    for code, en_name in en.territories.items():
        if len(code) != 2 or not code.isalpha() or code in NOT_COUNTRIES:
            continue
        nb_name = nb.territories.get(code)
        if not nb_name:
            raise SystemExit(f"CLDR nb has no name for territory {code}")
        names[code] = {"nb": nb_name, "en": en_name}
    for code, entry in COUNTRY_ADDITIONS.items():
        if code in names:
            raise SystemExit(f"{code} is now in CLDR; review COUNTRY_ADDITIONS")
        names[code] = dict(entry)
    return {
        "source": source_string(),
        "license": "Unicode License v3 (CLDR data)",
        "notes": COUNTRY_NOTES,
        "names": dict(sorted(names.items())),
    }


def build_languages():
    nb, en = Locale("nb"), Locale("en")
    names, no_nb = {}, []
    for code, en_name in en.languages.items():
        # Plain language subtags only: 2 letters (ISO 639-1) or 3 letters (639-2/639-3). Skips
        # locale-qualified entries such as ar_001, fa_AF, zh_Hant.
        if "_" in code or len(code) not in (2, 3) or not code.isalpha() or code in NOT_LANGUAGES:
            continue
        nb_name = nb.languages.get(code)
        if not nb_name:
            no_nb.append(code)
            continue
        names[code] = {"nb": nb_name, "en": en_name}
    supplemented = {}
    for code, (entry, why) in LANGUAGE_ADDITIONS.items():
        if code in names:
            raise SystemExit(f"{code} is now in CLDR; review LANGUAGE_ADDITIONS")
        entry = dict(entry)
        if code == "prs":
            entry = {"nb": nb.languages["fa_AF"], "en": en.languages["fa_AF"]}
        names[code] = entry
        supplemented[code] = why
    notes = [
        "Codes are CLDR language subtags: ISO 639-1 where one exists (e.g. ar, so, ti, uk), otherwise "
        "ISO 639-2/639-3 (e.g. ckb, tig). Names are CLDR's nb and en names, unchanged. The nb names "
        "are lower-case as in Norwegian prose ('arabisk'), except where CLDR capitalises a proper "
        "noun (vmf 'Main-frankisk').",
        "Kurdish: ku = Kurdish (CLDR's ku means Kurmanji), ckb = Central Kurdish (Sorani), sdh = "
        "Southern Kurdish, kmr = Northern Kurdish (Kurmanji, added by hand).",
        "Left out because they are not languages: "
        + ", ".join(f"{c} ({w})" for c, w in sorted(NOT_LANGUAGES.items())) + ".",
        "Left out because CLDR has an en name but no nb name: " + ", ".join(sorted(no_nb)) + ".",
    ]
    return {
        "source": source_string(),
        "license": "Unicode License v3 (CLDR data)",
        "notes": notes,
        "supplemented": dict(sorted(supplemented.items())),
        "names": dict(sorted(names.items())),
    }


def render(obj):
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def check_municipalities(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data["municipalities"]
    numbers = [r["number"] for r in rows]
    problems = []
    if len(rows) != 357:
        problems.append(f"{len(rows)} municipalities, expected 357")
    if len(set(numbers)) != len(numbers):
        problems.append("duplicate numbers")
    if numbers != sorted(numbers):
        problems.append("not sorted by number")
    for r in rows:
        if not (len(r["number"]) == 4 and r["number"].isdigit()):
            problems.append(f"bad number {r['number']!r}")
        if r.get("county") != r["number"][:2]:
            problems.append(f"{r['number']}: county {r.get('county')!r}")
        if r.get("county") not in data.get("counties", {}):
            problems.append(f"{r['number']}: county {r.get('county')!r} not in counties")
        if not r.get("name"):
            problems.append(f"{r['number']}: empty name")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare, write nothing")
    args = ap.parse_args()
    if babel.__version__ != BABEL_VERSION_USED:
        print(f"warning: babel {babel.__version__}, the files were made with {BABEL_VERSION_USED}",
              file=sys.stderr)
    outputs = {"countries.json": build_countries(), "languages.json": build_languages()}
    failed = False
    for name, obj in outputs.items():
        path, text = OUT / name, render(obj)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path.relative_to(ROOT)} is out of date", file=sys.stderr)
                failed = True
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}: {len(obj['names'])} entries ({obj['source']})")
    muni = OUT / "municipalities.json"
    if muni.exists():
        problems = check_municipalities(muni)
        for p in problems:
            print(f"municipalities.json: {p}", file=sys.stderr)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
