"""Reading a records file within the limits of `carepath.data.limits`: at most `FILE_BYTES` read from disk, and a
YAML loader that composes nodes under a watch.

The loader (`BoundedLoader`, the base of the record loader) counts, for each record, how deep its nodes nest and
how much its aliases stand for (an alias costs the nodes and characters of what it names, so a "billion laughs"
bomb is stopped at its first large alias), and reads a number with more than `DIGITS` digits as text it never
converts. A value past a limit is never built: the loader puts an `Exceeded` in its place and lists it on the
record's mapping (`exceeded`), which `bind` reports as that record's error. Parsing uses libyaml's event parser
when PyYAML has it (five times faster), and PyYAML's own otherwise; composing is always the Python code below.

JSON is read by the standard library with a hook that keeps long numbers as `Exceeded` rather than converting
them (Python refuses to convert an integer of more than 4,300 digits, and a long one is costly even below that).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from carepath.data.limits import ALIAS_EXPANSION, DEPTH, DIGITS, FILE_BYTES, Exceeded, Limit, clip, too_many_digits
from carepath.language.source import FileTooLarge, read_bounded

EXCEEDED_TAG = "tag:carepath,2026:exceeded"  # a node the loader put in place of a value past a limit
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_REPARSED = 1024 * 1024  # characters of a file whose syntax error PyYAML's parser words again (it reads 1 MB in about a second)


class TooLarge(Exception):
    """A records file past `FILE_BYTES`: not read at all."""


def read_limited(path: Path) -> str:
    """A file's text, reading no more than `FILE_BYTES` + 1 bytes (a device or a pipe given as a records file ends
    there too); raises `TooLarge`, `OSError` or `UnicodeDecodeError`."""
    try:
        data = read_bounded(path, FILE_BYTES, "a records file")
    except FileTooLarge as error:
        raise TooLarge(f"{error}; split it into several files") from None
    return data.decode("utf-8")


def text_too_large(text: str, name: str) -> str | None:
    """Why a records text given whole (through the API) is not read, or None."""
    if len(text) > FILE_BYTES or (len(text) > FILE_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > FILE_BYTES):
        return f"{name}: larger than {FILE_BYTES:,} bytes, the most a records file may hold; split it into several files"
    return None


class _Watch:
    """What the composer knows of the record it is in: where it starts, what its aliases may still stand for,
    the field being composed and what was put aside."""

    __slots__ = ("base", "budget", "field", "found")

    def __init__(self, base: int) -> None:
        self.base = base
        self.budget = ALIAS_EXPANSION
        self.field: str | None = None
        self.found: list[Exceeded] = []


class BoundedComposer(Composer):
    """PyYAML's composer with the limits of one record watched node by node. A record is the document's root, an
    item of a root list, or an item of the root mapping's `patients:` list; what its nodes exceed is listed, per
    record node, in `over` for the constructor to attach."""

    def __init__(self) -> None:
        Composer.__init__(self)
        self.depth = 0  # nodes open above the one being composed
        self.watch = _Watch(0)
        self.sizes: dict[int, tuple[int, int]] = {}  # id(node) → (nodes and characters it stands for, levels it nests)
        self.lists_of_records: set[int] = set()
        self.next_list_holds_records = False
        self.over: dict[int, list[Exceeded]] = {}
        self.exceeded: list[Exceeded] = []

    if TYPE_CHECKING:  # the parser's and the resolver's, mixed in by `BoundedLoader`

        def check_event(self, *choices: type) -> bool: ...

        def peek_event(self) -> Any: ...

        def get_event(self) -> Any: ...

        def resolve(self, kind: type, value: Any, implicit: Any) -> str: ...

    def compose_document(self) -> Node | None:
        self.depth, self.watch, self.sizes, self.lists_of_records = 0, _Watch(0), {}, set()
        node: Node | None = Composer.compose_document(self)
        if node is not None and self.watch.found:
            self.over[id(node)] = self.watch.found
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if not (isinstance(parent, SequenceNode) and id(parent) in self.lists_of_records):
            if parent is not None and self.depth == self.watch.base + 1:  # an entry of the record's own mapping
                self.watch.field = str(index.value) if isinstance(index, ScalarNode) else None
            return self._compose(parent, index)
        outer, self.watch = self.watch, _Watch(self.depth)
        try:
            node = self._compose(parent, index)
        finally:
            watch, self.watch = self.watch, outer
        if node is not None and watch.found:
            self.over[id(node)] = watch.found
        return node

    def _compose(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            return self._alias()
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if isinstance(event, CollectionStartEvent) and self.depth - self.watch.base + 1 > DEPTH:
            return self._skip(f"nested more than {DEPTH} levels deep", Limit.DEPTH)
        self.next_list_holds_records = isinstance(event, yaml.SequenceStartEvent) and (
            self.depth == 0 or (self.depth == 1 and isinstance(parent, MappingNode) and isinstance(index, ScalarNode) and index.value == "patients")
        )
        self.depth += 1
        try:
            node: Node | None = Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1
        if node is None:
            return None
        if node.tag == _MERGE_TAG and isinstance(node, ScalarNode) and not (isinstance(parent, MappingNode) and index is None):
            node.tag = _STR_TAG  # `<<` merges only as a key; anywhere else it is the text it reads as
        # `!!python/object`, a site's own `!tag`, a placeholder's tag written by hand, or a list or mapping tagged `!!merge`
        if node.tag not in _READ_TAGS or (node.tag == _MERGE_TAG and not isinstance(node, ScalarNode)):
            return self._replace(node, _tag_refused(node.tag), Limit.TAGS, [anchor] if anchor else [])
        if isinstance(node, ScalarNode):
            if node.tag in _NUMBER_TAGS and len(node.value) > DIGITS:  # no shorter text holds more digits
                problem = too_many_digits(str(node.value))
                if problem:
                    return self._replace(node, problem, Limit.DIGITS, [anchor] if anchor else [])
            self.sizes[id(node)] = (1 + len(node.value), 0)
        else:
            children = node.value if isinstance(node, SequenceNode) else [child for pair in node.value for child in pair]
            known = [self.sizes.get(id(child), (1, 0)) for child in children]
            self.sizes[id(node)] = (1 + sum(size for size, _ in known), 1 + max((height for _, height in known), default=0))
        return node

    def compose_sequence_node(self, anchor: Any) -> SequenceNode:
        """As PyYAML's, marking a list of records before its items are composed."""
        holds_records, self.next_list_holds_records = self.next_list_holds_records, False
        start_event = self.get_event()
        tag = start_event.tag
        if tag is None or tag == "!":
            tag = self.resolve(SequenceNode, None, start_event.implicit)
        node = SequenceNode(tag, [], start_event.start_mark, None, flow_style=start_event.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        if holds_records:
            self.lists_of_records.add(id(node))
        index = 0
        while not self.check_event(yaml.SequenceEndEvent):
            node.value.append(self.compose_node(node, index))
            index += 1
        end_event = self.get_event()
        node.end_mark = end_event.end_mark
        return node

    def _alias(self) -> Node:
        event = self.peek_event()
        anchor = event.anchor
        if anchor not in self.anchors:
            raise ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        target = self.anchors[anchor]
        if target.tag == EXCEEDED_TAG:
            self.get_event()
            self.watch.found.append(self.exceeded[int(target.value)])
            return target
        size = self.sizes.get(id(target))
        if size is None:
            return self._skip(f"the alias *{anchor} stands for a value that holds it", Limit.ALIAS_EXPANSION)
        expanded, height = size
        if height and self.depth - self.watch.base + height > DEPTH:
            return self._skip(f"the alias *{anchor} nests the record more than {DEPTH} levels deep", Limit.DEPTH)
        if expanded > self.watch.budget:
            return self._skip(
                f"the aliases in this record stand for more than {ALIAS_EXPANSION:,} nodes and characters (*{anchor} alone for {expanded:,})",
                Limit.ALIAS_EXPANSION,
            )
        self.watch.budget -= expanded
        self.get_event()
        return target

    def _skip(self, message: str, limit: Limit) -> Node:
        """Consume the next node's events without building it; its anchors name the `Exceeded` put in its place."""
        event = self.get_event()
        anchors = [event.anchor] if not isinstance(event, AliasEvent) and event.anchor else []
        open_collections = 1 if isinstance(event, CollectionStartEvent) else 0
        while open_collections:
            inner = self.get_event()
            if isinstance(inner, CollectionStartEvent):
                open_collections += 1
            elif isinstance(inner, CollectionEndEvent):
                open_collections -= 1
            if isinstance(inner, (CollectionStartEvent, ScalarEvent)) and inner.anchor:
                anchors.append(inner.anchor)
        return self._replace(ScalarNode("", "", event.start_mark, event.end_mark), message, limit, anchors)

    def _replace(self, node: Node, message: str, limit: Limit, anchors: list[str]) -> ScalarNode:
        mark = node.start_mark
        exceeded = Exceeded(limit, message, mark.line + 1, mark.column + 1, self.watch.field)
        self.exceeded.append(exceeded)
        self.watch.found.append(exceeded)
        replacement = ScalarNode(EXCEEDED_TAG, str(len(self.exceeded) - 1), node.start_mark, node.end_mark)
        self.sizes[id(replacement)] = (1, 0)
        for anchor in anchors:
            self.anchors[anchor] = replacement
        return replacement


def _tag_refused(tag: str) -> str:
    shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
    return f"a value tagged '{clip(shown, 60)}'; carepath reads only YAML's own tags (str, int, float, bool, null, timestamp, seq, map...)"


class BoundedConstructor(SafeConstructor):
    """The safe constructor that turns the composer's placeholders into `Exceeded` values, attaches each record's
    list to its mapping, and lets a merge (`<<: *name`) of a placeholder stay a field, so its record reports it."""

    exceeded: list[Exceeded]
    over: dict[int, list[Exceeded]]

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        data = SafeConstructor.construct_object(self, node, deep)
        found = self.over.get(id(node))
        if found and isinstance(data, (dict, list)) and hasattr(data, "__dict__"):  # else not a record: rejected as one anyway
            setattr(data, "exceeded", tuple(found))  # noqa: B010 (a list has no such attribute to the type checker)
        return data

    def construct_exceeded(self, node: ScalarNode) -> Exceeded:
        return self.exceeded[int(node.value)]

    def flatten_mapping(self, node: MappingNode) -> None:
        """As the safe constructor's, but what would fail the whole file stays a field of its record, which binding
        reports: a merge (`<<:`) of anything but mappings becomes a field `<<`, and a list or mapping used as a key
        (which no mapping can hold) becomes that key's outline as text."""
        kept = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG and not _mergeable(value_node):
                key_node = ScalarNode("tag:yaml.org,2002:str", "<<", key_node.start_mark, key_node.end_mark)
            elif isinstance(key_node, (SequenceNode, MappingNode)):
                key_node = ScalarNode("tag:yaml.org,2002:str", _outline(key_node), key_node.start_mark, key_node.end_mark)
            kept.append((key_node, value_node))
        node.value = kept
        SafeConstructor.flatten_mapping(self, node)


def _mergeable(node: Node) -> bool:
    if isinstance(node, MappingNode):
        return True
    return isinstance(node, SequenceNode) and all(isinstance(item, MappingNode) for item in node.value)


def _outline(node: Node) -> str:
    """A list or mapping key as short text: its scalars as written, anything deeper as `…`."""
    if isinstance(node, SequenceNode):
        items = [str(item.value)[:20] if isinstance(item, ScalarNode) else "…" for item in node.value[:5]]
        return "[" + ", ".join(items + (["…"] if len(node.value) > 5 else [])) + "]"
    pairs = [f"{k.value if isinstance(k, ScalarNode) else '…'}: {v.value if isinstance(v, ScalarNode) else '…'}"[:40] for k, v in node.value[:5]]
    return "{" + ", ".join(pairs + (["…"] if len(node.value) > 5 else [])) + "}"


BoundedConstructor.add_constructor(EXCEEDED_TAG, BoundedConstructor.construct_exceeded)  # type: ignore[type-var]
_READ_TAGS = frozenset([_MERGE_TAG, *(tag for tag in SafeConstructor.yaml_constructors if tag is not None)])  # YAML's own, and no other


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's own parser, for a PyYAML built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


def _fast_parser() -> Any:
    try:
        from yaml._yaml import CParser
    except ImportError:
        return _PyParser
    return CParser


_Parser = _fast_parser()


class _BoundedLoader(BoundedComposer, BoundedConstructor, Resolver, _Parser):  # type: ignore[misc,valid-type]
    """A safe YAML loader (no tag runs code or reads a file) that composes within the record limits."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        BoundedConstructor.__init__(self)
        Resolver.__init__(self)
        BoundedComposer.__init__(self)

    # libyaml's parser also brings a composer of its own: the Python one above is the one used
    get_node = Composer.get_node
    get_single_node = Composer.get_single_node
    check_node = Composer.check_node


if TYPE_CHECKING:  # to the type checker and yaml's own signatures, a safe loader
    BoundedLoader = yaml.SafeLoader
else:
    BoundedLoader = _BoundedLoader


def canonical_error(text: str, error: yaml.YAMLError) -> yaml.YAMLError:
    """A syntax error as PyYAML's own parser words and places it, whichever parser found it, so a message does not
    depend on how PyYAML was built; errors found while composing or constructing are already the same."""
    if _Parser is _PyParser or len(text) > _REPARSED:
        return error
    try:
        for _ in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    except yaml.YAMLError as own:
        return own
    return error


def read_json(text: str, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    """JSON text → document, each number with more than `DIGITS` digits an `Exceeded` in its place."""
    import json

    def number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
        def read(text: str) -> Any:
            problem = too_many_digits(text)
            return Exceeded(Limit.DIGITS, problem) if problem else kind(text)

        return read

    return json.loads(text, object_pairs_hook=object_pairs_hook, parse_int=number(int), parse_float=number(float))


__all__ = ["EXCEEDED_TAG", "BoundedLoader", "TooLarge", "canonical_error", "read_json", "read_limited", "text_too_large"]
