"""The web toolkit every module's pages and JSON routes use: the request's session and unit of
work, the route declarations the permission check reads, the mapping of domain errors to HTTP
answers, page and API helpers, language choice. It knows no feature module."""
