"""Generated documentation stays in step with the code."""

from __future__ import annotations

from pathlib import Path

from globalcart.contract_docs import contract_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_data_contract_doc_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "data_contract.md").read_text()
    assert committed == contract_markdown(), (
        "run: globalcart docs contract --out docs/data_contract.md"
    )


def test_readme_quickstart_has_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quickstart and "make test" in quickstart
