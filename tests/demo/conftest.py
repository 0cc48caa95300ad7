"""Demo mode for a test: the setting on and the database marked (pacm.demo), the clock's memo fresh."""
import pytest

from pacm.common import clock
from pacm.demo.services import demo_mark


@pytest.fixture(autouse=True)
def _fresh_clock():
    clock.forget()
    yield
    clock.forget()


@pytest.fixture
def demo(db, settings):
    settings.PACM_DEMO_CLOCK = True
    return demo_mark()
