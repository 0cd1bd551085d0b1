"""`_()` in templates (app/web.py): the faster path must read exactly as the i18n extension's
did — the reader's language, variables escaped, "%%" as "%", a variable named `message`."""

from __future__ import annotations

from app import i18n, web

ENV = web.template_config.instance.engine


def _render(source: str, locale: str, **context) -> str:
    token = i18n.current_locale.set(locale)
    try:
        return ENV.from_string(source).render(**context)
    finally:
        i18n.current_locale.reset(token)


def test_a_message_reads_in_the_language_of_each_request():
    # the same text asked in turn: each answer in its own language, not the first one kept
    assert _render("{{ _('Sign in') }}", "zh_Hans") == "登录"
    assert _render("{{ _('Sign in') }}", "en") == "Sign in"
    assert _render("{{ _('Sign in') }}", "zh_Hans") == "登录"


def test_variables_are_escaped_and_the_text_is_not():
    out = _render("{{ _('Hello %(name)s', name=who) }}", "en", who="<b>王</b>")
    assert out == "Hello &lt;b&gt;王&lt;/b&gt;"
    out = _render("{{ _('%(message)s!', message=m) }}", "en", m="a & b")
    assert out == "a &amp; b!"


def test_a_doubled_percent_reads_as_one_with_or_without_variables():
    assert _render("{{ _('100%% done') }}", "en") == "100% done"
    assert _render("{{ _('%(n)s%% done', n=5) }}", "en") == "5% done"
