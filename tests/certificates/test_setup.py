"""The project's own setup installs what the PDFs need, and CI never skips the font test (pacm issue 9)."""
from pathlib import Path

from projects.certificates.pdf import STYLESHEET
from projects.certificates.render import CJK_FONT, CJK_FONT_FILE

ROOT = Path(__file__).resolve().parents[2]


def test_make_install_and_ci_install_the_cjk_font():
    makefile = (ROOT / "Makefile").read_text()
    assert "install: $(STAMP) fonts" in makefile
    assert f"CJK_FONT := {CJK_FONT_FILE}" in makefile and "fonts-wqy-zenhei" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "export PACM_REQUIRE_CJK_FONT=1\nmake fonts\n" in ci
    assert ci.index("make fonts") < ci.index('for target in test test-services')


def test_the_stylesheet_names_the_font_and_fetches_nothing():
    css = STYLESHEET.read_text()
    assert f'"{CJK_FONT}"' in css
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_weasyprint_and_qrcode_are_pinned():
    pins = (ROOT / "requirements.txt").read_text().splitlines()
    assert "weasyprint==70.0" in pins and "qrcode==8.2" in pins
