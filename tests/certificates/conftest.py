"""A registered activity whose documents were generated on commit, an issued period, a cancellation.

Every write that calls for a document runs inside `django_capture_on_commit_callbacks(execute=True)`,
so the task dispatched on commit (projects.certificates.dispatch) runs as it would after a real commit.
"""
import io
import re

import pytest

from projects.certificates.models import DocumentKind, IssuedDocument
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from tests.issuance.conftest import drive, period_dates, period_over, registered, submit  # noqa: F401 (fixtures)

K = DocumentKind
CHINESE_BENEFICIARY = "中国绿色出行基金会"
CHINESE_TITLE = "内蒙古风电项目"


@pytest.fixture
def activity(world, django_capture_on_commit_callbacks):
    """The personas' activity (tests/conftest.py), its writes' documents generated on commit."""
    from projects import services
    from tests import factories as f

    return services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))


@pytest.fixture
def advance_to(world, django_capture_on_commit_callbacks):
    from tests.conftest import advance

    def _advance(activity, until):
        with django_capture_on_commit_callbacks(execute=True):
            return advance(world, activity, until)

    return _advance


@pytest.fixture
def issued(world, registered, submit, drive):  # noqa: F811
    """Monitoring period 1 of the registered activity, issued (30,000 verified) to ama's holding account."""
    return drive(submit(registered), P.ISSUED)


@pytest.fixture
def cancelled(world, issued, django_capture_on_commit_callbacks):
    """A voluntary cancellation of 1,200 units with a Chinese beneficiary, its certificate generated on commit."""
    from pacm.registry.services import units_cancel_voluntarily

    with django_capture_on_commit_callbacks(execute=True):
        return units_cancel_voluntarily(user=world.ama, from_account=world.acct, quantity=1_200,
                                        purpose="Voluntary claim for the 2026 fleet", beneficiary=CHINESE_BENEFICIARY)


def doc(kind, subject_id):
    return IssuedDocument.objects.get(kind=kind, subject_id=subject_id)


def pdf_text(data):
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap where the page does: compare words


def pdf_fonts(data):
    """The base names of the fonts the PDF embeds, subset prefix removed ("ABCDEF+Name" -> "Name")."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"]).lstrip("/")))
    return names


def stored(document):
    with document.file.open("rb") as handle:
        return handle.read()


__all__ = ["A", "K", "P", "doc", "pdf_fonts", "pdf_text", "stored"]
