"""One reader of a CIDFont's /W widths for the font merger, the preflight and soft hyphens."""

from __future__ import annotations

import pikepdf

from kaartspel.render.page_resources import MAX_WIDTH_RUN, cid_widths


def test_both_forms_of_a_width_array_are_read() -> None:
    w = pikepdf.Array([3, pikepdf.Array([500, 600]), 10, 12, 250])
    assert {cid: float(v) for cid, v in cid_widths(w).items()} == {
        3: 500.0, 4: 600.0, 10: 250.0, 11: 250.0, 12: 250.0}


def test_a_damaged_array_gives_what_could_be_read() -> None:
    assert set(cid_widths([1, pikepdf.Array([500]), 7])) == {1}  # truncated run
    assert set(cid_widths([1, pikepdf.Array([500]), pikepdf.Name("/X"), 2, 3])) == {1}


def test_a_hostile_run_is_cut_short() -> None:
    widths = cid_widths([0, 2**31, 500])
    assert len(widths) == MAX_WIDTH_RUN
