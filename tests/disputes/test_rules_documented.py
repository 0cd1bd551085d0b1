from pathlib import Path

from app.disputes import states


def test_the_readme_shows_the_rules_as_states_py_declares_them():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert states.markdown_table() in readme, "paste `python -m app.disputes.states` into README.md"


def test_every_action_has_a_rule_a_handler_a_parser_and_a_body():
    from app.disputes import action_fields, actions, schemas

    assert (
        set(states.RULES)
        == set(actions.HANDLERS)
        == set(action_fields.PARSERS)
        == set(schemas.ACTION_BODIES)
    )
