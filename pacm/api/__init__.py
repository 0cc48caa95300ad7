"""The REST API, `/api/v1/` (pacm issue 9): one more caller of the selectors, services and
`available_actions`, never a second copy of a rule. Routers of the upper layer are found in
each app's `api_routes` module (like the admin's `admin` modules): pacm/ names no app above it."""
