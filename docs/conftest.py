"""pytest set-up for the docs' examples: charts draw headless."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
