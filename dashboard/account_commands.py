"""``python -m dashboard user …`` and ``audit``: the administrator's commands.

The first administrator is created here (there is no default password); passwords are read from
the terminal without echo, or from standard input with ``--password-stdin`` for scripts.
"""
from __future__ import annotations

import getpass
import sys

from . import accounts, audit
from .matching import match_area
from .rules import load_rules
from .store import Store


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 password: ")
    if getpass.getpass("再输一次 again: ") != first:
        raise accounts.AuthError(accounts.Problem("PASSWORD_MISMATCH", "两次输入的密码不一致",
                                                  "the two passwords differ"))
    return first


def cmd_user(args) -> int:
    engine = Store().engine
    try:
        if args.user_command == "add":
            rules = load_rules()
            areas = []
            for text in args.area or []:
                code = match_area(rules, text)
                if code is None:
                    print(f"UNKNOWN_AREA: 未知地区 / unknown area: {text}", file=sys.stderr)
                    return 1
                areas.append(code)
            user = accounts.add_user(engine, args.name, _password(args), args.role, areas, by=args.by,
                                     known_areas=set(rules.areas))
            print(f"已创建 created: {user.name} ({user.role}{', ' + ','.join(user.areas) if user.areas else ''})")
        elif args.user_command == "list":
            print(accounts.list_users(engine).to_csv(index=False), end="")
        elif args.user_command == "passwd":
            accounts.set_password(engine, args.name, _password(args), by=args.by)
            print(f"已修改密码 password changed: {args.name}")
        elif args.user_command == "disable":
            accounts.change_user(engine, args.name, disabled=True, by=args.by)
            print(f"已停用 disabled: {args.name}")
        elif args.user_command == "demo-account":
            if accounts.ensure_demo_account(engine):
                print(f"演示账号 demo account: {accounts.DEMO_USER} / {accounts.DEMO_PASSWORD} "
                      "（仅限本机演示 local demo only）")
            else:
                print("已有用户，未创建演示账号 / users exist; no demo account created")
        elif args.user_command == "enable":
            accounts.change_user(engine, args.name, disabled=False, by=args.by)
            print(f"已启用 enabled: {args.name}")
    except accounts.AuthError as exc:
        print(exc.problem.format(), file=sys.stderr)
        return 1
    return 0


def cmd_audit(args) -> int:
    frame = audit.entries(Store().engine, limit=args.limit, user=args.user, action=args.action)
    print(frame.to_csv(index=False), end="")
    return 0


def register(sub) -> None:
    """Add the ``user`` and ``audit`` commands to the CLI."""
    p = sub.add_parser("user", help="users and roles: add, list, passwd, disable, enable")
    us = p.add_subparsers(dest="user_command", required=True)
    a = us.add_parser("add", help="create a user (the first administrator too)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=accounts.ROLES)
    a.add_argument("--area", action="append", help="area code or name (repeat for several); area editors need one")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    for name in ("passwd", "disable", "enable"):
        q = us.add_parser(name)
        q.add_argument("name")
        if name == "passwd":
            q.add_argument("--password-stdin", action="store_true")
    us.add_parser("list", help="users, roles and areas (never the hashes)")
    us.add_parser("demo-account", help="create the documented local demo account if there are no users yet")
    p.add_argument("--by", default="cli", help="who is making the change (for the audit trail)")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="the audit trail, newest first")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--user")
    p.add_argument("--action", choices=sorted(audit.ACTIONS))
    p.set_defaults(func=cmd_audit)
