"""The playbook's canonical form is RFC 8785 (JCS), checked against the RFC and a peer.

A verifier written in another language recomputes a playbook's content hash
with its own JCS implementation; these tests hold custtier to the RFC's
published examples and, when the ``jcs`` package (a port of the RFC
author's reference code) is installed, to its output.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as cst
from custtier import Playbook, presets
from custtier._jcs import MAX_SAFE_INTEGER, NotCanonicalError, canonical_json
from custtier.errors import PlaybookError

PRESETS = [presets.PRACTICE, presets.REGULATORY]


def test_the_rfcs_worked_example() -> None:
    # RFC 8785, section 3.2.2 (input) and 3.2.3 (output).
    text = r"""{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"""
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(text)) == expected


def test_members_sort_by_utf16_code_units_not_code_points() -> None:
    # RFC 8785, section 3.2.3: the emoji (a surrogate pair, D83D DE00) sorts
    # before U+FB33, although its code point U+1F600 is larger.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = list(json.loads(canonical_json(value)))
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert sorted(value) != order  # Python's own order (code points) would be wrong here


# RFC 8785, appendix B: IEEE 754 doubles and how ECMAScript writes them.
_APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), _APPENDIX_B)
def test_numbers_are_written_as_ecmascript_writes_them(bits: str, text: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json(value) == text


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        MAX_SAFE_INTEGER + 1,
        -(MAX_SAFE_INTEGER + 1),
        {1: "x"},
        "\ud800",
    ],
    ids=["nan", "inf", "-inf", "2^53", "-2^53", "int-key", "lone-surrogate"],
)
def test_what_json_cannot_carry_exactly_is_refused(value: Any) -> None:
    with pytest.raises(NotCanonicalError):
        canonical_json({"a": [value]})
    assert canonical_json(MAX_SAFE_INTEGER) == "9007199254740991"


def test_a_playbook_with_an_integer_other_languages_would_round_is_invalid() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    data["tiering"]["upgrade_candidates"]["min_score"] = 2**60
    with pytest.raises(PlaybookError) as caught:
        Playbook.model_validate(data)
    assert caught.value.problems == (
        (
            "tiering.upgrade_candidates.min_score",
            "integer beyond 2^53 - 1; JSON readers cannot hold it exactly",
        ),
    )


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON)
def test_canonical_form_is_a_fixed_point(value: Any) -> None:
    text = canonical_json(value)
    # JCS reads every number as a double (2^53 written as a float reads back as one).
    assert canonical_json(json.loads(text, parse_int=float)) == text
    # The same data, only respelled (numbers compared as the doubles JCS reads).
    assert json.loads(text, parse_int=float) == json.loads(json.dumps(value), parse_int=float)


@given(_JSON)
def test_agrees_with_the_reference_implementation(value: Any) -> None:
    jcs = pytest.importorskip("jcs")
    assert canonical_json(value).encode("utf-8") == jcs.canonicalize(value)


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_a_verifier_outside_custtier_recomputes_the_content_hash(pb: Playbook) -> None:
    # What docs/playbook.md tells a verifier to do: parse the playbook's JSON
    # file (any formatting), canonicalize with any RFC 8785 library, sha256.
    jcs = pytest.importorskip("jcs")
    pretty = json.dumps(json.loads(pb.canonical_json()), indent=2, ensure_ascii=True)
    assert hashlib.sha256(jcs.canonicalize(json.loads(pretty))).hexdigest() == pb.content_hash
