"""The one YAML reader of the package: safe, bounded, strict about keys and codes.

Every YAML file the workbench reads (``study.yaml``, data dictionaries, model parameter
files, mixed-methods mappings, the message catalogue, ``--parameters`` files and ``-p``
values) goes through ``load_yaml`` or ``parse_yaml``, so that the same guarantees hold
everywhere (docs/security.md):

* only plain data: PyYAML's safe loader, so ``!!python/...`` tags are refused;
* bounded: a file larger than ``MAX_BYTES`` is refused before it is parsed, anchors and
  aliases may add at most ``MAX_ALIAS_NODES`` nodes (a "billion laughs" document is refused in
  milliseconds, before anything is built), a recursive alias or nesting deeper than Python's
  recursion limit is refused;
* a key repeated in one mapping is an error (YAML would silently keep the last one), and so
  is a key YAML reads as a boolean (``NO:``, ``on:``): "quote it";
* every problem is a ``WorkbenchError`` naming the file and the line, on one line.

Written here because PyYAML offers none of the bounds or the duplicate-key check; it is a
thin layer over PyYAML's own pure-Python safe loader (the C loader cannot be hooked).
``as_code`` refuses YAML's booleans where a category code is expected (``NO``, ``on``, ``yes``
are booleans in YAML 1.1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from workbench.errors import WorkbenchError

#: largest YAML file read (bytes); study files are a few hundred kilobytes at most
MAX_BYTES = 5 * 1024 * 1024
#: nodes that anchors and aliases may add to a document when expanded
MAX_ALIAS_NODES = 100_000


class _TooLarge(Exception):
    pass


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses duplicate keys and alias bombs."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            self.flatten_mapping(node)
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:bool":
                    raise ConstructorError(None, None, f"the key {key_node.value} is read by YAML as a boolean "
                                           f"(unquoted yes/no/on/off/true/false are booleans); quote it: "
                                           f"'{key_node.value}'", key_node.start_mark)
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base class reports it
                    break
                if first is not None:
                    raise ConstructorError(None, None, f"the key {key!r} appears twice in one mapping (first at "
                                           f"line {first}); YAML would silently keep only the last",
                                           key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _check_expansion(root: Node) -> None:
    """Refuse a document whose aliases would add more than ``MAX_ALIAS_NODES`` nodes."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConstructorError(None, None, "an alias refers to the node that contains it (recursive alias)",
                                   node.start_mark)
        open_nodes.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    if expanded - len(sizes) > MAX_ALIAS_NODES:
        raise _TooLarge(expanded)


def _one_line(err: yaml.YAMLError) -> str:
    """A YAML error as one sentence with its line and column (PyYAML's text spans lines)."""
    if isinstance(err, yaml.MarkedYAMLError):
        parts = [p for p in (err.context, err.problem) if p]
        text = ": ".join(" ".join(p.split()) for p in parts) or "invalid YAML"
        mark = err.problem_mark or err.context_mark
        if mark is not None:
            text += f" (line {mark.line + 1}, column {mark.column + 1})"
        return text
    return " ".join(str(err).split())


def parse_yaml(text: str, *, source: str, what: str = "the file") -> Any:
    """Parse YAML text with the safe, bounded loader; errors name ``source``."""
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _TooLarge as err:
        raise WorkbenchError(f"{what}: anchors and aliases expand to more than {MAX_ALIAS_NODES:,} extra values "
                             f"({int(err.args[0]):,} values in all); refused as a resource bomb", file=source,
                             expected="the values written out, or aliases used sparingly") from None
    except RecursionError:
        raise WorkbenchError(f"{what}: the document is nested too deeply to read", file=source,
                             expected="a few levels of nesting") from None
    except yaml.YAMLError as err:
        raise WorkbenchError(f"{what} is not valid YAML: {_one_line(err)}", file=source,
                             expected="plain YAML data (mappings, lists, text, numbers)") from None


def load_yaml(path: str | Path, *, what: str = "the YAML file", max_bytes: int = MAX_BYTES) -> Any:
    """Read and parse a UTF-8 YAML file (bounded size, safe, no duplicate keys)."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise WorkbenchError(f"{what}: file not found", file=file)
    size = path.stat().st_size
    if size > max_bytes:
        raise WorkbenchError(f"{what} is too large to be read ({size:,} bytes)", file=file,
                             expected=f"at most {max_bytes:,} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise WorkbenchError(f"{what}: byte 0x{raw[err.start:err.start + 1].hex()} at line {line} is not valid "
                             "UTF-8", file=file, expected="a UTF-8 text file") from None
    return parse_yaml(text, source=file, what=what)


def as_code(raw: Any, *, file: str | None, where: str) -> int | str:
    """A category code as written: text or a whole number; a YAML boolean is refused.

    YAML 1.1 reads unquoted ``yes``, ``no``, ``on``, ``off``, ``y``, ``n``, ``true``, ``false``
    (any case) as booleans, so a code ``NO`` (Norway) would silently become False.
    """
    if isinstance(raw, bool):
        raise WorkbenchError(f"{where}: the code {raw!r} is a YAML boolean (unquoted yes/no/on/off/true/false "
                             "are read as booleans); quote it", file=file, value=raw,
                             expected="a quoted text code such as 'NO', or a whole number")
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip():
        try:
            return int(raw)
        except ValueError:
            return raw
    raise WorkbenchError(f"{where}: a code must be text or a whole number", file=file, value=raw,
                         expected="text (quoted if it looks like a number or a boolean) or a whole number")
