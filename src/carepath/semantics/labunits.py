"""Lab unit spellings as clinicians, analysers and FHIR servers write them → the unit text carepath reads.

One table, used wherever a unit is read (protocol literals, records, data maps, FHIR quantities), so `G/L`
is 10⁹ per litre and `K/uL` 10³ per microlitre, never gauss or kelvin. A spelling is first normalised
(spaces dropped, `×` as `x`, `µ`/`μ`/`mc` as `u`, superscript digits as `^n`), then looked up; a spelling
the table does not list goes on to the ordinary unit reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_POWER = re.compile(r"10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_MICRO = re.compile(r"(?<![A-Za-z])(?:µ|μ|mc)(?=[LlgM])")

# normalised spelling → unit text the unit reader understands (UCUM where UCUM has one)
_TABLE: dict[str, str] = {}


def _add(target: str, *spellings: str) -> None:
    for spelling in spellings:
        _TABLE[spelling] = target


# 10⁹ per litre: leukocytes, neutrophils, platelets as most European and Korean labs report them
_add("10*9/L", "G/L", "Giga/L", "giga/L", "x10^9/L", "X10^9/L", "10^9/L", "x10E9/L", "10E9/L", "x10*9/L", "10*9/L", "e9/L", "x10e9/L")
# 10³ per microlitre (= 10⁹/L): analysers' and US labs' spelling
_add("10*3/uL", "K/uL", "k/uL", "K/ul", "k/ul", "x10^3/uL", "X10^3/uL", "10^3/uL", "x10E3/uL", "10E3/uL", "x10*3/uL", "10*3/uL",
     "thou/uL", "K/mm3", "k/mm3", "x10^3/mm3", "10^3/mm3", "10*3/mm3")
# 10¹² per litre and 10⁶ per microlitre: erythrocytes
_add("10*12/L", "T/L", "x10^12/L", "10^12/L", "x10E12/L", "10*12/L")
_add("10*6/uL", "M/uL", "x10^6/uL", "10^6/uL", "x10E6/uL", "10*6/uL")
# cells per microlitre
_add("/uL", "/uL", "/ul", "cells/uL", "cells/ul", "/mm3", "cells/mm3", "/cumm", "{cells}/uL")
# mass concentrations (drug levels)
_add("ug/L", "ug/L", "ug/l", "ng/mL", "ng/ml")
_add("ug/mL", "ug/mL", "ug/ml")
_add("mg/L", "mg/L", "mg/l")
_add("mg/dL", "mg/dL", "mg/dl")
_add("g/dL", "g/dL", "g/dl")
_add("%", "%", "percent", "pct")

#: Every accepted lab spelling (normalised) → the unit text it stands for.
LAB_SPELLINGS: Mapping[str, str] = MappingProxyType(dict(_TABLE))

#: Spellings shown in "did you mean" and in the docs: the forms people type, one or more per unit.
SHOWN_SPELLINGS: tuple[str, ...] = (
    "10*9/L", "G/L", "x10^9/L", "10*3/uL", "K/uL", "x10^3/uL", "10*12/L", "10*6/uL", "/uL", "cells/uL", "/mm3",
    "ug/L", "mcg/L", "ng/mL", "ug/mL", "mg/L", "mg/dL", "g/dL", "%",
)


def normalise(text: str) -> str:
    """A spelling with the differences that never change its meaning taken out: spaces, `×`, micro signs, superscripts."""
    plain = text.strip().replace(" ", "").replace("×", "x").replace("·", ".")
    plain = _POWER.sub(lambda match: "10^" + match.group(1).translate(_SUPERSCRIPTS), plain)
    plain = plain.translate(_SUPERSCRIPTS)
    plain = _MICRO.sub("u", plain)
    return plain


def lab_unit(text: str) -> str | None:
    """The unit text a lab spelling stands for, or None when the table does not list it."""
    return LAB_SPELLINGS.get(normalise(text))
