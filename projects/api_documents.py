"""Document uploads through the API (pacm issue 9): `POST /activities/{reference}/documents`, a
multipart body (kind, title, file) read by the web's own `DocumentUploadForm` (its kinds: those the
caller's roles may upload, as the page offers them), then the web's service `document_upload`, which
checks the file (pacm.common.uploads: size, type by content) and the uploader again. The answer is the
activity and the events the upload recorded. No Idempotency-Key here (a second upload is a new version).
"""
from django.db.models import Max
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from ninja import File, Form, Schema
from ninja import Path as PathParam
from ninja.files import UploadedFile

from pacm.api.api import ERRORS
from pacm.api.auth import SIGNED_IN
from pacm.api.events import EventViewer, event_out
from pacm.api.schemas import EventOut, SubjectOut
from pacm.common.errors import ServiceError
from pacm.events.models import Event

from . import services
from .api_routes import activity_or_404, activity_subject, router
from .forms import DocumentUploadForm
from .machines import ACTIVITY
from .models import DocumentVersion
from .views.activity_page import activity_offers


class VersionOut(Schema):
    kind: str
    number: int
    sha256: str
    size: int


class UploadOut(Schema):
    subject: SubjectOut
    document: VersionOut
    events: list[EventOut]


@router.post("/{reference}/documents", response={200: UploadOut, **ERRORS}, auth=SIGNED_IN, url_name="document_upload",
             operation_id="document_upload", summary="Upload a new version of a document (multipart)")
def document_upload(request, kind: str = Form(..., max_length=40), title: str = Form("", max_length=200),
                    file: UploadedFile = File(...),
                    reference: str = PathParam(..., max_length=40, pattern=r"^[A-Za-z0-9-]+$")):
    activity = activity_or_404(request.auth.user, reference)
    offers = activity_offers(activity=activity, user=request.auth.user)
    offers.require(offers.upload_kinds, "upload documents")
    data = QueryDict(mutable=True)
    data.update({"upload-kind": kind, "upload-title": title})
    form = DocumentUploadForm(data, MultiValueDict({"upload-file": [file]}), kinds=offers.upload_kinds, prefix="upload")
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ServiceError(" ".join(str(e) for e in errors), field=None if field == "__all__" else field,
                           code="invalid_input")
    stream = ACTIVITY.stream_of(activity)
    before = Event.objects.filter(stream=stream).aggregate(last=Max("sequence"))["last"] or 0
    d = form.cleaned_data
    services.document_upload(activity=activity, user=request.auth.user, kind=d["kind"], uploaded=d["file"],
                             title=d["title"])
    version = (DocumentVersion.objects.filter(document__activity=activity, document__kind=d["kind"],
                                              document__monitoring_period=None).order_by("-pk").first())
    activity.refresh_from_db()
    events = Event.objects.filter(stream=stream, sequence__gt=before).select_related("organisation").order_by("sequence")
    viewer = EventViewer(request.auth.user, activity)  # as the page's timeline shows them to this caller
    return {"subject": activity_subject(activity),
            "document": {"kind": d["kind"], "number": version.number, "sha256": version.sha256, "size": version.size},
            "events": [event_out(e, viewer) for e in events[:50]]}
