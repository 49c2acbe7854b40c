"""``custtier schema``, ``preset`` and ``validate``: the playbook as a file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from custtier import presets
from custtier._explain import audit_kinds
from custtier.cli._input import UsageError, json_text
from custtier.cli._report import Exit
from custtier.errors import CusttierError
from custtier.rules import Playbook

__all__ = ["add_parsers"]

VALIDATE_EPILOG = """\
exit codes:
  0  the playbook is valid (its id, version and sha256 are printed); with --against OLD,
     also unchanged from OLD or with a new version (the changes are printed)
  1  the file is JSON but not a valid playbook; every problem is listed on standard error;
     or, with --against OLD, its rules changed but its version did not
  2  a file cannot be read, is not UTF-8 or is not JSON, or OLD is not a valid playbook

example:
  custtier preset practice > my-bank.json   # edit, then
  custtier validate my-bank.json --against old-bank.json
"""


def add_parsers(sub: Any) -> None:
    """Register ``schema``, ``validate`` and ``preset``."""
    schema = sub.add_parser("schema", help="print the playbook JSON Schema")
    schema.add_argument(
        "--decision",
        metavar="KIND",
        choices=sorted(audit_kinds()),
        help=f"the JSON Schema of a decision record instead ({', '.join(sorted(audit_kinds()))})",
    )
    schema.set_defaults(command=_schema)

    validate = sub.add_parser(
        "validate",
        help="check a playbook JSON file",
        epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("file", metavar="FILE", help='playbook JSON file ("-" for stdin)')
    validate.add_argument(
        "--against",
        metavar="OLD",
        help="the playbook FILE replaces: print every rule that changed, and refuse "
        "changed rules under an unchanged version",
    )
    validate.set_defaults(command=_validate)

    preset = sub.add_parser("preset", help="print a shipped playbook as JSON")
    preset.add_argument("name", metavar="ID", choices=sorted(presets.ALL))
    preset.add_argument("--compact", action="store_true", help="the exact canonical JSON")
    preset.set_defaults(command=_preset)


def _schema(args: argparse.Namespace) -> int:
    if args.decision is not None:
        schema = audit_kinds()[args.decision].audit_schema()
    else:
        schema = Playbook.json_schema()
    sys.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return Exit.OK


def _preset(args: argparse.Namespace) -> int:
    playbook = presets.get(args.name)
    if args.compact:
        sys.stdout.write(playbook.canonical_json() + "\n")
    else:
        data = json.loads(playbook.canonical_json())
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return Exit.OK


def _validate(args: argparse.Namespace) -> int:
    name: str = args.file
    text, _ = json_text(name, what="playbook")
    try:
        playbook = Playbook.from_json(text)
    except CusttierError as exc:
        print(f"error: {name}: {exc}", file=sys.stderr)
        return Exit.FAILED
    if args.against is not None:
        return _against(playbook, args.against)
    sys.stdout.write(f"ok: {playbook.id} v{playbook.version} sha256:{playbook.content_hash}\n")
    return Exit.OK


def _against(playbook: Playbook, name: str) -> int:
    text, _ = json_text(name, what="playbook")
    try:
        old = Playbook.from_json(text)
    except CusttierError as exc:
        raise UsageError(
            f"--against {name} is not a valid playbook (custtier validate {name})"
        ) from exc
    changes = old.diff(playbook)
    for change in changes:
        sys.stdout.write(f"{change.kind.value}: {change}\n")
    if changes and playbook.version == old.version:
        print(
            f"error: {len(changes)} rule change(s) but version {playbook.version} is unchanged; "
            "give the new playbook a new version",
            file=sys.stderr,
        )
        return Exit.FAILED
    sys.stdout.write(
        f"ok: {playbook.id} v{old.version} -> v{playbook.version}, {len(changes)} change(s), "
        f"sha256:{playbook.content_hash}\n"
    )
    return Exit.OK
