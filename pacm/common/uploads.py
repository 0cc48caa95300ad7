"""Uploaded documents: checked by their structure, and stored only by a transaction that commits.

`upload_check` reads the file the way a reader would open it, not by its first bytes:

- PDF: it parses (pypdf), and carries no JavaScript (/JavaScript, /JS), no launch action
  (/Launch) and no embedded file that is a program (by its name or its first bytes). An
  encrypted PDF that opens without a password is checked like any other; one that needs a
  password cannot be checked and is refused.
- .docx / .xlsx (OOXML): a zip with [Content_Types].xml and the word/ or xl/ parts; .odt / .ods
  (ODF): a zip whose first entry is the stored `mimetype` of its kind, with its manifest and
  content. Every entry is read, within the limits in settings (PACM_UPLOAD_ZIP_*): so many
  entries, so many bytes once uncompressed, so many times the size of the file (a zip bomb is
  refused before it is expanded). Refused inside: encrypted entries, programs (by name or first
  bytes), macros (a VBA project or a macro-enabled content type; ODF Basic/ and Scripts/), and
  OLE "Package" objects (Ole10Native), which wrap any file, programs included.
- .doc / .xls: the OLE compound-file header (their inside is not read; macros in them are not
  detected).

The limits are settings (pacm/settings.py, "Uploads"); the messages name the problem so the
person knows what to fix.
"""
import logging
import os
import posixpath
import weakref
import zipfile
import zlib

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction

from .errors import ServiceError

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# First bytes of programs: Windows PE, ELF, Mach-O (both byte orders, 32/64-bit, fat), scripts.
EXECUTABLE_MAGIC = (
    b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe", b"#!",
)
EXECUTABLE_EXTENSIONS = frozenset({
    ".exe", ".dll", ".com", ".scr", ".pif", ".cpl", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".psm1", ".vbs",
    ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".jar", ".sh", ".bash", ".app", ".elf", ".so", ".dylib",
    ".lnk", ".reg", ".apk", ".deb", ".rpm",
})
OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/"}
ODF_MIMETYPES = {".odt": b"application/vnd.oasis.opendocument.text",
                 ".ods": b"application/vnd.oasis.opendocument.spreadsheet"}
ODF_MACRO_FOLDERS = ("basic/", "scripts/")
CHUNK = 64 * 1024
NOT_OFFICE = "The file does not look like an office document"


def _refuse(message):
    raise ServiceError(message, field="file", code="invalid")


def upload_check(uploaded):
    """A PDF or office document, not empty, within the size limit, sound in its structure.

    Returns the content type the file is stored with; raises ServiceError(field="file")."""
    name = uploaded.name or ""
    ext = os.path.splitext(name)[1].lower()
    if ext not in settings.PACM_UPLOAD_EXTENSIONS:
        allowed = ", ".join(sorted(settings.PACM_UPLOAD_EXTENSIONS))
        _refuse(f"Upload a PDF or office document ({allowed}).")
    if uploaded.size == 0:
        _refuse("The file is empty.")
    if uploaded.size > settings.PACM_MAX_UPLOAD_BYTES:
        limit = settings.PACM_MAX_UPLOAD_BYTES / (1024 * 1024)
        _refuse(f"The file is larger than the {limit:g} MB limit.")
    uploaded.seek(0)
    try:
        if ext == ".pdf":
            pdf_check(uploaded)
        elif ext in OOXML_PARTS or ext in ODF_MIMETYPES:
            office_zip_check(uploaded, ext)
        else:
            head = uploaded.read(len(OLE_MAGIC))
            if head != OLE_MAGIC:
                _refuse(f"{NOT_OFFICE} (no OLE header).")
    finally:
        uploaded.seek(0)
    return settings.PACM_UPLOAD_EXTENSIONS[ext]


def _is_program(name="", head=b""):
    return os.path.splitext(name.lower())[1] in EXECUTABLE_EXTENSIONS or head.startswith(EXECUTABLE_MAGIC)


# --- PDF --------------------------------------------------------------------------------------

ACTION_KEYS = {"/JavaScript": "JavaScript", "/JS": "JavaScript", "/Launch": "a launch action"}


def pdf_check(uploaded):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    head = uploaded.read(1024)
    uploaded.seek(0)
    if b"%PDF-" not in head:
        _refuse("The file does not look like a PDF.")
    try:
        reader = PdfReader(uploaded, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            _refuse("The PDF is password-protected, so it cannot be checked: upload it without a password.")
        if reader.trailer.get("/Root") is None or reader.get_num_pages() < 0:
            _refuse("The file does not look like a PDF (it has no document catalog).")
        _pdf_walk(reader)
    except ServiceError:
        raise
    except (PdfReadError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError, RecursionError,
            NotImplementedError, AssertionError, zlib.error, LookupError, ArithmeticError):
        # pypdf raises many kinds of error on a damaged file: each means the same to the person.
        _refuse("The file does not look like a PDF: it cannot be read.")


def _pdf_walk(reader):
    """Every dictionary and array reachable from the trailer, and every object the cross-reference
    lists, once (numbers, names and strings are read where their dictionary is checked)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    containers = (IndirectObject, DictionaryObject, ArrayObject)

    limit = settings.PACM_UPLOAD_PDF_MAX_OBJECTS
    seen, stack, visited = set(), [reader.trailer], 0
    for generation, numbers in getattr(reader, "xref", {}).items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in getattr(reader, "xref_objStm", {}))
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > limit:
            _refuse(f"The PDF has more than {limit:,} objects: too many to check.")
        if isinstance(node, DictionaryObject):
            _pdf_dictionary_check(node)
            stack.extend(value for value in node.values() if isinstance(value, containers))
            if isinstance(node, StreamObject) and node.get("/Type") == "/EmbeddedFile":
                if _is_program(head=node.get_data()[:8]):
                    _refuse("The PDF carries an embedded program: upload the document without it.")
        elif isinstance(node, ArrayObject):
            stack.extend(value for value in node if isinstance(value, containers))


def _pdf_dictionary_check(node):
    for key, what in ACTION_KEYS.items():
        if key in node:
            _refuse(f"The PDF carries {what}: upload a version without scripts or actions.")
    action = node.get("/S")
    if action in ACTION_KEYS:
        _refuse(f"The PDF carries {ACTION_KEYS[action]}: upload a version without scripts or actions.")
    if "/EF" in node or node.get("/Type") == "/Filespec":
        for name_key in ("/UF", "/F"):
            name = node.get(name_key)
            if isinstance(name, str) and _is_program(name=name):
                _refuse(f"The PDF carries an embedded program ({os.path.basename(name)}): upload it without.")


# --- OOXML and ODF ----------------------------------------------------------------------------


def office_zip_check(uploaded, ext):
    try:
        archive = zipfile.ZipFile(uploaded)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, IndexError):
        _refuse(f"{NOT_OFFICE} (it is not a readable zip file).")
    with archive:
        if len(infos) > settings.PACM_UPLOAD_ZIP_MAX_ENTRIES:
            _refuse(f"The document has more than {settings.PACM_UPLOAD_ZIP_MAX_ENTRIES:,} parts: too many to check.")
        if any(info.flag_bits & 0x1 for info in infos):
            _refuse("The document has encrypted parts, so it cannot be checked: upload it without a password.")
        names = [info.filename for info in infos]
        if ext in OOXML_PARTS:
            _ooxml_parts_check(archive, names, ext)
        else:
            _odf_parts_check(archive, infos, ext)
        total = 0
        for info in infos:
            total = _entry_check(archive, info, total, uploaded.size)


def _ooxml_parts_check(archive, names, ext):
    folder = OOXML_PARTS[ext]
    if "[Content_Types].xml" not in names or not any(n.startswith(folder) for n in names):
        _refuse(f"{NOT_OFFICE} (a {ext} file has [Content_Types].xml and a {folder} folder).")
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > 1024 * 1024:
        _refuse(f"{NOT_OFFICE} (its [Content_Types].xml is too large).")
    if b"macroenabled" in _read(archive, info, 1024 * 1024).lower():
        _refuse("The document is macro-enabled: macros are refused. Save it as a plain .docx or .xlsx.")


def _odf_parts_check(archive, infos, ext):
    first = infos[0] if infos else None
    if first is None or first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
        _refuse(f"{NOT_OFFICE} (an {ext} file starts with its stored mimetype).")
    if _read(archive, first, 200).strip() != ODF_MIMETYPES[ext]:
        _refuse(f"{NOT_OFFICE} (its mimetype is not that of an {ext} file).")
    names = {info.filename for info in infos}
    if not {"META-INF/manifest.xml", "content.xml"} <= names:
        _refuse(f"{NOT_OFFICE} (it has no manifest or no content).")


def _read(archive, info, limit):
    try:
        with archive.open(info) as handle:
            return handle.read(limit)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        _refuse(f"{NOT_OFFICE} (a part of it cannot be read).")


def _expansion_check(total, size):
    """Stop reading as soon as the parts read so far expand past a limit (a zip bomb)."""
    limit, ratio = settings.PACM_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES, settings.PACM_UPLOAD_ZIP_MAX_RATIO
    if total > limit:
        _refuse(f"The document expands to more than {limit / (1024 * 1024):g} MB: it is refused as a zip bomb.")
    if total > settings.PACM_UPLOAD_ZIP_RATIO_FROM_BYTES and total > ratio * size:
        _refuse(f"The document expands to more than {ratio:g} times its size: it is refused as a zip bomb.")


def _entry_check(archive, info, total, size):
    """Read one entry to its end, within the limits; returns the bytes read so far in all."""
    name = info.filename
    base = posixpath.basename(name).lower()
    if base == "vbaproject.bin" or name.lower().startswith(ODF_MACRO_FOLDERS):
        _refuse("The document carries macros: macros are refused. Save it without them.")
    if _is_program(name=base):
        _refuse(f"The document carries an embedded program ({base}): upload it without.")
    ole = False
    try:
        with archive.open(info) as handle:
            first = True
            while chunk := handle.read(CHUNK):
                if first:
                    if _is_program(head=chunk[:8]):
                        _refuse(f"The document carries an embedded program ({base}): upload it without.")
                    ole = chunk.startswith(OLE_MAGIC)
                    first = False
                if ole and "Ole10Native".encode("utf-16-le") in chunk:
                    _refuse("The document carries an embedded package object, which can hold any program: "
                            "upload it without.")
                total += len(chunk)
                _expansion_check(total, size)
    except ServiceError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        _refuse(f"{NOT_OFFICE} (a part of it cannot be read).")
    return total


# --- Storage ----------------------------------------------------------------------------------


def discard_on_rollback(fieldfile):
    """Delete the file just stored for `fieldfile` unless the transaction that stored it commits.

    The file is written at once (the transaction may read it back), and a commit callback is
    registered. Django drops the callbacks of a transaction, or savepoint, that rolls back; the
    finalizer of the dropped callback then deletes the file. A callback that ran (the commit)
    leaves it. So a service that refuses after the upload, at any depth, leaves no file behind.
    """
    storage, name = fieldfile.storage, fieldfile.name
    committed = []

    def on_commit():
        committed.append(True)

    weakref.finalize(on_commit, _discard_unless_committed, committed, storage, name)
    transaction.on_commit(on_commit)


def _discard_unless_committed(committed, storage, name):
    if committed:
        return
    try:
        storage.delete(name)
        if isinstance(storage, FileSystemStorage):
            _prune_empty_folders(storage, os.path.dirname(name))
    except Exception:  # a clean-up must never break the request that triggered it
        log.warning("could not delete %s after its transaction rolled back", name, exc_info=True)


def _prune_empty_folders(storage, folder):
    root = os.path.realpath(storage.location)
    while folder:
        path = os.path.realpath(storage.path(folder))
        if not path.startswith(root + os.sep) or not os.path.isdir(path) or os.listdir(path):
            return
        os.rmdir(path)
        folder = os.path.dirname(folder)


def sample_pdf(note="", *, payload=b""):
    """A small, valid one-page PDF (for the demo data and tests); `note` and `payload` make it unique."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(payload) + payload + b"\nendstream",
    ]
    out = b"%PDF-1.4\n%" + note.encode("utf-8", "replace").replace(b"\n", b" ").replace(b"\r", b" ") + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out
