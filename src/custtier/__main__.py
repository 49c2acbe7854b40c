"""``python -m custtier``: the command-line interface (see :mod:`custtier.cli`)."""

from custtier.cli import main

if __name__ == "__main__":  # importing this module (doctest collection does) runs nothing
    raise SystemExit(main())
