"""Tools for support staff: a customer's token state, links to the exact step, a dashboard."""
