"""``custtier schema``, ``preset`` and ``validate``: the playbook as a file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from custtier import presets
from custtier._explain import audit_kinds
from custtier.cli._input import json_text
from custtier.cli._report import Exit
from custtier.errors import CusttierError
from custtier.rules import Playbook

__all__ = ["add_parsers"]

VALIDATE_EPILOG = """\
exit codes:
  0  the playbook is valid (its id, version and sha256 are printed)
  1  the file is JSON but not a valid playbook; every problem is listed on standard error
  2  the file cannot be read, is not UTF-8 or is not JSON

example:
  custtier preset practice > my-bank.json   # edit, then
  custtier validate my-bank.json
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
    sys.stdout.write(f"ok: {playbook.id} v{playbook.version} sha256:{playbook.content_hash}\n")
    return Exit.OK
