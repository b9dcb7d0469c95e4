"""A simulation of Seller Central, Login with Amazon and one SP-API call, for demos and tests.

It follows the test-double spec of the protocol notes: single-use authorization codes valid
five minutes, LWA's error bodies, regional authorizations. Its state lives in the database,
so it works under several gunicorn workers. It is registered only when AMAZON_SANDBOX is on.
"""
