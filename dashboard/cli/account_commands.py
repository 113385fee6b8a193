"""``python -m dashboard user …`` and ``audit``: the administrator's commands.

The first administrator is created here (there is no default password); passwords are read from
the terminal without echo, or from standard input with ``--password-stdin`` for scripts.

The command line is for people with access to the database itself. Its ``user`` commands are the
operator's: their audit lines name the operating-system user and host (``os_user@host``, with
``via: cli``). Commands that store or roll back data run either as the operator (the same rights
as an administrator; batches stored so have no owner account) or, with ``--as NAME``, as that
account after its password — with the account's role and areas, and the batch owned by it
(:func:`acting_user`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from ..messages import Code, Problem
from .common import cli_origin, err, os_identity, say, write_frame

if TYPE_CHECKING:  # imported where used: a command loads only what it needs (fast start-up)
    from ..access.accounts import User


def _password(args: argparse.Namespace) -> str:
    from ..access import accounts

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(say("cli_password_prompt") + ": ")
    if getpass.getpass(say("cli_password_again") + ": ") != first:
        raise accounts.AuthError(Problem(Code.PASSWORD_MISMATCH))
    return first


def operator() -> User:
    """The operating-system user running a command without ``--as``: someone with access to the
    database itself, so with an administrator's rights, and no account (``id`` None)."""
    from ..access.accounts import User

    return User(os_identity(), "admin")


def acting_user(args: argparse.Namespace, engine) -> User | None:
    """Who a data command runs as: ``--as NAME`` signs that account in with its password (from the
    terminal, or the first line of standard input with ``--password-stdin``) under the sign-in
    throttle, the client being ``os_user@host``; without it, the :func:`operator`. None (after
    printing why) when the sign-in fails."""
    from ..access import accounts

    name = getattr(args, "as_user", None)
    if not name:
        return operator()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(say("cli_password_of", name=name) + ": ")
    try:
        return accounts.authenticate(engine, name, password, client=os_identity(), origin=cli_origin())
    except accounts.AuthError as exc:
        err(exc.problem.format())
        return None


def add_as_arguments(parser: argparse.ArgumentParser) -> None:
    """``--as NAME`` and ``--password-stdin`` for a command that stores or rolls back data."""
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="NAME",
        help="run as this account (asks its password): its role and areas apply and the batch is its own; "
        "default: the operating-system user, with an administrator's rights, owning no batch",
    )
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the --as account's password from standard input"
    )


def cmd_user(args: argparse.Namespace) -> int:
    from ..access import accounts, oidc
    from ..intake.matching import match_area

    services = args.services
    engine = services.store.engine
    by, origin = os_identity(), cli_origin()
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
            if args.oidc:
                # Signs in through the OpenID Connect provider only: no password is asked.
                user, identity = oidc.add_user(
                    engine, args.name, args.role, areas, args.oidc, by=by, known_areas=set(rules.areas), origin=origin
                )
                print(say("cli_oidc_linked", name=user.name, identity=identity))
            else:
                user = accounts.add_user(
                    engine,
                    args.name,
                    _password(args),
                    args.role,
                    areas,
                    by=by,
                    known_areas=set(rules.areas),
                    origin=origin,
                )
            print(say("cli_user_created", name=user.name, role=user.role, areas=", ".join(user.areas) or "—"))
        elif args.user_command == "list":
            write_frame(accounts.list_users(engine), "csv", None)
        elif args.user_command == "oidc-remove":
            name = oidc.unlink(engine, args.identity, by=by, origin=origin)
            print(say("cli_oidc_unlinked", name=name, identity=oidc.parse_identity(args.identity)))
        elif args.user_command == "oidc":
            print(
                say(
                    "cli_oidc_linked",
                    name=args.name,
                    identity=oidc.link(engine, args.name, args.identity, by=by, origin=origin),
                )
            )
        elif args.user_command == "identities":
            write_frame(oidc.list_identities(engine), "csv", None)
        elif args.user_command == "passwd":
            accounts.set_password(engine, args.name, _password(args), by=by, origin=origin)
            print(say("cli_password_changed", name=args.name))
        elif args.user_command == "disable":
            accounts.change_user(engine, args.name, disabled=True, by=by, origin=origin)
            print(say("cli_user_disabled", name=args.name))
        elif args.user_command == "enable":
            accounts.change_user(engine, args.name, disabled=False, by=by, origin=origin)
            print(say("cli_user_enabled", name=args.name))
        elif args.user_command == "unlock":
            accounts.unlock(engine, args.name, by=by, client=args.client, origin=origin)
            print(say("cli_user_unlocked", name=args.name))
        elif args.user_command == "demo-account" and args.off:
            names = accounts.disable_demo_accounts(engine, by=by, origin=origin)
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

    p = sub.add_parser("user", help="users and roles: add, list, passwd, disable, enable, unlock, oidc")
    us = p.add_subparsers(dest="user_command", required=True)
    a = us.add_parser("add", help="create a user (the first administrator too)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--area", action="append", help="area code or name (repeat for several); area editors need one")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument(
        "--oidc",
        metavar="IDENTITY",
        help="sign in through the OpenID Connect provider (st.login) as this verified e-mail address or "
        "sub:SUBJECT; no password is asked",
    )
    for name in ("passwd", "disable", "enable"):
        q = us.add_parser(name)
        q.add_argument("name")
        if name == "passwd":
            q.add_argument("--password-stdin", action="store_true")
    q = us.add_parser("unlock", help="lift the sign-in lock-out of an account (its failed sign-ins are forgotten)")
    q.add_argument("name")
    q.add_argument("--client", help="also forget the failures of this client (an address, as in the audit trail)")
    us.add_parser("list", help="users, roles and areas (never the hashes)")
    q = us.add_parser("oidc", help="let an OpenID Connect identity sign in as an existing account")
    q.add_argument("name")
    q.add_argument("identity", help="a verified e-mail address, or sub:SUBJECT")
    q = us.add_parser("oidc-remove", help="an OpenID Connect identity signs in as nobody any more")
    q.add_argument("identity")
    us.add_parser("identities", help="the OpenID Connect identities and their accounts")
    d = us.add_parser("demo-account", help="create the documented local demo account if there are no users yet")
    d.add_argument(
        "--off",
        action="store_true",
        help="disable any demo account instead (manage.py run does this when serving beyond this computer)",
    )
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="the audit trail, newest first")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--user")
    p.add_argument("--action", choices=sorted(ACTIONS))
    p.set_defaults(func=cmd_audit)
