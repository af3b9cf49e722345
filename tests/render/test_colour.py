"""The colour engine (kaartspel.render.colour) and the palette's print values and rules.

The palette (``templates/palette.yaml``) is designed in sRGB; its CMYK values must be what the
engine computes through the bundled FOGRA39 output profile, print close to the design, stay
within the ink limit, and keep the theme colours apart in colour and in grey.  Every assertion
message lists the measured values, so a failure says by how much and what to store instead.
"""

from __future__ import annotations

import itertools
import struct
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image, ImageCms

from kaartspel.render.colour import (
    INK_LIMIT,
    OutputProfile,
    contrast_ratio,
    delta_e_2000,
    hex_rgb,
    srgb_lab,
    total_ink,
)

WHITE = "#ffffff"
SET = "neutral"
SIDE_BY_SIDE = ("kennismanagement", "netwerkvorming", "samenwerken")
"""The three essentials the poster sets side by side (design brief, section 7)."""

MAX_PRINT_DELTA_E = 2.0
MIN_IDENTITY_DELTA_E = 15.0
MIN_GREY_STEP = 7.0
"""ΔL* that tells two colours apart in greyscale print at a glance."""
MIN_ANY_GREY_STEP = 3.5


@pytest.fixture(scope="module")
def profile(repo_root: Path) -> OutputProfile:
    return OutputProfile(repo_root / "templates" / "icc" / "FOGRA39L-coated.icc")


@pytest.fixture(scope="module")
def palette(repo_root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (repo_root / "templates" / "palette.yaml").read_text(encoding="utf-8"))
    return data


def themes(palette: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The colours that identify something: the seven themes and the set (``neutral``)."""
    return {key: value for key, value in palette.items() if key not in ("ink", "paper")}


def swatches(palette: dict[str, Any]) -> list[tuple[str, str, list[int]]]:
    """Every computed colour as (name, sRGB, stored CMYK): each theme's strong colour and tint."""
    found = []
    for key, value in themes(palette).items():
        found.append((key, value["rgb"], value["cmyk"]))
        found.append((f"{key}.tint", value["tint"], value["tint_cmyk"]))
    return found


# --- CIEDE2000 ------------------------------------------------------------------------------

SHARMA_2005 = [
    # Sharma, Wu, Dalal (2005), Table 1: L1 a1 b1, L2 a2 b2, ΔE00.
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("first", "second", "expected"), SHARMA_2005,
                         ids=[f"pair{n}" for n in range(1, len(SHARMA_2005) + 1)])
def test_ciede2000_matches_sharma_test_data(
    first: tuple[float, ...], second: tuple[float, ...], expected: float
) -> None:
    assert round(delta_e_2000(first, second), 4) == expected
    assert round(delta_e_2000(second, first), 4) == expected  # symmetric


def test_ciede2000_of_a_colour_with_itself_is_zero() -> None:
    assert delta_e_2000((35.0, 12.0, -40.0), (35.0, 12.0, -40.0)) == 0.0
    assert delta_e_2000((50.0, 0.0, 0.0), (50.0, 0.0, 0.0)) == 0.0  # achromatic: h' = 0


# --- sRGB, CIELAB and contrast ----------------------------------------------------------------


def test_srgb_lab_of_white_black_and_red() -> None:
    assert srgb_lab(WHITE) == pytest.approx((100.0, 0.0, 0.0), abs=1e-6)
    assert srgb_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)
    # sRGB red relative to D50 (Bradford), as ICC sRGB profiles give it.
    assert srgb_lab("#ff0000") == pytest.approx((54.29, 80.80, 69.89), abs=0.02)


def test_srgb_lab_agrees_with_littlecms() -> None:
    """The exact sRGB → Lab sum and LittleCMS's sRGB profile agree to within its 8-bit steps."""
    to_lab = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"),
                                     "RGB", "LAB", ImageCms.Intent.RELATIVE_COLORIMETRIC)
    levels = range(0, 256, 51)
    colours = [f"#{r:02x}{g:02x}{b:02x}" for r in levels for g in levels for b in levels]
    image = Image.new("RGB", (len(colours), 1))
    image.putdata([hex_rgb(c) for c in colours])
    lab = ImageCms.applyTransform(image, to_lab)
    assert lab is not None
    cms = [(L * 100 / 255, a, b) for L, a, b in struct.iter_unpack("Bbb", lab.tobytes())]
    worst = max((delta_e_2000(srgb_lab(c), m), c) for c, m in zip(colours, cms, strict=True))
    assert worst[0] < 1.0, f"sRGB→Lab differs from LittleCMS by ΔE2000 {worst[0]:.2f} at {worst[1]}"


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio("#000000", WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)  # the classic miss
    assert contrast_ratio("#767676", WHITE) >= 4.5


@pytest.mark.parametrize("bad", ["012d53x", "#12345", "#ggg000", "red"])
def test_hex_rgb_rejects_what_is_not_a_colour(bad: str) -> None:
    with pytest.raises(ValueError, match="not an sRGB colour"):
        hex_rgb(bad)


# --- the engine -----------------------------------------------------------------------------


def test_white_needs_no_ink_and_black_stays_within_the_limit(profile: OutputProfile) -> None:
    assert profile.cmyk(WHITE) == (0, 0, 0, 0)
    black = profile.cmyk("#000000")
    assert total_ink(black) <= INK_LIMIT, black
    assert total_ink(OutputProfile(profile.path, ink_limit=240).cmyk("#000000")) <= 240


def test_engine_beats_the_profiles_own_inverse_table(profile: OutputProfile) -> None:
    """The refinement is why the engine exists: on light tints the B2A1 table is far off."""
    tint = "#e7f5f6"
    table, engine = profile.separate(tint), profile.cmyk(tint)
    table_error = profile.printed_delta_e(tint, table)
    engine_error = profile.printed_delta_e(tint, engine)
    assert engine_error < 1.0 < table_error, (table, table_error, engine, engine_error)


def test_a_profile_that_is_not_cmyk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "srgb.icc"
    path.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    with pytest.raises(ValueError, match="not a CMYK profile"):
        OutputProfile(path)


def test_lab_refuses_percentages_out_of_range(profile: OutputProfile) -> None:
    with pytest.raises(ValueError, match="not CMYK percentages"):
        profile.lab((0, 0, 120, 0))
    with pytest.raises(ValueError, match="not CMYK percentages"):
        profile.lab((0, 0, 0))


# --- the palette: print values --------------------------------------------------------------


def test_stored_cmyk_is_what_the_engine_computes(
    palette: dict[str, Any], profile: OutputProfile
) -> None:
    wrong = [f"{name} {rgb}: stored {stored}, computed {list(profile.cmyk(rgb))}"
             for name, rgb, stored in swatches(palette) if tuple(stored) != profile.cmyk(rgb)]
    assert not wrong, "palette.yaml CMYK is not the engine's:\n" + "\n".join(wrong)
    assert tuple(palette["paper"]["cmyk"]) == profile.cmyk(palette["paper"]["rgb"])
    # Text is set in black ink only (registration-proof small type): a choice, not a conversion.
    assert palette["ink"]["cmyk"] == [0, 0, 0, 100]


def test_every_colour_prints_close_to_its_design(
    palette: dict[str, Any], profile: OutputProfile
) -> None:
    measured = [(profile.printed_delta_e(rgb, stored), name, rgb, stored)
                for name, rgb, stored in swatches(palette)]
    report = "\n".join(f"  {name:24} {rgb} {stored!s:18} ΔE2000 {error:.2f}"
                       for error, name, rgb, stored in sorted(measured, reverse=True))
    assert max(measured)[0] <= MAX_PRINT_DELTA_E, f"design vs print through the profile:\n{report}"


def test_total_ink_is_at_most_300_percent(palette: dict[str, Any]) -> None:
    heavy = [(name, stored, total_ink(stored)) for name, _, stored in swatches(palette)
             if total_ink(stored) > INK_LIMIT]
    assert not heavy, f"over {INK_LIMIT:g} % total ink: {heavy}"


# --- the palette: telling colours apart -----------------------------------------------------


def identity_labs(palette: dict[str, Any], profile: OutputProfile) -> dict[str, dict[str, Any]]:
    """Each identifying colour in CIELAB, as designed (sRGB) and as printed (its CMYK)."""
    return {
        "design": {key: srgb_lab(value["rgb"]) for key, value in themes(palette).items()},
        "print": {key: profile.lab(value["cmyk"]) for key, value in themes(palette).items()},
    }


def test_theme_and_set_colours_differ_clearly(
    palette: dict[str, Any], profile: OutputProfile
) -> None:
    close = []
    for medium, labs in identity_labs(palette, profile).items():
        for first, second in itertools.combinations(labs, 2):
            difference = delta_e_2000(labs[first], labs[second])
            if difference < MIN_IDENTITY_DELTA_E:
                close.append(f"{medium}: {first}/{second} ΔE2000 {difference:.1f}")
    assert not close, f"colours closer than ΔE2000 {MIN_IDENTITY_DELTA_E:g}:\n" + "\n".join(close)


def test_colours_differ_in_greyscale(palette: dict[str, Any], profile: OutputProfile) -> None:
    """Greyscale print keeps CIE L* only (a colour-managed conversion to grey).

    The set colour and each theme, and the three themes shown side by side, differ by
    ≥ 7 L*; every other pair by ≥ 3.5 L*.  Seven L* between *all* eight colours cannot be had:
    white text needs L* ≤ 50 (4.5:1), the press's darkest black within the ink limit is
    L* ≈ 10, and eight colours 7 apart need 49 (see the next test).
    """
    grey = []
    for medium, labs in identity_labs(palette, profile).items():
        for first, second in itertools.combinations(labs, 2):
            step = abs(labs[first].L - labs[second].L)
            apart = SET in (first, second) or {first, second} <= set(SIDE_BY_SIDE)
            needed = MIN_GREY_STEP if apart else MIN_ANY_GREY_STEP
            if step < needed:
                grey.append(f"{medium}: {first} L* {labs[first].L:.1f} / {second} "
                            f"L* {labs[second].L:.1f}: ΔL* {step:.1f} < {needed:g}")
    assert not grey, "too close in greyscale:\n" + "\n".join(grey)


def test_seven_lstar_between_all_eight_colours_is_out_of_reach(
    palette: dict[str, Any], profile: OutputProfile
) -> None:
    """Record why the greyscale rule is not ΔL* ≥ 7 for every pair."""
    darkest = profile.lab(profile.cmyk("#000000")).L
    lightest = 116 * (1.05 / 4.5 - 0.05) ** (1 / 3) - 16  # 4.5:1 against white: L* 49.9
    count = len(themes(palette))
    assert (lightest - darkest) < MIN_GREY_STEP * (count - 1), (darkest, lightest, count)


def test_text_contrast(palette: dict[str, Any]) -> None:
    ink = palette["ink"]["rgb"]
    low = []
    for key, value in themes(palette).items():
        if contrast_ratio(WHITE, value["rgb"]) < 4.5:
            low.append(f"white on {key} {value['rgb']}: {contrast_ratio(WHITE, value['rgb']):.2f}")
        if contrast_ratio(ink, value["tint"]) < 7:
            ratio = contrast_ratio(ink, value["tint"])
            low.append(f"ink on {key} tint {value['tint']}: {ratio:.2f}")
    assert contrast_ratio(ink, palette["paper"]["rgb"]) >= 7
    assert not low, "\n".join(low)


def test_palette_still_loads_through_the_style_module(repo_root: Path) -> None:
    from kaartspel.render.templates import TemplateSet

    loaded = TemplateSet.create().palette()
    assert loaded.colour("set") == loaded.themes[SET]
    assert loaded.ink_cmyk == (0, 0, 0, 100)
