"""Documents: upload a new version; download any version the person may see."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import selectors, services
from ..forms import DocumentUploadForm
from ..models import DocumentVersion
from .activity_page import activity_get_or_404, activity_offers, form_submit


@require_POST
@login_required
def document_upload(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.upload_kinds, "upload documents")
    form = DocumentUploadForm(request.POST, request.FILES, kinds=offers.upload_kinds, prefix="upload")
    return form_submit(
        request,
        activity=activity,
        key="upload",
        form=form,
        anchor="documents",
        call=lambda data: services.document_upload(
            activity=activity, user=request.user, kind=data["kind"], uploaded=data["file"], title=data["title"]
        ),
        success="Document uploaded; its SHA-256 hash is recorded in the timeline.",
    )


@require_GET
def document_download(request, reference, version_id):
    """Same visibility as the activity page (selectors.activities_visible_to)."""
    try:
        version = selectors.document_version_get(user=request.user, reference=reference, version_id=version_id)
    except DocumentVersion.DoesNotExist:
        raise Http404(_("There is no such document that you may see.")) from None
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file of this document version is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=version.original_name, content_type=version.content_type)
