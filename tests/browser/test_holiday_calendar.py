"""The county administrator marks a year's holidays and make-up days on a phone: twelve month
grids in one column at 360 px, a tap marks a day, Save keeps the year. No sideways scrolling,
no console errors. (2031: far from the years other tests count deadlines through.)"""

from tests.browser.conftest import sign_in


def test_an_administrator_marks_holidays_on_the_month_grid_on_a_phone(phone, screenshots_dir):
    page = phone.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "demo-admin")
    page.click("nav >> text=办理时限")
    page.click("a[href='/admin/calendar']")
    page.wait_for_url("**/admin/calendar")
    page.goto("/admin/calendar?year=2031")
    assert page.locator("[data-year-state=missing]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.click("label:has(input[value='2031-01-01'])")  # a Wednesday: a holiday
    page.click("label:has(input[value='2031-01-26'])")  # a Sunday: a make-up working day
    holiday = page.locator("td:has(input[value='2031-01-01']) label")
    assert holiday.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(247, 198, 192)"
    page.screenshot(path=f"{screenshots_dir}/calendar-360.png")
    page.click("button:has-text('保存2031年')")
    page.wait_for_url("**/admin/calendar?year=2031&done=*")
    assert page.locator("[data-year-state=entered]").is_visible()
    assert page.locator("input[value='2031-01-01']").is_checked()
    assert page.locator("input[value='2031-01-26']").is_checked()
    assert not page.locator("input[value='2031-01-02']").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not errors, errors
