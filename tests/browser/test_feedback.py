"""'What was missing?' in Chromium: the form after "No", its errors and support's page pass axe,
left to right and in Arabic; the characters-left counter is added by the script."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_reading import article
from tests.browser.test_renewal import log_in
from tests.helpers import add_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_feedback_form_and_support_page_are_accessible(browser, live_server, page, axe, lang):
    marker = f"Step 3 <b>{uuid.uuid4().hex[:8]}</b>"
    page.goto(article(lang))
    page.locator("button[name=helpful][value=no]").click()
    expect(page).to_have_url(re.compile(r"feedback=no#feedback$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    form = page.locator("form.reason-form")
    expect(form.locator("fieldset legend")).to_be_visible()
    expect(form.locator("#reason-comment-count")).to_have_text(re.compile(r"500"))
    assert axe(page) == []

    # Refused by the server (no reason chosen): the same form, the error and the text kept.
    form.locator("#reason-comment").fill(marker)
    expect(form.locator("#reason-comment-count")).to_have_text(re.compile(r"\b4\d\d\b"))
    form.locator("button[type=submit]").click()
    expect(page.locator("#reason-form-error")).to_be_in_viewport()  # not the page's top
    expect(page.locator("#reason-comment")).to_have_value(marker)
    assert axe(page) == []

    page.locator("#reason-steps_fail").check()
    page.locator("form.reason-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"feedback=sent#feedback$"))
    expect(page.locator(".feedback-message")).to_be_visible()
    assert axe(page) == []

    staff = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        agent = staff.new_page()
        email = f"support-{uuid.uuid4().hex[:8]}@example.com"
        add_user(live_server.app, email, role="support", language=lang)
        log_in(agent, email, lang, f"/{lang}/support/feedback")
        expect(agent.locator("html")).to_have_attribute("lang", lang)
        expect(agent.locator(".reader-comment", has_text=marker)).to_be_visible()  # as text
        assert axe(agent) == []
    finally:
        staff.close()
