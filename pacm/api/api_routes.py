"""The API's own routers (found by ApiConfig.ready(), like every app's `api_routes`)."""
from .api import api
from .registry import router as registry_router

api.add_router("/registry", registry_router)
