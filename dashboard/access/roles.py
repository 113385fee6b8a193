"""The roles a user can hold, from least to most rights (``authorization`` says what each may do).

A module of its own, without the account machinery, so that the command line can offer the roles
as choices without loading the database layer.
"""

ROLES = ["viewer", "area_editor", "reviewer", "city_editor", "maintainer", "admin"]
