"""Colour from the output profile: design colours in sRGB, ink values through an ICC profile.

The palette is designed in sRGB.  What a press prints is decided by the CMYK output profile
(the PDF/X output intent, ``templates/icc/FOGRA39L-coated.icc``), so the ink values are computed
through that profile by LittleCMS (Pillow's :mod:`PIL.ImageCms`), relative colorimetric, in whole
percent, within a total ink limit (:meth:`OutputProfile.cmyk`).  To judge the result, both sides
are measured in CIELAB (D50, the ICC connection space): the design colour exactly from its sRGB
value, the printed colour through the profile, and compared with CIEDE2000
(:func:`delta_e_2000`).

This module depends on Pillow and the standard library only, so any layer may use it.
"""

from __future__ import annotations

import itertools
import math
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageCms


class Lab(NamedTuple):
    """A CIELAB colour relative to the D50 white (the ICC profile connection space)."""

    L: float
    a: float
    b: float


# sRGB (IEC 61966-2-1) primaries adapted from D65 to D50 with the Bradford transform, as in
# ICC sRGB profiles; each row sums to the D50 white below, so #ffffff is exactly L* 100.
_SRGB_TO_XYZ_D50 = (
    (0.4360747, 0.3850649, 0.1430804),
    (0.2225045, 0.7168786, 0.0606169),
    (0.0139322, 0.0971045, 0.7141733),
)
_D50 = tuple(sum(row) for row in _SRGB_TO_XYZ_D50)


def hex_rgb(value: str) -> tuple[int, int, int]:
    """Return the 8-bit channels of a ``#rrggbb`` (or ``#rgb``) colour."""
    text = value.strip().removeprefix("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6:
        raise ValueError(f"not an sRGB colour #rrggbb: {value!r}")
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    except ValueError:
        raise ValueError(f"not an sRGB colour #rrggbb: {value!r}") from None


def _linear(channel: int) -> float:
    """Undo the sRGB transfer curve of an 8-bit channel (IEC 61966-2-1)."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: str) -> float:
    """Return the WCAG 2 relative luminance (0 black … 1 white) of an sRGB colour."""
    r, g, b = (_linear(c) for c in hex_rgb(rgb))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2 contrast ratio (1 … 21) of two sRGB colours."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab_from_xyz(xyz: Sequence[float]) -> Lab:
    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / n) for v, n in zip(xyz, _D50, strict=True))
    return Lab(116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def srgb_lab(rgb: str) -> Lab:
    """Return the CIELAB (D50) value of an sRGB colour, computed exactly (no 8-bit steps)."""
    linear = [_linear(c) for c in hex_rgb(rgb)]
    xyz = [sum(m * v for m, v in zip(row, linear, strict=True)) for row in _SRGB_TO_XYZ_D50]
    return _lab_from_xyz(xyz)


def delta_e_2000(first: Sequence[float], second: Sequence[float],
                 kL: float = 1.0, kC: float = 1.0, kH: float = 1.0) -> float:
    """Return the CIEDE2000 colour difference of two CIELAB colours.

    Follows Sharma, Wu and Dalal, "The CIEDE2000 color-difference formula: implementation
    notes, supplementary test data, and mathematical observations", Color Res. Appl. 30 (2005),
    equations 1–17, including their notes on hue angles: h' is 0 where a' and b' are both 0,
    and the mean hue of a pair with one achromatic colour is the sum of the two angles.
    """
    L1, a1, b1 = first
    L2, a2, b2 = second
    C1, C2 = math.hypot(a1, b1), math.hypot(a2, b2)
    C_mean7 = ((C1 + C2) / 2) ** 7
    G = 0.5 * (1 - math.sqrt(C_mean7 / (C_mean7 + 25**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = math.hypot(a1p, b1), math.hypot(a2p, b2)

    def hue(b: float, ap: float) -> float:
        return 0.0 if b == 0 and ap == 0 else math.degrees(math.atan2(b, ap)) % 360

    h1p, h2p = hue(b1, a1p), hue(b2, a2p)
    dLp = L2 - L1
    dCp = C2p - C1p
    if C1p * C2p == 0:
        dhp = 0.0
    else:
        dhp = h2p - h1p
        if dhp > 180:
            dhp -= 360
        elif dhp < -180:
            dhp += 360
    dHp = 2 * math.sqrt(C1p * C2p) * math.sin(math.radians(dhp) / 2)

    Lp_mean = (L1 + L2) / 2
    Cp_mean = (C1p + C2p) / 2
    if C1p * C2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_mean = (h1p + h2p + 360) / 2
    else:
        hp_mean = (h1p + h2p - 360) / 2

    T = (1 - 0.17 * math.cos(math.radians(hp_mean - 30))
         + 0.24 * math.cos(math.radians(2 * hp_mean))
         + 0.32 * math.cos(math.radians(3 * hp_mean + 6))
         - 0.20 * math.cos(math.radians(4 * hp_mean - 63)))
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    Cp_mean7 = Cp_mean**7
    R_C = 2 * math.sqrt(Cp_mean7 / (Cp_mean7 + 25**7))
    S_L = 1 + 0.015 * (Lp_mean - 50) ** 2 / math.sqrt(20 + (Lp_mean - 50) ** 2)
    S_C = 1 + 0.045 * Cp_mean
    S_H = 1 + 0.015 * Cp_mean * T
    R_T = -math.sin(math.radians(2 * d_theta)) * R_C
    return math.sqrt(
        (dLp / (kL * S_L)) ** 2
        + (dCp / (kC * S_C)) ** 2
        + (dHp / (kH * S_H)) ** 2
        + R_T * (dCp / (kC * S_C)) * (dHp / (kH * S_H))
    )


INK_LIMIT = 300.0
"""Highest total ink (C + M + Y + K, %) a colour may use: the palette's rule for coated offset,
below FOGRA39's 330 % so solids dry and do not set off on the next sheet."""

_DIRECTIONS = [d for d in itertools.product((-1, 0, 1), repeat=4) if any(d)]
"""Every way to change some of the four inks by one step (80 directions)."""


def total_ink(cmyk: Sequence[float]) -> float:
    """Return the total area coverage (C + M + Y + K, in percent) of an ink mix."""
    return float(sum(cmyk))


class OutputProfile:
    """A CMYK output ICC profile: what ink values print as, and which ink values print a colour.

    *To Lab* (:meth:`lab`) is the profile's forward table (A2B1, relative colorimetric: paper
    white is L* 100), the model of the printing condition itself.  *To CMYK* (:meth:`cmyk`)
    starts from the profile's inverse table (B2A1, relative colorimetric) and then corrects it
    against the forward table (see :meth:`cmyk` for why).  LittleCMS works on 8-bit values in
    Pillow, so a printed colour is known to within about ±0.4 L* and ±0.7 a*/b*.

    No black point compensation: it would map sRGB black onto the press's darkest black and so
    lift every dark colour towards it (with the bundled profile, whose black is L* 9.8, the navy
    #012d53 at L* 17.5 would print at L* 24.7, ΔE2000 5.7).  That suits photographs with shadow
    detail; the palette is flat colours chosen inside the print gamut, and they should print as
    designed.
    """

    def __init__(self, path: Path, ink_limit: float = INK_LIMIT) -> None:
        self.path = path
        self.ink_limit = ink_limit
        profile = ImageCms.getOpenProfile(str(path))
        if profile.profile.xcolor_space.strip() != "CMYK":
            raise ValueError(f"{path}: not a CMYK profile")
        self.description = ImageCms.getProfileDescription(profile).strip()
        relative = ImageCms.Intent.RELATIVE_COLORIMETRIC
        self._to_cmyk = ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), profile, "RGB", "CMYK", relative
        )
        self._to_lab = ImageCms.buildTransform(
            profile, ImageCms.createProfile("LAB"), "CMYK", "LAB", relative
        )

    def separate(self, rgb: str) -> tuple[int, int, int, int]:
        """Return the profile's own CMYK for sRGB *rgb* (its B2A1 table), in whole percent."""
        image = ImageCms.applyTransform(Image.new("RGB", (1, 1), hex_rgb(rgb)), self._to_cmyk)
        assert image is not None
        c, m, y, k = (round(v * 100 / 255) for v in image.getpixel((0, 0)))  # type: ignore[union-attr]
        return (c, m, y, k)

    def cmyk(self, rgb: str) -> tuple[int, int, int, int]:
        """Return the whole-percent ink values [C, M, Y, K] that print sRGB *rgb* most closely.

        The profile's inverse table is only a starting point: an inverse is stored as a coarse
        grid, and the bundled profile's misses light tints by up to ΔE2000 4.7 (it adds its
        ramp black to them and loses their chroma) and saturated darks by up to 3.7.  So the
        ink values are then improved step by step (8, 4, 2, 1 %, every combination of the four
        inks) while the forward table says they print closer to the design colour, within the
        total ink limit.  The search is deterministic and takes a few milliseconds.
        """
        target = srgb_lab(rgb)
        best = self._within_limit(self.separate(rgb))
        best_error = delta_e_2000(target, self.lab(best))
        for step in (8, 4, 2, 1):
            while True:
                candidates = []
                for direction in _DIRECTIONS:
                    candidate = tuple(min(100, max(0, v + step * d))
                                      for v, d in zip(best, direction, strict=True))
                    if candidate != best and sum(candidate) <= self.ink_limit:
                        candidates.append(candidate)
                if not candidates:
                    break
                errors = [delta_e_2000(target, lab) for lab in self.labs(candidates)]
                index = min(range(len(errors)), key=errors.__getitem__)
                if errors[index] >= best_error:
                    break
                best, best_error = candidates[index], errors[index]
        c, m, y, k = best
        return (c, m, y, k)

    def _within_limit(self, cmyk: tuple[int, ...]) -> tuple[int, ...]:
        """Return *cmyk* with C, M and Y scaled down (K kept) to meet the ink limit."""
        c, m, y, k = cmyk
        excess = c + m + y + k - self.ink_limit
        if excess <= 0:
            return cmyk
        scale = max(0.0, (c + m + y - excess) / (c + m + y))
        return (math.floor(c * scale), math.floor(m * scale), math.floor(y * scale), k)

    def lab(self, cmyk: Sequence[float]) -> Lab:
        """Return the CIELAB (D50) colour that ink percentages *cmyk* print as."""
        return self.labs([cmyk])[0]

    def labs(self, colours: Sequence[Sequence[float]]) -> list[Lab]:
        """Return :meth:`lab` of many ink mixes at once (one LittleCMS call)."""
        pixels = []
        for cmyk in colours:
            if len(cmyk) != 4 or not all(0 <= v <= 100 for v in cmyk):
                raise ValueError(f"not CMYK percentages 0-100: {cmyk!r}")
            c, m, y, k = (round(v * 255 / 100) for v in cmyk)
            pixels.append((c, m, y, k))
        image = Image.new("CMYK", (len(pixels), 1))
        image.putdata(pixels)
        lab = ImageCms.applyTransform(image, self._to_lab)
        assert lab is not None
        # Pillow packs LAB pixels as L* 0-100 scaled to 0-255 and a*, b* as signed bytes.
        return [Lab(L * 100 / 255, a, b) for L, a, b in struct.iter_unpack("Bbb", lab.tobytes())]

    def printed_delta_e(self, rgb: str, cmyk: Sequence[float]) -> float:
        """Return CIEDE2000 between design colour *rgb* and what *cmyk* prints as."""
        return delta_e_2000(srgb_lab(rgb), self.lab(cmyk))


__all__ = [
    "Lab", "OutputProfile", "contrast_ratio", "delta_e_2000", "hex_rgb", "relative_luminance",
    "srgb_lab", "total_ink",
]
