"""The Seller Central authorization (the "Amazon token"): client, connections, state, sandbox."""
