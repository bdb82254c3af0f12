"""Normalising names so that spellings of one name compare equal.

Three levels, from strict to loose:

- `fold`: the key every alias is indexed under. Diacritics, case, spaces,
  hyphens and punctuation go, so "Shahed 136" = "Shahed-136" = "shahed136"
  and "Türkiye" = "Turkiye". Designations keep every digit and letter, so
  "Shahed-131" never folds onto "Shahed-136".
- `sound_key`: for people and places only, a rough transliteration key
  that also merges the spellings Persian, Arabic and Russian names pick up
  in English ("Kioumars"/"Kiumars", "Heydari"/"Heidari",
  "Abdollahian"/"Abdolahian"). Never used for designations.
- `slug`: the id form of a name, as SPEC section 1 defines it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b|(?<=s)['’](?=\s|$)")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The lookup key of a name: ASCII, lower case, letters and digits only."""
    return _NOT_ALNUM.sub("", unidecode(text).lower())


def strip_article(text: str) -> str:
    """'the Kremlin' -> 'Kremlin'; other names unchanged."""
    return _LEADING_THE.sub("", text.strip())


def strip_possessive(text: str) -> str:
    """"Iran's" -> "Iran", "the Houthis'" -> "the Houthis"."""
    return _POSSESSIVE.sub("", text).strip()


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'Bayraktar TB2' -> 'bayraktar-tb2'."""
    text = strip_possessive(strip_article(text))
    return _NOT_ALNUM.sub("-", unidecode(text).lower()).strip("-")


# Ordered rewrites that merge common English renderings of Persian, Arabic,
# Russian and Ukrainian names. Order matters: digraphs first, then vowels.
_SOUND_REWRITES: tuple[tuple[str, str], ...] = (
    ("kh", "h"),
    ("gh", "g"),
    ("q", "g"),
    ("ck", "k"),
    ("c", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("dh", "z"),
    ("zh", "j"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ey", "i"),
    ("ei", "i"),
    ("ay", "ai"),
    ("y", "i"),
    ("ii", "i"),
    ("e", "a"),  # Mehdi/Mahdi, Heydari/Haydari, Dmytro/Dmitro (after y->i)
    ("o", "u"),  # Mohammad/Muhammad, Mirzo/Mirzu
)
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def sound_key(text: str) -> str:
    """A loose key for transliterated names; see the module docstring."""
    key = fold(text)
    for old, new in _SOUND_REWRITES:
        key = key.replace(old, new)
    return _DOUBLED.sub(r"\1", key)


def name_words(text: str) -> list[str]:
    """The words of a person's name, hyphenated parts kept together."""
    return [w for w in re.split(r"[\s,]+", unidecode(text).strip()) if w and fold(w)]


def is_acronym(name: str) -> bool:
    """'US', 'U.S.', 'IRGC', 'NATO': two to five letters, all capitals."""
    letters = [c for c in name if c.isalpha()]
    return 2 <= len(letters) <= 5 and all(c.isupper() for c in letters) and len(name.replace(".", "")) <= 6


def case_compatible(surface: str, name: str, strict: bool = False) -> bool:
    """Whether text written as `surface` can be the catalogue name `name`.

    An acronym must be written in capitals ("us" is not "US"). With `strict`
    (used on running text), a capitalised name written all in lower case is
    refused too ("turkey", "grad", "spike"), unless the name has digits.
    """
    if is_acronym(name):
        letters = [c for c in surface if c.isalpha()]
        if len(letters) > 2 and surface.endswith("s") and not name.endswith("s"):
            letters = letters[:-1]  # a plural: "TB2s", "MRAPs"
        return all(c.isupper() for c in letters)
    if strict and any(c.isupper() for c in name) and not any(c.isdigit() for c in name):
        return any(c.isupper() for c in surface)
    return True
