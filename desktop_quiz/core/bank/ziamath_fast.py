"""Two speed-ups of ziamath's layout, for the bank builder (:mod:`.render`).

Both are checked against the ziamath version they were written for and leave the
SVG it draws unchanged (tests compare every 8th formula of the bank both ways).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def shallow_fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def speed_up_ziamath(ziamath: Any) -> bool:
    """Let ziamath read a parent style's fields without deep-copying it.

    ``styles.parse_style`` builds ``ChainMap(attrib, asdict(parent))`` for every
    MathML node and only reads scalar fields from it; ``asdict`` deep-copies the
    nested variant each time, about a quarter of all rendering time. A shallow
    dict gives identical reads (a test compares the SVGs). Only for the version it
    was checked against.
    """
    from importlib.metadata import version

    if version("ziamath") != "0.13" or not hasattr(ziamath.styles, "asdict"):
        return False
    ziamath.styles.asdict = shallow_fields
    _measure_rows_only_when_needed(ziamath)
    return True


def _measure_rows_only_when_needed(ziamath: Any) -> None:
    """Skip ziamath's second layout of a row when nothing in it can stretch.

    ``Mrow._get_height_nostretch`` lays out a copy of every child only to find the
    height that stretchy operators (fences, bars, arrows) grow to. Nested rows do it
    again, so the work doubles per level. When no element under the row can stretch,
    that height is never read: the row returns at once. Where a copy is still laid
    out, ``deepcopy`` replaces a round trip through XML text. Identical SVG for every
    formula in the bank (a test renders them all both ways).
    """
    import copy

    from ziamath import operators
    from ziamath.nodes import mrow
    from ziamath.nodes.mnode import Mnode
    from ziamath.nodes.nodetools import elementtext

    row: Any = mrow.Mrow  # patched in place: typed loosely on purpose
    if getattr(row, "_dq_fast", False):
        return
    stretchy = frozenset(name for (name, _form), params in operators.operators.items()
                         if params.get("stretchy", "false") != "false")

    def may_stretch(element: Any) -> bool:
        # Conservative: any stretch attribute, mfenced, or a leaf whose text is a
        # stretchy operator in any form (identifiers can turn into operators later).
        return any(e.tag == "mfenced" or e.get("stretchy") or "minsize" in e.attrib
                   or "maxsize" in e.attrib or (len(e) == 0 and elementtext(e) in stretchy)
                   for e in element.iter())

    def height_nostretch(self: Any, line: list[Any], **kwargs: Any) -> tuple[float, float]:
        if not any(may_stretch(child) for child in line):
            return 0.0, 0.0  # read only by stretchy operators, and there are none
        ymax, ymin = -9999.0, 9999.0
        kwargs["nostretch"] = True
        for child in line:
            if child.tag == "mo" and elementtext(child) == "":
                continue
            node = Mnode.fromelement(copy.deepcopy(child), parent=self, **kwargs)
            ymax = max(ymax, node.bbox.ymax)
            ymin = min(ymin, node.bbox.ymin)
        return ymin, ymax

    row._dq_original_height = row._get_height_nostretch
    row._get_height_nostretch = height_nostretch
    row._dq_fast = True


def slow_down_ziamath(ziamath: Any) -> None:
    """Undo :func:`speed_up_ziamath` (tests compare both)."""
    import dataclasses as dc

    from ziamath.nodes import mrow

    ziamath.styles.asdict = dc.asdict
    row: Any = mrow.Mrow
    if getattr(row, "_dq_fast", False):
        row._get_height_nostretch = row._dq_original_height
        row._dq_fast = False
