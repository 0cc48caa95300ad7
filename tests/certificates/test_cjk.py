"""Chinese text renders: the CJK font (Debian fonts-wqy-zenhei, installed by `make fonts` and .ci/run)
is embedded in the PDF, with no network fetch (pacm issue 9)."""
import os
from pathlib import Path

import pytest

from projects import services
from projects.certificates.render import CJK_FONT_FILE
from projects.cycle import ActivityState as A
from tests import factories as f

from .conftest import CHINESE_BENEFICIARY, CHINESE_TITLE, K, doc, pdf_fonts, pdf_text, stored

if not Path(CJK_FONT_FILE).exists():
    if os.environ.get("PACM_REQUIRE_CJK_FONT"):
        raise RuntimeError(f"{CJK_FONT_FILE} is missing: `make fonts` installs Debian's fonts-wqy-zenhei")
    pytest.skip("the CJK font package (fonts-wqy-zenhei) is not installed: `make fonts`", allow_module_level=True)

CJK = "WenQuanYi-Zen-Hei"


def test_a_chinese_beneficiary_renders_with_the_cjk_font_embedded(world, cancelled):
    data = stored(doc(K.USE, cancelled.pk))
    assert CJK_FONT_FILE.endswith("wqy-zenhei.ttc")
    assert any(name.startswith(CJK) for name in pdf_fonts(data)), pdf_fonts(data)
    assert CHINESE_BENEFICIARY in pdf_text(data)


def test_a_chinese_activity_title_renders_on_its_registration_certificate(world, advance_to):
    activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, title=CHINESE_TITLE))
    registered = advance_to(activity, A.REGISTERED)
    data = stored(doc(K.REGISTRATION, registered.pk))
    assert any(name.startswith(CJK) for name in pdf_fonts(data))
    assert CHINESE_TITLE in pdf_text(data)


def test_latin_only_documents_do_not_embed_the_cjk_font(world, issued):
    data = stored(doc(K.ISSUANCE, issued.issuance.pk))
    fonts = pdf_fonts(data)
    assert "DejaVu-Sans" in fonts and not any(name.startswith(CJK) for name in fonts), fonts
