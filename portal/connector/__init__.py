"""The connector's side of the portal: keys for each installation, Amazon access for it (the
refresh token never leaves the portal) and its synchronisation reports."""
