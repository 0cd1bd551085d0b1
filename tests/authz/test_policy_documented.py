from pathlib import Path

from app.auth import policy


def test_the_readme_shows_the_capabilities_as_policy_py_declares_them():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert policy.markdown_table() in readme, "paste `python -m app.auth.policy` into README.md"
