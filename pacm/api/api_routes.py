"""The API's own routers (found by ApiConfig.ready(), like every app's `api_routes`)."""
from . import (
    moves,  # noqa: F401  (account moves: their routes on the registry router)
    parties,  # noqa: F401  (a Party's open_account: its routes on the registry router)
)
from .api import api
from .registry import router as registry_router

api.add_router("/registry", registry_router)
