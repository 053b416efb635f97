"""The consumer label: plain answers derived from the PSTI verdicts and the profile, an SVG that parses and says
them as text, a PNG checked as an image (size, the result band's colour, the QR code read back module by module
and by a decoder), and hostile strings escaped and fitted."""

import io
import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
import segno
from click.testing import CliRunner
from PIL import Image

from iotbaseline.catalogue import default_catalogue
from iotbaseline.errors import EXIT_USAGE_ERROR, InputError
from iotbaseline.label.contrast import contrast_ratio
from iotbaseline.label.facts import LabelFacts, check_report_url, label_facts
from iotbaseline.label.layout import HEIGHT, MARGIN, WIDTH, LabelLayout, lay_out
from iotbaseline.label.qr import QUIET_ZONE
from iotbaseline.label.render import PNG_SCALE, render_png, render_svg
from iotbaseline.label.textfit import ELLIPSIS, fit_lines, text_width
from iotbaseline.label.wording import LabelDataError, State, default_widths, default_wording, parse_wording
from iotbaseline.label_cli import label
from iotbaseline.model import Assessment, Input, Verdict, VerdictValue
from iotbaseline.profile.loader import load_profile, parse_profile
from iotbaseline.profile.model import ProductProfile

PROFILE = Path(__file__).parents[1] / "fixtures" / "statement" / "profile-complete.yaml"
URL = "https://reports.example/acme/ac-cam-200/2026-11-26.html"
TODAY = date(2026, 11, 26)
SVG = "{http://www.w3.org/2000/svg}"
PASS, FAIL, INCONCLUSIVE = VerdictValue.PASS, VerdictValue.FAIL, VerdictValue.INCONCLUSIVE


def assessment(psti: dict[str, VerdictValue], others: tuple[Verdict, ...] = ()) -> Assessment:
    return Assessment(
        tool_version="0.9.1",
        created="2026-11-26T09:08:22+00:00",
        product={},
        inputs=(Input("firmware", "samples/camera-2.4.0.bin"),),
        findings=(),
        verdicts=tuple(Verdict("PSTI", key, value, "why") for key, value in psti.items()) + others,
    )


def facts(
    psti: dict[str, VerdictValue],
    profile: ProductProfile | None = None,
    url: str | None = URL,
    others: tuple[Verdict, ...] = (),
) -> LabelFacts:
    return label_facts(assessment(psti, others), default_catalogue(), default_wording(), profile, url, TODAY)


def layout_of(label_facts_: LabelFacts) -> LabelLayout:
    return lay_out(label_facts_, default_wording(), default_widths())


def svg_texts(svg: str) -> str:
    """Every <text> of the SVG, in order, joined by spaces: what is drawn, lines wrapped or not."""
    root = ET.fromstring(svg.encode("utf-8"))
    return " ".join(element.text or "" for element in root.iter(f"{SVG}text"))


@pytest.fixture(scope="module")
def profile() -> ProductProfile:
    return load_profile(PROFILE)


# --- what the label says -----------------------------------------------------------------------------------------


def test_all_three_psti_requirements_met_reads_as_meeting_the_baseline(profile: ProductProfile) -> None:
    result = facts({"1": PASS, "2": PASS, "3": PASS}, profile)
    assert result.result is State.GOOD
    assert result.headline == "Meets the UK legal security baseline"
    assert (result.password.answer, result.password.detail) == (
        "Yes",
        "You choose your own password when you set it up.",
    )
    assert (result.updates.answer, result.updates.state) == ("30 June 2031", State.GOOD)
    assert (result.report.answer, result.report.state) == ("security@acme.example", State.GOOD)
    assert result.product == "AC-CAM-200"
    assert result.maker == "Indoor security camera by Acme Connected Devices Ltd"
    assert (result.checked, result.tool) == ("Checked on 26 November 2026", "with iotbaseline 0.9.1")


def test_a_failed_password_requirement_reads_no_and_does_not_meet(profile: ProductProfile) -> None:
    result = facts({"1": FAIL, "2": PASS, "3": PASS}, profile)
    assert result.result is State.BAD
    assert result.headline == "Does not meet the UK legal security baseline"
    assert (result.password.answer, result.password.state) == ("No", State.BAD)
    # the profile's "you set your own" is not repeated against the evidence
    assert result.password.detail == "The check found a password that is the same on every unit, or easy to guess."


def test_anything_undecided_or_unjudged_reads_not_fully_assessed(profile: ProductProfile) -> None:
    assert facts({"1": PASS, "2": INCONCLUSIVE, "3": PASS}, profile).headline == "Not fully assessed"
    assert facts({"1": PASS, "2": PASS}, profile).result is State.UNKNOWN  # requirement 3 not judged at all
    nothing = facts({}, profile)
    assert nothing.result is State.UNKNOWN
    assert (nothing.password.answer, nothing.password.state) == ("Not confirmed", State.UNKNOWN)


def test_the_result_comes_only_from_the_psti_verdicts(profile: ProductProfile) -> None:
    other_standard_fails = (Verdict("EN303645", "5.1-1", FAIL, "x"), Verdict("CRA", "I.2(a)", FAIL, "y"))
    assert facts({"1": PASS, "2": PASS, "3": PASS}, profile, others=other_standard_fails).result is State.GOOD
    other_standard_passes = (Verdict("EN303645", "5.1-1", PASS, "x"),)
    assert facts({"1": INCONCLUSIVE}, profile, others=other_standard_passes).password.answer == "Not confirmed"


def test_without_a_profile_what_only_the_manufacturer_can_say_is_not_stated() -> None:
    result = facts({"1": PASS, "2": PASS, "3": PASS}, None)
    assert (result.updates.answer, result.updates.state) == ("Not stated", State.UNKNOWN)
    assert (result.report.answer, result.report.state) == ("Not stated", State.UNKNOWN)
    assert result.password.detail == ""
    assert result.product == "camera-2.4.0.bin"


def test_an_ended_support_period_is_shown_as_ended() -> None:
    ended = parse_profile("support_period:\n  end_date: 2024-01-31\nfeatures:\n  uses_passwords: no\n")
    result = facts({"1": PASS}, ended)
    assert (result.updates.answer, result.updates.state) == ("31 January 2024", State.BAD)
    assert result.updates.detail == "Security updates for this product have ended."
    assert result.password.detail == "It does not use passwords."


def test_report_urls_must_be_web_addresses_short_enough_for_a_qr_code() -> None:
    assert check_report_url(URL) == URL
    for bad in ("javascript:alert(1)", "reports.example/x", "https://a.example/x y", "https://a.example/" + "a" * 400):
        with pytest.raises(InputError):
            check_report_url(bad)


# --- the SVG ------------------------------------------------------------------------------------------------------


def test_svg_parses_and_says_everything_as_text(profile: ProductProfile) -> None:
    svg = render_svg(layout_of(facts({"1": PASS, "2": PASS, "3": PASS}, profile)))
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert (root.get("width"), root.get("height")) == (str(WIDTH), str(HEIGHT))
    assert root.get("font-family", "").startswith("'DejaVu Sans', 'Liberation Sans', Arial")
    assert root.findtext(f"{SVG}title") == "Security facts: AC-CAM-200"
    description = root.findtext(f"{SVG}desc") or ""
    assert "No universal default password: Yes." in description and "Overall: Meets" in description
    texts = svg_texts(svg)
    for expected in (
        "No universal default password Yes You choose your own password",
        "You choose your own password when you set it up.",
        "Security updates until",
        "30 June 2031",
        "Report a security problem",
        "security@acme.example",
        "Meets the UK legal security baseline",
        "Checked on 26 November 2026",
        "with iotbaseline 0.9.1",
        "Scan for the full report",
    ):
        assert expected in texts, expected
    assert root.find(f"{SVG}a").get("href") == URL  # type: ignore[union-attr]
    assert not [element for element in root.iter() if element.tag.endswith(("script", "foreignObject", "image"))]


def test_svg_of_a_failing_assessment_says_so_in_words_and_icons(profile: ProductProfile) -> None:
    svg = render_svg(layout_of(facts({"1": FAIL, "2": PASS, "3": INCONCLUSIVE}, profile, url=None)))
    texts = svg_texts(svg)
    assert "Does not meet the UK legal security baseline" in texts and "No universal default password No" in texts
    assert "Meets the UK legal security baseline" not in texts
    assert "Scan for the full report" not in texts and "<a " not in svg  # no URL, no QR code
    root = ET.fromstring(svg.encode("utf-8"))
    icon_classes = [group.get("class") for group in root.iter(f"{SVG}g")]
    assert icon_classes.count("icon icon-bad") == 2  # the password row and the result band


def test_hostile_strings_are_escaped_and_fitted() -> None:
    hostile = parse_profile(
        "manufacturer:\n"
        '  name: "<script>alert(1)</script> & Sons ]]> \\x1b[2J"\n'
        "product:\n"
        f'  model_designation: "{"W" * 500}"\n'
        f'  product_type: "</text><script>x</script>{"漢" * 80}"\n'
        "vulnerability_disclosure:\n"
        f'  contact: "sec-{"W" * 300}@example.com"\n'
    )
    layout = layout_of(facts({"1": PASS}, hostile))
    svg = render_svg(layout)
    root = ET.fromstring(svg.encode("utf-8"))  # still well-formed XML
    assert not [element for element in root.iter() if element.tag.endswith("script")]
    assert "<script>" not in svg and "\x1b" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons ]]&gt; \\x1b[2J" in svg  # in <desc>
    widths = default_widths()
    for line in layout.lines:
        assert line.anchor != "start" or line.x + text_width(line.text, line.size, widths) <= WIDTH - MARGIN, line
    model_lines = [line.text for line in layout.lines if line.text.startswith("WWW") and line.size == 26]
    assert len(model_lines) == 2 and model_lines[-1].endswith(ELLIPSIS)
    assert layout.content_bottom <= layout.footer_top


def test_fit_lines_wraps_breaks_long_words_and_truncates() -> None:
    widths = default_widths()
    assert fit_lines("one two three", 10, 1000, 1, widths) == ("one two three",)
    lines = fit_lines("alpha beta gamma delta", 20, 130, 2, widths)
    assert len(lines) == 2 and lines[-1].endswith(ELLIPSIS)
    broken = fit_lines("x" * 200, 16, 100, 3, widths)
    assert len(broken) == 3 and all(text_width(line, 16, widths) <= 100 for line in broken)
    assert fit_lines("a\u202eb\x00c", 16, 500, 1, widths) == ("a\\u202eb\\x00c",)


def test_the_palette_is_held_to_wcag_aa_when_loaded() -> None:
    wording = default_wording()
    for colours in wording.palette.states.values():
        assert contrast_ratio(colours.text, colours.background) >= 4.5
        assert contrast_ratio(colours.background, wording.palette.paper) >= 3
    from importlib.resources import files

    text = files("iotbaseline").joinpath("data/label/label.yaml").read_text(encoding="utf-8")
    with pytest.raises(LabelDataError, match="contrast"):
        parse_wording(text.replace('good: {background: "#1b5e20"', 'good: {background: "#66bb6a"'))


# --- the PNG ------------------------------------------------------------------------------------------------------


def png_of(layout: LabelLayout) -> Image.Image:
    image = Image.open(io.BytesIO(render_png(render_svg(layout), layout)))
    image.load()
    return image.convert("RGB")


def test_png_has_the_expected_size_and_the_result_band_in_its_colour(profile: ProductProfile) -> None:
    for psti, state in (({"1": PASS, "2": PASS, "3": PASS}, State.GOOD), ({"1": FAIL}, State.BAD)):
        layout = layout_of(facts(psti, profile))
        image = png_of(layout)
        assert image.size == (WIDTH * PNG_SCALE, HEIGHT * PNG_SCALE)
        band = layout.result_band
        colours = default_wording().palette.states[state]
        # the band's left edge, clear of icon and text, is the state's colour
        sample = image.getpixel((int((band.x + 8) * PNG_SCALE), int((band.y + band.height / 2) * PNG_SCALE)))
        assert isinstance(sample, tuple)
        assert "#" + "".join(f"{channel:02x}" for channel in sample) == colours.background
        # its headline is drawn: text-coloured pixels, at AA contrast against the band
        left, top, right, bottom = (band.x + 80, band.y + 8, band.x + band.width - 8, band.y + 45)
        region = image.crop((left * PNG_SCALE, top * PNG_SCALE, right * PNG_SCALE, bottom * PNG_SCALE))
        data = region.tobytes()
        pixels = [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data), 3)]
        text_pixels = [p for p in pixels if contrast_ratio(p, colours.background) >= 4.5]
        assert len(text_pixels) > 500


def test_png_qr_code_holds_the_url_module_for_module(profile: ProductProfile) -> None:
    layout = layout_of(facts({"1": PASS, "2": PASS, "3": PASS}, profile))
    image = png_of(layout).convert("L")
    qr = layout.qr
    assert qr is not None
    expected = segno.make_qr(URL, error="m", boost_error=True).matrix
    origin_x, origin_y = (qr.x + qr.module * QUIET_ZONE) * PNG_SCALE, (qr.y + qr.module * QUIET_ZONE) * PNG_SCALE
    step = qr.module * PNG_SCALE
    assert step >= 3  # at least 3 pixels a module at this scale
    size = len(expected)

    def dark(row: int, column: int) -> bool:
        pixel = image.getpixel((int(origin_x + (column + 0.5) * step), int(origin_y + (row + 0.5) * step)))
        return isinstance(pixel, int) and pixel < 128

    read_back = [[dark(row, column) for column in range(size)] for row in range(size)]
    assert read_back == [[bool(module) for module in row] for row in expected]
    # the quiet zone around it is light
    ring = [(-2, c) for c in range(-2, size + 2)] + [(size + 1, c) for c in range(-2, size + 2)]
    ring += [(r, -2) for r in range(size)] + [(r, size + 1) for r in range(size)]
    assert not any(dark(row, column) for row, column in ring)


def test_png_qr_code_decodes_back_to_the_url(profile: ProductProfile) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = png_of(layout_of(facts({"1": FAIL}, profile)))
    assert [result.text for result in zxingcpp.read_barcodes(image)] == [URL]


# --- the command line ---------------------------------------------------------------------------------------------


def test_cli_writes_svg_and_png(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(assessment({"1": PASS, "2": PASS, "3": PASS}).to_dict()))
    out = tmp_path / "label"
    result = CliRunner().invoke(
        label, ["--report", str(report), "--profile", str(PROFILE), "--url", URL, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Meets the UK legal security baseline" in result.stderr
    assert ET.parse(out / "label.svg").getroot().tag == f"{SVG}svg"
    with Image.open(out / "label.png") as image:
        assert image.size == (WIDTH * PNG_SCALE, HEIGHT * PNG_SCALE)


def test_cli_refuses_a_bad_url_or_report_without_writing(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(assessment({"1": PASS}).to_dict()))
    runner = CliRunner()
    bad_url = runner.invoke(label, ["--report", str(report), "--url", "ftp://x", "-o", str(tmp_path / "a")])
    assert bad_url.exit_code == EXIT_USAGE_ERROR and "https://" in bad_url.stderr
    (tmp_path / "broken.json").write_text("{not json")
    broken = runner.invoke(label, ["--report", str(tmp_path / "broken.json"), "-o", str(tmp_path / "b")])
    assert broken.exit_code == EXIT_USAGE_ERROR and "not JSON" in broken.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
