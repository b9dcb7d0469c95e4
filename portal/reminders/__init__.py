"""Reminders before a merchant's Amazon token expires, in their language, by e-mail."""
