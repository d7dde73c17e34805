"""The background service (`margin service`): a per-user process that keeps the models loaded.

`protocol` (the JSON-lines wire and where the socket lives), `client` (what the CLI uses:
connect or start the service, else work in this process), `server` (connections and
requests), `worker` (the one engine thread), `daemon` (`python -m assistant.service.daemon`:
the lock, the pid file, the socket, and when to stop). The pipeline never imports this
package; the service is an optimisation and every command works without it.
"""
