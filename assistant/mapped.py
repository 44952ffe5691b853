"""Text rewritten step by step, remembering where each character came from.

The NLU reads a rewritten message (Cantonese words replaced, English terms translated,
the story before the question dropped); entity offsets must still point at what the
visitor typed. Each character of a `Mapped` text carries the span of the original
text it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, List, Tuple

Edit = Tuple[int, int, str]  # replace text[start:end] by the string


@dataclass(frozen=True)
class Mapped:
    text: str
    starts: Tuple[int, ...]
    ends: Tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Mapped:
        return cls(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))

    def same_length(self, new_text: str) -> Mapped:
        """A character-for-character rewrite (OpenCC, lower-casing, same-length typo fixes)."""
        if len(new_text) != len(self.text):
            raise ValueError("same_length needs a rewrite of equal length")
        return Mapped(new_text, self.starts, self.ends)

    def edit(self, edits: Iterable[Edit]) -> Mapped:
        """Applies non-overlapping replacements; a replacement maps to the span it replaced."""
        text, starts, ends = [], [], []
        pos = 0
        for start, end, new in sorted(edits):
            if start < pos:
                continue  # overlaps an earlier edit: the earlier (left-most) one wins
            text.append(self.text[pos:start])
            starts += self.starts[pos:start]
            ends += self.ends[pos:start]
            if end > start:
                span = (self.starts[start], self.ends[end - 1])
            else:  # an insertion: it takes the position of the next character
                at = self.starts[start] if start < len(self.text) else (self.ends[-1] if self.ends else 0)
                span = (at, at)
            text.append(new)
            starts += [span[0]] * len(new)
            ends += [span[1]] * len(new)
            pos = end
        text.append(self.text[pos:])
        starts += self.starts[pos:]
        ends += self.ends[pos:]
        return Mapped("".join(text), tuple(starts), tuple(ends))

    def select(self, ranges: Iterable[Tuple[int, int]], joiner: str = "") -> Mapped:
        """Only these parts of the text, in order (the question clauses of a long message)."""
        keep = [(s, e) for s, e in ranges if e > s]
        edits, pos = [], 0
        for i, (s, e) in enumerate(keep):
            edits.append((pos, s, joiner if i else ""))
            pos = e
        edits.append((pos, len(self.text), ""))
        return self.edit(edits)

    def original_span(self, start: int, end: int) -> Tuple[int, int]:
        if not self.text or end <= start:
            at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return at, at
        return self.starts[start], self.ends[min(end, len(self.text)) - 1]

    def map_chars(self, change: Callable[[str], str]) -> Mapped:
        return self.same_length(change(self.text))


def edits_for(text: str, table: dict, guard: Callable[[str, int, str], bool] = lambda *_: True) -> List[Edit]:
    """Longest-first, left-to-right replacements of the table's keys found in the text."""
    if not table:
        return []
    lengths = sorted({len(k) for k in table}, reverse=True)
    edits, i = [], 0
    while i < len(text):
        for size in lengths:
            key = text[i : i + size]
            if len(key) == size and key in table and guard(text, i, key):
                edits.append((i, i + size, table[key]))
                i += size
                break
        else:
            i += 1
    return edits
