"""Tools for support staff: a customer's token state, links to the exact step, a dashboard."""

# Routes of their own module on the support blueprint: imported so that they are registered.
from . import feedback, translations  # noqa: F401
