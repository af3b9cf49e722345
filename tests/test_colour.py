"""The colour engine (kaartspel.colour): CIEDE2000, sRGB to CIELAB, contrast, print values."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from kaartspel.colour import (
    INK_LIMIT,
    OutputProfile,
    contrast_ratio,
    delta_e_2000,
    hex_rgb,
    srgb_lab,
    total_ink,
)

WHITE = "#ffffff"


@pytest.fixture(scope="module")
def profile(repo_root: Path) -> OutputProfile:
    return OutputProfile(repo_root / "templates" / "icc" / "FOGRA39L-coated.icc")


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
