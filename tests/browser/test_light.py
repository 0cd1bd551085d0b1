"""Light enough for a cheap phone on 2G: the bench's measurement, held to the issue's budget."""

from bench.transfer import BUDGET, measure


def test_the_home_page_is_light_at_first_and_then_fetches_only_its_html(browser, live_server):
    result = measure(browser, live_server.url)
    assert result["first"].total < BUDGET
    assert sum(result["first"].page.values()) < BUDGET / 3  # what the page itself needs to show
    repeat = {
        url: n for url, n in {**result["repeat"].page, **result["repeat"].worker}.items() if n
    }
    assert list(repeat) == ["/"], repeat
