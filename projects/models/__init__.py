from .activity import Activity
from .approvals import AuthorizationStatement, HostApproval
from .documents import Document, DocumentVersion
from .fees import Fee
from .findings import Finding
from .monitoring import DistributionLine, IssuanceRequest, MonitoringPeriod, Reversal, VintageClaim
from .refunds import Refund
from .risk import RiskAssessment

__all__ = [
    "Activity",
    "AuthorizationStatement",
    "DistributionLine",
    "Document",
    "DocumentVersion",
    "Fee",
    "Finding",
    "HostApproval",
    "IssuanceRequest",
    "MonitoringPeriod",
    "Refund",
    "Reversal",
    "RiskAssessment",
    "VintageClaim",
]
