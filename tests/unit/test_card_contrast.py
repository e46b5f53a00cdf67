"""Contrast (issue 25 item 12): no card's text or button rests on a colour that Teams draws
below WCAG's 4.5:1, in its light or its dark theme, and no status is told by colour alone.

The rule is held on the templates themselves, so it needs nothing but the repository: text is
coloured only "Default" or "Accent" (Accent never subtle), a colour is written in the template,
never chosen per state (a state is a word: "Answered", "Ratified", "RED"), and containers are
only "default" or "emphasis" (Teams draws buttons and the dark theme's text on the coloured
ones' pale backgrounds: a button on the "good" box was 1.12:1). The rule is checked against
Microsoft's Teams host configs (shipped in npm `adaptivecards-designer`, copied in
tests/support/teams_host_configs): every colour and container it allows is at least 4.5:1 in both.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "cards" / "templates").glob("*.j*"))
# Microsoft's, copied (tests/support/teams_host_configs/README.md): read from node_modules they
# were skipped wherever `npm ci` had not been run, CI included, so the contrast could not fail
HOST_CONFIGS = ROOT / "tests/support/teams_host_configs"
DESIGNER = ROOT / "tools/card_renderer/node_modules/adaptivecards-designer/lib/hostConfigs"

TEXT_COLOURS = {"default", "accent"}
CONTAINER_STYLES = {"default", "emphasis"}
COLOURED_STYLES = {"good", "attention", "warning", "accent"}  # Container, Column, Table, cell
WCAG_AA = 4.5

COLOUR = re.compile(r'"color"\s*:\s*([^,}\n]+)')
STYLE = re.compile(r'"style"\s*:\s*([^,}\n]+)')


def literal(value: str) -> str | None:
    """A template's value as written: "Accent" -> accent; a {{ expression }} -> None."""
    value = value.strip()
    if value.startswith('"') and value.endswith('"') and "{{" not in value:
        return value.strip('"').casefold()
    return None


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_text_colours_are_written_in_the_template_and_readable_in_both_themes(
    template: Path,
) -> None:
    source = template.read_text(encoding="utf-8")
    for line in source.splitlines():
        for value in COLOUR.findall(line):
            colour = literal(value)
            assert colour is not None, f"{template.name}: a colour chosen per state: {line.strip()}"
            assert colour in TEXT_COLOURS, f"{template.name}: {colour} text is below 4.5:1"
            if colour == "accent":
                assert '"isSubtle": true' not in line, f"{template.name}: subtle accent"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_coloured_container_holds_text_or_buttons(template: Path) -> None:
    source = template.read_text(encoding="utf-8")
    for value in STYLE.findall(source):
        style = literal(value)
        assert style is not None, f"{template.name}: a style chosen per state: {value}"
        assert style not in COLOURED_STYLES, f"{template.name}: a {style} container"


# -- the rule against Teams' own host configs, where npm has installed them ------------------


def rgb(colour: str, background: tuple[float, ...] = (1.0, 1.0, 1.0)) -> tuple[float, ...]:
    """#rrggbb or #aarrggbb (alpha first, as the host configs write it) over a background."""
    digits = colour.lstrip("#")
    alpha = int(digits[:2], 16) / 255 if len(digits) == 8 else 1.0
    channels = [int(digits[-6:][i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(channels, background, strict=True))


def luminance(channels: tuple[float, ...]) -> float:
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: tuple[float, ...], background: tuple[float, ...]) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def host_config(theme: str) -> dict:
    path = HOST_CONFIGS / f"microsoft-teams-{theme}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_host_configs_are_microsofts_as_the_renderer_installs_them(theme: str) -> None:
    installed = DESIGNER / f"microsoft-teams-{theme}.json"
    if not installed.exists():
        pytest.skip("compared only where `npm ci` has been run in tools/card_renderer")
    assert host_config(theme) == json.loads(installed.read_text(encoding="utf-8"))


def ratio(config: dict, style: str, colour: str, subtle: bool) -> float:
    styles = {k.casefold(): v for k, v in config["containerStyles"].items()}
    container = styles[style]
    background = rgb(container["backgroundColor"])
    colours = {k.casefold(): v for k, v in container["foregroundColors"].items()}
    foreground = rgb(colours[colour]["subtle" if subtle else "default"], background)
    return contrast(foreground, background)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_what_the_rule_allows_is_at_least_4_5_to_1_in_teams(theme: str) -> None:
    config = host_config(theme)
    for style in CONTAINER_STYLES:
        assert ratio(config, style, "default", subtle=False) >= WCAG_AA
        assert ratio(config, style, "default", subtle=True) >= WCAG_AA
        assert ratio(config, style, "accent", subtle=False) >= WCAG_AA


def test_and_what_it_refuses_is_below_it() -> None:
    light, dark = host_config("light"), host_config("dark")
    assert round(ratio(light, "default", "good", subtle=False), 2) == 2.07  # "Answered"
    assert ratio(light, "default", "warning", subtle=False) < WCAG_AA  # "AMBER"
    assert ratio(dark, "default", "attention", subtle=False) < WCAG_AA  # "Not ratified"
    assert ratio(light, "default", "accent", subtle=True) < WCAG_AA
