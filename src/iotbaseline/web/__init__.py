"""`iotbaseline serve`: the web dashboard over the results store.

settings   what the server was started with (data folder, allow-listed folders, token, limits)
sessions   browser sessions: the CSRF token of each, and whether it logged in with the token
access     who may ask: loopback clients (named as loopback), the bearer token or a logged-in session;
           security headers on every response
uploads    a multipart upload streamed to disk under a generated folder, the size limit enforced as it arrives
paths      a path typed by the user, accepted only inside a folder allow-listed at start
scan_task  what runs on a worker process: one image scanned in an isolated child, progress in a small file
queue      the scans asked for, handed to the worker pool, their results stored
browse     the store's products and scans as the pages list them
artefacts  the fixed set of downloads of a scan: reports rendered from the store, SBOMs, the label
pages      the Jinja2 environment: autoescaped, hostile text made visible
app        the FastAPI application and its routes
"""
