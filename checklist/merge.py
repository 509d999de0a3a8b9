"""Merging a review into an existing task file without losing anything a person wrote.

Only the lines between a start and an end marker belong to Flow Review; every
other byte is copied through as read. Inside the checklist region the id of an
item is its identity, a tick is a person's decision and is only ever cleared
when Flow Review itself set it (the "resolved in" annotation), and an item is
never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analyzers.facts import ChecklistItem, Review
from checklist.errors import ChecklistError
from checklist.markup import (
    CHECKLIST,
    REGION_KINDS,
    ItemLine,
    Line,
    end_marker,
    is_resolved,
    item_text,
    newline_of,
    parse_item,
    resolved_annotation,
    split_lines,
    start_marker,
)
from checklist.render import (
    SECTION_HEADINGS,
    file_lines,
    new_item_line,
    render_task_file,
    section_lines,
    unique_items,
)


@dataclass(frozen=True, slots=True)
class Region:
    kind: str
    start: int  # index of the start marker's line
    end: int  # index of the end marker's line


def merge_task_file(existing: str, review: Review, *, title: str) -> str:
    """`existing` with its managed regions brought up to date with `review`.

    `title` is used only when `existing` is empty and a new file is rendered.
    Raises `ChecklistError` when the markers are broken.
    """
    if existing == "":
        return render_task_file(review, title=title)
    lines = split_lines(existing)
    regions = find_regions(lines)

    out: list[str] = []
    copied = 0
    for region in sorted(regions.values(), key=lambda r: r.start):
        out.extend(line.raw for line in lines[copied : region.start + 1])
        body = lines[region.start + 1 : region.end]
        newline = lines[region.start].ending
        if region.kind == CHECKLIST:
            out.extend(merge_checklist(body, review, newline=newline))
        else:
            out.extend(line + newline for line in file_lines(review))
        copied = region.end
    out.extend(line.raw for line in lines[copied:])

    missing = [kind for kind in REGION_KINDS if kind not in regions]
    if missing:
        out.append(_appended_sections(lines, missing, review))
    return "".join(out)


def find_regions(lines: list[Line]) -> dict[str, Region]:
    """The managed regions by kind; raises `ChecklistError` unless each is well formed."""
    markers = {start_marker(kind): (kind, True) for kind in REGION_KINDS}
    markers.update({end_marker(kind): (kind, False) for kind in REGION_KINDS})

    regions: dict[str, Region] = {}
    open_kind: str | None = None
    open_at = 0
    for index, line in enumerate(lines):
        found = markers.get(line.content.strip())
        if found is None:
            continue
        kind, is_start = found
        marker = line.content.strip()
        number = index + 1
        if kind in regions:
            first = regions[kind]
            raise ChecklistError(
                marker,
                number,
                f"repeats the {kind} region already at lines {first.start + 1}-{first.end + 1}",
            )
        if is_start:
            if open_kind is not None:
                raise ChecklistError(
                    marker, number, f"is inside the {open_kind} region opened at line {open_at + 1}"
                )
            open_kind, open_at = kind, index
        elif open_kind is None:
            raise ChecklistError(marker, number, f"comes before any {start_marker(kind)}")
        elif open_kind != kind:
            raise ChecklistError(
                marker, number, f"is inside the {open_kind} region opened at line {open_at + 1}"
            )
        else:
            regions[kind] = Region(kind, open_at, index)
            open_kind = None
    if open_kind is not None:
        raise ChecklistError(
            start_marker(open_kind), open_at + 1, f"has no matching {end_marker(open_kind)}"
        )
    return regions


def merge_checklist(body: list[Line], review: Review, *, newline: str) -> list[str]:
    """The checklist region's lines after the merge, each with its line ending."""
    current = unique_items(review.checklist)
    annotation = resolved_annotation(review.head)
    out: list[str] = []
    present: set[str] = set()
    after_last_item = None
    for line in body:
        parsed = parse_item(line.content)
        if parsed is None:
            out.append(line.raw)
            continue
        present.add(parsed.item_id)
        item = current.get(parsed.item_id)
        if item is None and is_resolved(parsed.text):
            # Resolved earlier: keeping it as it is keeps the sha of the head that
            # resolved it, and whatever tick a person has set since.
            out.append(line.raw)
        elif item is None:
            tick = parsed.tick if parsed.ticked else "x"
            text = f"{parsed.text} {annotation}" if parsed.text else annotation
            out.append(replace(parsed, tick=tick, text=text).format() + line.ending)
        else:
            out.append(_refreshed(parsed, item).format() + line.ending)
        after_last_item = len(out)
    added = [new_item_line(item) + newline for key, item in current.items() if key not in present]
    at = len(out) if after_last_item is None else after_last_item
    out[at:at] = added
    return out


def _refreshed(parsed: ItemLine, item: ChecklistItem) -> ItemLine:
    """An item still in the review: its current text, and the tick a person gave it."""
    if parsed.ticked and not is_resolved(parsed.text):
        tick = parsed.tick
    else:
        # An annotated tick was Flow Review's own, set when the finding went away;
        # the finding is back, so the item reopens.
        tick = "x" if item.done else " "
    return replace(parsed, tick=tick, text=item_text(item.text))


def _appended_sections(lines: list[Line], kinds: list[str], review: Review) -> str:
    newline = newline_of(lines)
    last = lines[-1]
    if last.ending == "":
        # Terminate the last line; a blank line follows unless it was blank already.
        separator = newline if last.content.strip() == "" else newline * 2
    else:
        separator = "" if last.content.strip() == "" else newline
    sections = [
        newline.join(section_lines(kind, review, heading=f"{SECTION_HEADINGS[kind]} (Flow Review)"))
        for kind in kinds
    ]
    text = (newline * 2).join(sections)
    # A file that had no final newline keeps having none.
    return separator + text + (newline if last.ending else "")
