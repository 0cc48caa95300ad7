from .activity import Activity
from .approvals import AuthorizationStatement, HostApproval
from .documents import Document, DocumentVersion
from .fees import Fee
from .findings import Finding
from .monitoring import DistributionLine, IssuanceRequest, MonitoringPeriod, Reversal, VintageClaim
from .removals import DeficitEntry, StressTest

__all__ = [
    "Activity",
    "AuthorizationStatement",
    "DeficitEntry",
    "DistributionLine",
    "Document",
    "DocumentVersion",
    "Fee",
    "Finding",
    "HostApproval",
    "IssuanceRequest",
    "MonitoringPeriod",
    "Reversal",
    "StressTest",
    "VintageClaim",
]
