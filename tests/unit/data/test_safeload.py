"""The bounded reader: no more than the file limit read from disk, a YAML loader that builds what PyYAML's safe
loader builds (marks included) but never a value past a limit, and syntax errors worded as PyYAML's own parser
words them whichever parser found them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from carepath.data import limits
from carepath.data.limits import Exceeded, Limit
from carepath.data.records import LoadFailure, RawRecord, load_text
from carepath.data.safeload import BoundedLoader, TooLarge, canonical_error, read_json, read_limited, text_too_large

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("cohort", sorted((ROOT / "cohorts").glob("*.yaml")), ids=lambda p: p.name)
def test_the_bounded_loader_builds_what_the_safe_loader_builds(cohort: Path) -> None:
    text = cohort.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=BoundedLoader) == yaml.load(text, Loader=yaml.SafeLoader)
    bounded, safe = yaml.compose(text, Loader=BoundedLoader), yaml.compose(text, Loader=yaml.SafeLoader)
    assert (bounded.value[-1][1].start_mark.line, bounded.value[-1][1].start_mark.column) == \
        (safe.value[-1][1].start_mark.line, safe.value[-1][1].start_mark.column)


def test_no_tag_runs_code(tmp_path: Path) -> None:
    planted = tmp_path / "planted"
    for text in (f"!!python/object/apply:os.system ['touch {planted}']", "- !!python/name:os.system",
                 f"!!python/object/new:subprocess.Popen [['touch', '{planted}']]", "!lab 5 G/L"):
        document = yaml.load(text, Loader=BoundedLoader)
        placeholder = document[0] if isinstance(document, list) else document
        assert isinstance(placeholder, Exceeded) and placeholder.limit is Limit.TAGS, text
    assert not planted.exists()


def test_a_tagged_value_costs_its_own_record_and_no_other() -> None:
    text = ("- {id: good, age_at_diagnosis: 5 months}\n"
            "- id: tagged\n  age_at_diagnosis: !!python/object/apply:os.system ['true']\n"
            "- id: forged\n  age_at_diagnosis: !<tag:carepath,2026:exceeded> '7'\n")  # a placeholder's own tag, written by hand
    good, tagged, forged = load_text(text, "r.yaml")
    assert isinstance(good, RawRecord) and not getattr(good.data, "exceeded", ())
    for raw, line, shown in ((tagged, 3, "'!!python/object/apply:os.system'"), (forged, 5, "'tag:carepath,2026:exceeded'")):
        assert isinstance(raw, RawRecord)
        (item,) = raw.data.exceeded
        assert item.limit is Limit.TAGS and item.field == "age_at_diagnosis" and (item.line, item.column) == (line, 21)
        assert shown in item.message


def test_a_number_past_the_digits_limit_is_never_converted() -> None:
    document = yaml.load(f"a: {'9' * 5000}\nb: 0x{'f' * 5000}\nc: 12\n", Loader=BoundedLoader)
    assert isinstance(document["a"], Exceeded) and document["a"].limit is Limit.DIGITS and (document["a"].line, document["a"].column) == (1, 4)
    assert isinstance(document["b"], Exceeded) and document["c"] == 12
    assert read_json(f'{{"a": {"9" * 5000}, "b": 1.{"5" * 200}, "c": 12}}', dict) == {
        "a": Exceeded(Limit.DIGITS, "a number written with 5,000 digits; carepath reads at most 100"),
        "b": Exceeded(Limit.DIGITS, "a number written with 201 digits; carepath reads at most 100"), "c": 12}


def test_nesting_past_the_limit_is_skipped_without_recursion() -> None:
    # a record 900 levels deep (libyaml's parser stops at 1,000) is one placeholder at level 33
    (raw,) = load_text("id: a\nabout: " + "[" * 900 + "]" * 900 + "\n", "r.yaml")
    assert isinstance(raw, RawRecord)
    inner = raw.data["about"]
    for _ in range(limits.DEPTH - 1):  # `about`'s list is level 2: 31 lists, the 32nd holding the placeholder
        (inner,) = inner
    assert isinstance(inner, Exceeded) and inner.limit is Limit.DEPTH and (inner.line, inner.column) == (2, 39)
    assert raw.data.exceeded == (inner,)


def test_an_anchor_inside_a_skipped_value_names_the_placeholder() -> None:
    deep = "[" * 40 + "&deep x" + "]" * 40
    first, second = load_text(f"- id: a\n  about: {deep}\n- id: b\n  about: *deep\n", "r.yaml")
    assert isinstance(first, RawRecord) and first.data.exceeded[0].limit is Limit.DEPTH
    assert isinstance(second, RawRecord) and second.data.exceeded[0].limit is Limit.DEPTH  # the second record is told too


def test_read_limited_reads_no_more_than_the_limit(tmp_path: Path) -> None:
    with pytest.raises(TooLarge, match="larger than 16,777,216 bytes"):
        read_limited(Path("/dev/zero"))  # endless: stopped at the limit
    small = tmp_path / "r.yaml"
    small.write_text("- id: a\n", encoding="utf-8")
    assert read_limited(small) == "- id: a\n"
    assert text_too_large("x" * (limits.FILE_BYTES + 1), "t") is not None
    assert text_too_large("é" * (limits.FILE_BYTES // 2 + 1), "t") is not None  # two bytes each in UTF-8
    assert text_too_large("é" * (limits.FILE_BYTES // 2), "t") is None


def test_syntax_errors_are_worded_as_pyyaml_s_own_parser_words_them() -> None:
    text = "- id: a\n  mll: [germline\n- id: b\n"
    with pytest.raises(yaml.YAMLError) as found:
        yaml.load(text, Loader=BoundedLoader)
    with pytest.raises(yaml.YAMLError) as own:
        yaml.load(text, Loader=yaml.SafeLoader)
    assert str(canonical_error(text, found.value)) == str(own.value)
    (failure,) = load_text(text, "r.yaml")
    assert isinstance(failure, LoadFailure) and failure.message == "r.yaml:3:5: not valid YAML: expected ',' or ']', but got ':'"


def test_a_lone_surrogate_in_text_given_to_the_api_is_a_load_failure() -> None:
    (failure,) = load_text("- id: \ud800\n", "r.yaml")
    assert isinstance(failure, LoadFailure)
    (record,) = load_text('[{"id": "\\ud800"}]', "r.json", json_only=True)
    assert isinstance(record, RawRecord) and record.data["id"] == "\ud800"


def test_without_libyaml_the_same_limits_hold_with_pyyaml_s_own_parser() -> None:
    from carepath.data import safeload

    class PurePython(safeload.BoundedComposer, safeload.BoundedConstructor, yaml.resolver.Resolver, safeload._PyParser):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            safeload._PyParser.__init__(self, stream)
            safeload.BoundedConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            safeload.BoundedComposer.__init__(self)

    text = (ROOT / "cohorts" / "transplant_examples.yaml").read_text(encoding="utf-8")
    assert yaml.load(text, Loader=PurePython) == yaml.load(text, Loader=yaml.SafeLoader)
    document = yaml.load("- id: a\n  about: " + "[" * 5000 + "]" * 5000 + f"\n- id: b\n  n: {'9' * 200}\n", Loader=PurePython)
    inner = document[0]["about"]
    for _ in range(limits.DEPTH - 1):
        (inner,) = inner
    assert isinstance(inner, Exceeded) and inner.limit is Limit.DEPTH
    assert isinstance(document[1]["n"], Exceeded) and document[1]["n"].limit is Limit.DIGITS
