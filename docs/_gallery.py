"""Draw the gallery of docs/notebook.md into docs/img/ (run: python docs/_gallery.py).

tests/test_workflows_notebook.py runs it into a temporary folder, so the
figures in the docs are the ones the current code draws.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from custtier import (
    Playbook,
    plan_contacts,
    plot,
    simulate,
    synth,
    tier_book,
)


def draw(folder: Path) -> list[Path]:
    """The five gallery figures, as PNG files in ``folder``."""
    import matplotlib.pyplot as plt

    as_of = dt.date(2026, 11, 30)
    book = synth.book(3000, seed=7, as_of=as_of)
    result = tier_book(book.customers, book.playbook, as_of=as_of)
    later_on = dt.date(2027, 5, 31)
    later_book = synth.book(3000, seed=7, as_of=later_on)
    later = tier_book(
        later_book.customers, book.playbook, as_of=later_on, previous=result.decisions
    )
    manager = book.managers[0]
    plan = plan_contacts(
        [c for c in book.customers if c.manager_id == manager.id],
        book.playbook,
        start=as_of,
        end=dt.date(2027, 2, 28),
        tiers={d.customer_key: d for d in result.decisions},
        managers=[manager],
    )
    data = book.playbook.model_dump(mode="json")
    data["version"] = "1.3.0"
    bands = data["tiering"]["bases"][0]["bands"]
    bands[1]["upper"] = bands[2]["lower"] = "600000"  # the what-if page's wealth bar
    impact = simulate(book.customers, book.playbook, Playbook.model_validate(data), as_of=as_of)
    charts = {
        "pyramid": lambda ax: plot.pyramid(result, ax=ax),
        "concentration": lambda ax: plot.concentration(result, ax=ax),
        "movements": lambda ax: plot.movements(result, later, ax=ax),
        "manager_load": lambda ax: plot.manager_load(plan, ax=ax),
        "migration": lambda ax: plot.migration(impact, ax=ax, value="aum"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, chart in charts.items():
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        chart(ax)
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=72, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in draw(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "img"):
        print(path)
