"""Issue 11, part 3: uploads are checked by their structure (pacm.common.uploads), and a file is
kept only by a transaction that commits.

Limits are settings (PACM_UPLOAD_PDF_MAX_OBJECTS, PACM_UPLOAD_ZIP_*); each test that needs a
small limit sets it, so the files stay small.
"""
import datetime
import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from pacm.common import uploads
from pacm.common.errors import ServiceError
from projects import services
from projects.models import DocumentVersion, MonitoringPeriod
from projects.services import design
from tests import factories as f

from .conftest import rows, stored_files


def check(name, content):
    """The content type the upload is stored with, or the message that refuses it."""
    try:
        return uploads.upload_check(SimpleUploadedFile(name, content))
    except ServiceError as error:
        assert error.field == "file"
        return error.message


def pdf_written(build=None, **encrypt):
    writer = PdfWriter()
    writer.add_blank_page(72, 72)
    if build:
        build(writer)
    if encrypt:
        writer.encrypt(algorithm="RC4-128", **encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def javascript(writer):
    from pypdf.actions import JavaScript

    writer.add_open_action(JavaScript("app.alert('hello');"))


def launch(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})


def test_upload_check_of_the_design_service_is_the_structural_check():
    assert design.upload_check(SimpleUploadedFile("a.pdf", f.pdf_bytes())) == "application/pdf"
    with pytest.raises(ServiceError, match="cannot be read"):
        design.upload_check(SimpleUploadedFile("a.pdf", b"%PDF-1.4\nnot really\n%%EOF\n"))


# --- PDF --------------------------------------------------------------------------------------


def test_a_real_pdf_is_accepted():
    assert check("a.pdf", f.pdf_bytes("report")) == "application/pdf"
    assert check("a.pdf", pdf_written()) == "application/pdf"


@pytest.mark.parametrize("content", [
    b"%PDF-1.4\nPDD first\n%%EOF\n",  # the first bytes of a PDF, and nothing a reader can open
    b"%PDF-1.7\n" + os.urandom(2000),
    f.pdf_bytes()[:60],
], ids=["header-only", "random", "truncated"])
def test_a_file_that_only_starts_like_a_pdf_is_refused(content):
    assert check("a.pdf", content) == "The file does not look like a PDF: it cannot be read."


def test_a_file_that_does_not_start_like_a_pdf_is_refused():
    assert check("a.pdf", b"<html>not a pdf</html>") == "The file does not look like a PDF."


@pytest.mark.parametrize("build, what", [
    (javascript, "JavaScript"),
    (launch, "a launch action"),
], ids=["javascript", "launch"])
def test_scripts_and_launch_actions_are_refused(build, what):
    assert check("a.pdf", pdf_written(build)) == f"The PDF carries {what}: upload a version without scripts or actions."


def test_an_obfuscated_javascript_name_is_refused():
    """A name may spell its letters as #xx escapes: /J#61vaScript is /JavaScript."""
    content = f.pdf_bytes().replace(b"<</Type/Catalog/Pages 2 0 R>>",
                                    b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>")
    assert "carries JavaScript" in check("a.pdf", content)


def test_an_embedded_program_is_refused_by_its_name_or_its_first_bytes():
    named = pdf_written(lambda w: w.add_attachment("setup.exe", b"harmless bytes"))
    assert check("a.pdf", named) == "The PDF carries an embedded program (setup.exe): upload it without."
    disguised = pdf_written(lambda w: w.add_attachment("data.txt", b"MZ\x90\x00\x03" + b"\x00" * 60))
    assert check("a.pdf", disguised) == "The PDF carries an embedded program: upload the document without it."
    elf = pdf_written(lambda w: w.add_attachment("tool", b"\x7fELF\x02\x01\x01" + b"\x00" * 60))
    assert "embedded program" in check("a.pdf", elf)


def test_an_embedded_document_is_accepted():
    assert check("a.pdf", pdf_written(lambda w: w.add_attachment("data.csv", b"year,t\n2026,100\n"))) == "application/pdf"


def test_a_password_protected_pdf_is_refused_and_an_owner_only_one_is_checked():
    assert "password-protected" in check("a.pdf", pdf_written(user_password="secret", owner_password="owner"))
    assert check("a.pdf", pdf_written(user_password="", owner_password="owner")) == "application/pdf"
    scripted = pdf_written(javascript, user_password="", owner_password="owner")
    assert "carries JavaScript" in check("a.pdf", scripted)


def test_a_pdf_with_more_objects_than_the_limit_is_refused(settings):
    settings.PACM_UPLOAD_PDF_MAX_OBJECTS = 3
    assert check("a.pdf", f.pdf_bytes()) == "The PDF has more than 3 objects: too many to check."


# --- OOXML ------------------------------------------------------------------------------------


def test_real_docx_and_xlsx_are_accepted(settings):
    assert check("a.docx", f.docx_bytes()) == settings.PACM_UPLOAD_EXTENSIONS[".docx"]
    assert check("a.xlsx", f.xlsx_bytes()) == settings.PACM_UPLOAD_EXTENSIONS[".xlsx"]


@pytest.mark.parametrize("name, content", [
    ("a.docx", b"PK\x03\x04" + b"\x00" * 40),  # what the first-bytes check accepted
    ("a.docx", f.xlsx_bytes()),  # a workbook named .docx
    ("a.xlsx", f.docx_bytes()),
    ("a.docx", f.zip_bytes([("word/document.xml", "<w/>")])),  # no [Content_Types].xml
    ("a.docx", f.docx_bytes()[:-30]),  # truncated: no central directory
], ids=["zip-header-only", "xlsx-as-docx", "docx-as-xlsx", "no-content-types", "truncated"])
def test_an_office_file_without_its_parts_is_refused(name, content):
    assert check(name, content).startswith("The file does not look like an office document")


def test_a_damaged_part_is_refused():
    content = bytearray(f.zip_bytes([("[Content_Types].xml", f.CONTENT_TYPES), ("word/document.xml", "<w>" * 500)]))
    data_at = content.index(b"word/document.xml") + len("word/document.xml")
    content[data_at + 5] ^= 0xFF  # the deflated bytes of the part, not its header
    assert "cannot be read" in check("a.docx", bytes(content))


@pytest.mark.parametrize("extra, message", [
    (("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 vba"), "The document carries macros"),
    (("word/embeddings/tool.exe", b"anything"), "embedded program (tool.exe)"),
    (("word/embeddings/oleObject1.bin", b"MZ\x90\x00" + b"\x00" * 60), "embedded program (oleobject1.bin)"),
    (("word/embeddings/oleObject2.bin", uploads.OLE_MAGIC + b"\x00" * 100 + "\x01Ole10Native".encode("utf-16-le")),
     "embedded package object"),
], ids=["vba", "exe-name", "pe-header", "ole-package"])
def test_macros_and_programs_inside_a_docx_are_refused(extra, message):
    assert message in check("a.docx", f.docx_bytes(extra))


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused():
    types = f.CONTENT_TYPES.replace("/>", '><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"'
                                          ' PartName="/xl/workbook.xml"/></Types>')
    content = f.zip_bytes([("[Content_Types].xml", types), ("xl/workbook.xml", "<workbook/>")])
    assert "macro-enabled" in check("a.xlsx", content)


def test_an_encrypted_part_is_refused():
    content = bytearray(f.docx_bytes())
    # Set the "encrypted" flag of every entry, in the local headers and the central directory.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := content.find(signature, start)) != -1:
            content[start + offset] |= 0x1
            start += 4
    assert "encrypted parts" in check("a.docx", bytes(content))


def test_a_zip_bomb_is_refused_by_its_expansion_ratio(settings):
    settings.PACM_UPLOAD_ZIP_RATIO_FROM_BYTES = 1024 * 1024
    bomb = f.docx_bytes(("word/media/fill.xml", b"0" * (8 * 1024 * 1024)))  # about 8 KB on disk
    assert len(bomb) < 64 * 1024
    assert check("a.docx", bomb) == "The document expands to more than 100 times its size: it is refused as a zip bomb."


def test_a_document_over_the_expanded_size_limit_is_refused(settings):
    settings.PACM_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 100_000
    big = f.docx_bytes(("word/media/photo.bin", os.urandom(150_000)))  # does not compress: no ratio
    assert check("a.docx", big) == "The document expands to more than 0.0953674 MB: it is refused as a zip bomb."


def test_the_declared_sizes_are_not_trusted(settings):
    """A zip may declare a small size for a large part: the part is read only that far, fails its
    checksum, and is refused (the expansion limits count the bytes read, not the sizes declared)."""
    settings.PACM_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 50_000
    content = bytearray(f.docx_bytes(("word/media/fill.xml", b"1" * 200_000)))
    start = 0
    while (start := content.find(b"PK\x01\x02", start)) != -1:  # central directory: declare 10 bytes
        content[start + 24:start + 28] = (10).to_bytes(4, "little")
        start += 4
    assert check("a.docx", bytes(content)) == "The file does not look like an office document (a part of it cannot be read)."


def test_too_many_parts_are_refused(settings):
    settings.PACM_UPLOAD_ZIP_MAX_ENTRIES = 5
    content = f.docx_bytes(*[(f"word/part{i}.xml", "<p/>") for i in range(5)])
    assert check("a.docx", content) == "The document has more than 5 parts: too many to check."


# --- ODF --------------------------------------------------------------------------------------


def test_real_odt_and_ods_are_accepted(settings):
    assert check("a.odt", f.odt_bytes()) == settings.PACM_UPLOAD_EXTENSIONS[".odt"]
    ods = f.odt_bytes(mimetype="application/vnd.oasis.opendocument.spreadsheet")
    assert check("a.ods", ods) == settings.PACM_UPLOAD_EXTENSIONS[".ods"]


def test_odf_structure_is_checked():
    assert "its mimetype is not that of an .ods file" in check("a.ods", f.odt_bytes())
    no_mimetype = f.zip_bytes([("META-INF/manifest.xml", "<m/>"), ("content.xml", "<c/>")])
    assert "starts with its stored mimetype" in check("a.odt", no_mimetype)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:  # mimetype compressed
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<c/>")
    assert "starts with its stored mimetype" in check("a.odt", buffer.getvalue())
    no_manifest = f.zip_bytes([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<c/>")])
    assert "no manifest" in check("a.odt", no_manifest)


@pytest.mark.parametrize("extra", [("Basic/Standard/Module1.xml", "<script/>"), ("Scripts/python/run.py", "import os")])
def test_odf_macros_are_refused(extra):
    assert "carries macros" in check("a.odt", f.odt_bytes(extra))


# --- Legacy formats ---------------------------------------------------------------------------


def test_legacy_office_files_keep_their_header_check(settings):
    assert check("a.doc", uploads.OLE_MAGIC + b"\x00" * 40) == settings.PACM_UPLOAD_EXTENSIONS[".doc"]
    assert "no OLE header" in check("a.xls", b"PK\x03\x04 zip, not OLE")


# --- A file is kept only by a transaction that commits -----------------------------------------


def test_an_upload_rolled_back_by_its_caller_leaves_no_file(world, activity, settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
        assert len(stored_files(settings)) == 1  # written at once: the transaction may read it back
        raise RuntimeError("a later step fails")
    assert stored_files(settings) == [] and not DocumentVersion.objects.exists()


def test_an_upload_inside_a_committed_savepoint_then_rolled_back_leaves_no_file(world, activity, settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        with transaction.atomic():
            services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
        raise RuntimeError("the outer transaction fails")
    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the migrations' data for the next test
def test_a_committed_upload_keeps_its_file_and_a_refused_one_does_not(world, activity, settings):
    version = services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    assert stored_files(settings) == [os.path.join(str(settings.MEDIA_ROOT), version.file.name)]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("v2.pdf"))
        raise RuntimeError("a later step fails")
    assert len(stored_files(settings)) == 1 and DocumentVersion.objects.count() == 1


def _refuse_the_event(*args, **kwargs):
    raise ServiceError("Refused after the upload.")


def test_an_event_report_refused_after_it_was_stored_leaves_no_file(as_user, world, issued, settings, monkeypatch):
    """A6.4-STAN-METH-002 v01.0 paras 45-46: the preliminary assessment report is kept only by a write
    that commits."""
    from .conftest import observed_event

    event = observed_event(world, issued)
    monkeypatch.setattr("projects.reversals.services._keep_due", _refuse_the_event)
    before, files = rows(), stored_files(settings)
    response = as_user(world.ama).post(
        reverse("observed-event-write", kwargs={"reference": issued.reference, "number": event.number,
                                                "name": "submit_preliminary"}),
        {"w-submit_preliminary-report": f.pdf("pre.pdf"), "w-submit_preliminary-expected_state": event.state})
    assert response.status_code == 200 and "Refused after the upload." in response.content.decode()
    assert rows() == before and stored_files(settings) == files


def test_a_monitoring_report_refused_after_its_upload_leaves_no_file(world, registered, settings, monkeypatch):
    monkeypatch.setattr("projects.events.monitoring_submitted", _refuse_the_event)
    files = stored_files(settings)  # the PDD and validation report of the registered activity
    start = registered.crediting_start
    with pytest.raises(ServiceError, match="Refused after the upload."):
        services.period_submit(activity=registered, user=world.ama, start=start,
                               end=start + datetime.timedelta(days=364),
                               claims={start.year: 100}, report=f.pdf("report.pdf"))
    assert not MonitoringPeriod.objects.exists() and stored_files(settings) == files


def test_the_upload_service_and_form_refuse_a_scripted_pdf(as_user, world, activity, settings):
    scripted = f.pdf_bytes().replace(b"<</Type/Catalog/Pages 2 0 R>>",
                                     b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>")
    with pytest.raises(ServiceError, match="carries JavaScript"):
        services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf", scripted))
    response = as_user(world.ama).post(reverse("document-upload", kwargs={"reference": activity.reference}), {
        "upload-kind": "pdd", "upload-title": "", "upload-file": f.pdf("pdd.pdf", scripted)})
    assert response.status_code == 200 and "carries JavaScript" in response.content.decode()
    macro = SimpleUploadedFile("sd.docx", f.docx_bytes(("word/vbaProject.bin", b"vba")))
    with pytest.raises(ServiceError, match="carries macros"):
        services.document_upload(activity=activity, user=world.ama, kind="sd_report", uploaded=macro)
    assert not DocumentVersion.objects.exists() and stored_files(settings) == []
