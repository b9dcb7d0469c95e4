"""Moving a Znuny (OTRS) FAQ into faq/: `flask faq import-znuny`.

A source (the database, or the Generic Interface web service) reads Znuny's items into the
plain dataclasses of items.py; articles.py groups them into articles and turns each into a
Markdown file; writer.py puts the files into faq/ and remembers what it wrote (manifest.py), so
that a second run changes only what changed in Znuny and never what was edited here.
"""
