from app import i18n


def test_chinese_has_one_plural_form_for_every_number():
    token = i18n.current_locale.set("zh_Hans")
    try:
        assert i18n.ngettext("%(num)s case", "%(num)s cases", 1) == "共 1 件"
        assert i18n.ngettext("%(num)s case", "%(num)s cases", 30) == "共 30 件"
    finally:
        i18n.current_locale.reset(token)


def test_english_keeps_its_two_forms():
    token = i18n.current_locale.set("en")
    try:
        assert i18n.ngettext("%(num)s case", "%(num)s cases", 1) == "1 case"
        assert i18n.ngettext("%(num)s case", "%(num)s cases", 30) == "30 cases"
    finally:
        i18n.current_locale.reset(token)
