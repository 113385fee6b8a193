"""Who may do what: accounts (argon2 passwords, sessions, sign-in throttle) and the checks that refuse.

Checked on the server for the app and the command line alike; every refusal is a ``Problem`` and
an audit entry.
"""
