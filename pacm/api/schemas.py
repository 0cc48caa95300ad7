"""The shapes the API answers with (its OpenAPI 3.1 document is generated from them)."""
from typing import Any

from ninja import Field, Schema


class Problem(Schema):
    """RFC 9457 problem details, with the stable error code of pacm.common.errors."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    params: dict[str, str] | None = None


class EventOut(Schema):
    sequence: int
    kind: str
    created_at: str
    role: str
    organisation: str | None = None
    from_state: str
    to_state: str
    actor: str | None = Field(None, description="The login name, shown as on the web timeline (to those with a role)")
    comment: str | None = None
    payload: dict[str, Any] | None = Field(None, description="What the web timeline shows you of the payload")


class BlockedOut(Schema):
    code: str
    message: str


class OfferOut(Schema):
    name: str
    label: str
    kind: str = Field(description="transition or action")
    role: str
    blocked: BlockedOut | None = None
    item: int | None = Field(None, description="The id of the sub-object (finding, fee, comment) it applies to")
    item_label: str | None = None
    in_api: bool = Field(description="Whether POST .../actions/{name} takes it (else: on the web page only)")
    endpoint: str | None = Field(None, description="A write that takes a file: the multipart route that takes it")
    needs_reason: bool
    inputs: list[str]


class OffersOut(Schema):
    state: str
    actions: list[OfferOut]


class ActionIn(Schema):
    comment: str = Field("", max_length=5000)
    expected_state: str | None = Field(None, max_length=40, description="The state you saw: refused if it changed")
    item: int | None = Field(None, ge=1, le=2**63 - 1)
    inputs: dict[str, Any] = Field(default_factory=dict, description="The write's own inputs (see the docs)")


class SubjectOut(Schema):
    kind: str
    reference: str
    state: str


class ActionOut(Schema):
    subject: SubjectOut
    events: list[EventOut]
    result: dict[str, Any] | None = Field(None, description="What the write made that this answer alone shows "
                                                            "(a new MRV signing key and its secret, once)")
    created: SubjectOut | None = Field(None, description="What the write created (a CP, a renewal, a period)")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None = None
    revoked: bool


class MeOut(Schema):
    username: str | None = None
    authenticated: bool
    organisations: list[str]
    token: TokenOut | None = None
