"""The dashboard's SVG charts: an image may not hold links (WCAG nested-interactive), so a
chart whose bars open their cases is a labelled group of links; one without links is an image."""

from app.monitoring import charts


def test_a_chart_whose_bars_are_links_is_a_group_and_one_without_is_an_image():
    rows = [{"label": "第一乡", "value": 3, "display": "3", "href": "/disputes?jurisdiction=2"}]
    linked = charts.bars(rows, "各乡镇化解率")
    assert 'role="group" aria-label="各乡镇化解率"' in linked and 'role="img"' not in linked
    assert '<a href="/disputes?jurisdiction=2"><title>第一乡: 3</title>' in linked
    plain = charts.bars([{**rows[0], "href": None}], "各乡镇化解率")
    assert 'role="img"' in plain and "<a " not in plain

    months = [{"label": "11月", "values": {"new": {"value": 4, "display": "4", "href": "/d"}}}]
    assert 'role="group"' in charts.columns(months, [("new", "s-new")], "每月新增")
    months[0]["values"]["new"]["href"] = None
    assert 'role="img"' in charts.columns(months, [("new", "s-new")], "每月新增")
