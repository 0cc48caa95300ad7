"""What the activity and period pages show of a removals activity (A6.4-STAN-METH-002 v01.0; issue 10):
the crediting-deficit ledger and its balance."""
from pacm.common.paging import page_get

from ..services.removals import deficit_balance, deficit_ledger, is_removals

DEFICIT_PER_PAGE = 20


def deficit_context(request, activity):
    """Para 30(c)(iv), (d): the deficit carried and its lines, paginated; None for other activities."""
    if not is_removals(activity):
        return None
    return {"balance": deficit_balance(activity),
            "page": page_get(request, deficit_ledger(activity), param="deficit", per_page=DEFICIT_PER_PAGE)}
