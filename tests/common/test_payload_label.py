"""The timeline's payload keys read as words (pacm issue 9, "People"): `payload_label`."""
import pytest

from pacm.common.templatetags.words_tags import payload_label


@pytest.mark.parametrize("key, label", [
    ("monitoring_period", "Monitoring period"),
    ("monitoring period", "Monitoring period"),  # event_items hands it over with spaces already
    ("sha256", "SHA-256"),
    ("doe_id", "DOE ID"),
    ("sop_exemption_opt_out", "SOP exemption opt out"),
    ("authorized_participants", "Authorized participants"),
    ("first_transfer", "First transfer"),
    ("uses", "Uses"),
    ("ndc", "NDC"),
    ("poa", "PoA"),
    ("fnrb", "fNRB"),  # an acronym keeps its own case, even first
    ("iso2", "ISO code"),
    ("", ""),
    ("__", ""),
])
def test_payload_label_reads_a_key_as_words_with_acronyms_as_written(key, label):
    assert payload_label(key) == label
