"""``python -m dashboard user …`` and ``audit``: the administrator's commands.

The first administrator is created here (there is no default password); passwords are read from
the terminal without echo, or from standard input with ``--password-stdin`` for scripts.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from ..messages import Code, Problem
from .common import actor, err, say, write_frame


def _password(args: argparse.Namespace) -> str:
    from ..access import accounts

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(say("cli_password_prompt") + ": ")
    if getpass.getpass(say("cli_password_again") + ": ") != first:
        raise accounts.AuthError(Problem(Code.PASSWORD_MISMATCH))
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from ..access import accounts
    from ..intake.matching import match_area

    services = args.services
    engine = services.store.engine
    by = args.by or actor(None)
    try:
        if args.user_command == "add":
            rules = services.rules
            areas = []
            for text in args.area or []:
                code = match_area(rules, text)
                if code is None:
                    err(Problem(Code.UNKNOWN_AREA_USER, {"area": text}).format())
                    return 1
                areas.append(code)
            user = accounts.add_user(
                engine, args.name, _password(args), args.role, areas, by=by, known_areas=set(rules.areas)
            )
            print(say("cli_user_created", name=user.name, role=user.role, areas=", ".join(user.areas) or "—"))
        elif args.user_command == "list":
            write_frame(accounts.list_users(engine), "csv", None)
        elif args.user_command == "passwd":
            accounts.set_password(engine, args.name, _password(args), by=by)
            print(say("cli_password_changed", name=args.name))
        elif args.user_command == "disable":
            accounts.change_user(engine, args.name, disabled=True, by=by)
            print(say("cli_user_disabled", name=args.name))
        elif args.user_command == "enable":
            accounts.change_user(engine, args.name, disabled=False, by=by)
            print(say("cli_user_enabled", name=args.name))
        elif args.user_command == "demo-account" and args.off:
            names = accounts.disable_demo_accounts(engine, by=by)
            print(say("cli_demo_account_off", names=", ".join(names)) if names else say("cli_demo_account_none"))
        elif args.user_command == "demo-account":
            if accounts.ensure_demo_account(engine):
                print(say("cli_demo_account", name=accounts.DEMO_USER, password=accounts.DEMO_PASSWORD))
            else:
                print(say("cli_demo_account_exists"))
    except accounts.AuthError as exc:
        err(exc.problem.format())
        return 1
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from ..store import audit

    frame = audit.entries(args.services.store.engine, limit=args.limit, user=args.user, action=args.action)
    write_frame(frame, "csv", None)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``user`` and ``audit`` commands to the CLI."""
    from ..access.roles import ROLES
    from ..store.actions import ACTIONS

    p = sub.add_parser("user", help="users and roles: add, list, passwd, disable, enable")
    us = p.add_subparsers(dest="user_command", required=True)
    a = us.add_parser("add", help="create a user (the first administrator too)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--area", action="append", help="area code or name (repeat for several); area editors need one")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    for name in ("passwd", "disable", "enable"):
        q = us.add_parser(name)
        q.add_argument("name")
        if name == "passwd":
            q.add_argument("--password-stdin", action="store_true")
    us.add_parser("list", help="users, roles and areas (never the hashes)")
    d = us.add_parser("demo-account", help="create the documented local demo account if there are no users yet")
    d.add_argument(
        "--off",
        action="store_true",
        help="disable any demo account instead (manage.py run does this when serving beyond this computer)",
    )
    p.add_argument("--by", help="who is making the change (default: the operating-system user)")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="the audit trail, newest first")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--user")
    p.add_argument("--action", choices=sorted(ACTIONS))
    p.set_defaults(func=cmd_audit)
