"""After "No": a reason and a comment, without JavaScript; support reads them and each revision's
score on its "Reader feedback" page."""

import re

import pytest
from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape

from portal.extensions import db
from portal.faq.feedback import COMMENTS_PER_PAGE, MAX_COMMENT
from portal.faq.models import Feedback, FeedbackReason, Vote
from portal.i18n import LANGUAGES
from tests.helpers import add_user, html_errors, staff_client, statements

FR = "/fr/faq/2763-generer-ou-renouveler-le-token-amazon"


def vote(client, answer: str, lang: str = "fr", article: int = 2763, **headers):
    return client.post(f"/{lang}/faq/{article}/vote", data={"helpful": answer}, headers=headers)


def tell(client, reason="steps_fail", comment="", lang="fr", article=2763, **headers):
    data = {"reason": reason, "comment": comment}
    return client.post(f"/{lang}/faq/{article}/feedback", data=data, headers=headers)


def stored(app) -> list[Feedback]:
    with app.app_context():
        return list(db.session.execute(db.select(Feedback).order_by(Feedback.id)).scalars())


def html_root(html: str) -> str:
    return re.search(r"<html [^>]*>", html).group(0)


@pytest.fixture
def support(app):
    """A logged-in support agent's client, apart from the readers' clients."""
    return staff_client(app)


def test_no_asks_what_was_missing(client):
    response = vote(client, "no")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{FR}?feedback=no#feedback"
    html = client.get(f"{FR}?feedback=no").get_data(as_text=True)
    form = html[
        html.index('class="reason-form"') : html.index("</form>", html.index("reason-form"))
    ]
    assert 'action="/fr/faq/2763/feedback#feedback"' in html
    assert "<fieldset" in form and "<legend>" in form
    assert form.count('type="radio" ') == 4 and form.count("<label for=") == 5
    assert 'maxlength="500"' in form and 'for="reason-comment"' in form
    assert 'name="helpful"' not in html  # the vote itself is done
    assert "csrf_token" not in html  # a reader without a session can send it


def test_yes_asks_nothing_more(client):
    assert vote(client, "yes").headers["Location"].endswith("?feedback=thanks#feedback")
    assert "reason-form" not in client.get(f"{FR}?feedback=thanks").get_data(as_text=True)


def test_the_reason_and_comment_are_stored_with_the_readers_no(app, client):
    vote(client, "no")
    typed = "Step 3\r\nfails:\tthe button\x07 is gone\u202e.  "
    response = tell(client, "steps_fail", typed)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{FR}?feedback=sent#feedback"
    html = client.get(f"{FR}?feedback=sent").get_data(as_text=True)
    assert 'class="feedback-message" role="status"' in html and "reason-form" not in html
    assert "the button" not in html  # a page anyone may get from that URL: nothing personal
    [feedback] = stored(app)
    with app.app_context():
        own = db.session.get(Vote, feedback.vote_id)
        assert (own.article_id, own.lang, own.helpful) == (2763, "fr", False)
    assert feedback.reason is FeedbackReason.STEPS_FAIL
    assert feedback.comment == "Step 3\nfails: the button is gone."
    assert feedback.lang == "fr"


def test_a_second_answer_is_not_stored(app, client):
    vote(client, "no")
    tell(client, "outdated")
    response = tell(client, "unclear", "again")
    assert response.headers["Location"].endswith("?feedback=told#feedback")
    assert [f.reason for f in stored(app)] == [FeedbackReason.OUTDATED]


def test_no_again_asks_only_while_no_reason_was_given(client):
    vote(client, "no")
    assert vote(client, "no").headers["Location"].endswith("?feedback=no#feedback")
    tell(client)
    assert vote(client, "no").headers["Location"].endswith("?feedback=already#feedback")


def test_the_comment_is_optional_and_may_have_500_characters(app, client):
    vote(client, "no")
    # A browser sends each line break as CRLF; the reader typed one character for it.
    comment = "x" * 249 + "\r\n" + "y" * 250
    assert tell(client, "off_topic", comment).status_code == 303
    assert len(stored(app)[0].comment) == MAX_COMMENT
    other = app.test_client()
    vote(other, "no")
    assert tell(other, "unclear").status_code == 303
    assert stored(app)[1].comment == ""


@pytest.mark.parametrize(
    ("reason", "comment", "field"),
    [
        ("maybe", "", "reason"),
        ("", "No reason chosen", "reason"),
        ("unclear", "é" * (MAX_COMMENT + 1), "comment"),
    ],
)
def test_bad_answers_are_refused_with_the_form_again(app, client, reason, comment, field):
    vote(client, "no")
    response = tell(client, reason, comment)
    assert response.status_code == 422
    assert response.cache_control.private and response.cache_control.no_store
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="reason-form-error" role="alert">' in html
    with app.test_request_context(), force_locale("fr"):
        expected = (
            ngettext(
                "Please shorten your comment to %(num)d character or fewer.",
                "Please shorten your comment to %(num)d characters or fewer.",
                MAX_COMMENT,
            )
            if field == "comment"
            else gettext("Please choose one of the reasons.")
        )
    assert f'id="reason-form-error" role="alert">{escape(expected)}' in html
    if field == "comment":
        assert (
            'aria-describedby="reason-comment-hint reason-form-error" aria-invalid="true"' in html
        )
        assert 'id="reason-unclear" name="reason" value="unclear" required checked' in html
    else:
        assert '<fieldset aria-describedby="reason-form-error">' in html
    assert comment in html  # what the reader typed is kept for them
    assert stored(app) == []


def test_without_the_readers_own_no_nothing_is_stored(app, client):
    assert tell(client).status_code == 422  # never voted: no cookie
    vote(client, "yes")
    refused = tell(client)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert '<p class="field-error" role="alert">' in html and 'name="helpful"' in html
    stranger = app.test_client()
    vote(stranger, "no")
    stranger.set_cookie("voter", "someone-else")
    assert tell(stranger).status_code == 422
    assert tell(client, lang="de").status_code == 422  # another translation: another vote
    assert stored(app) == []


def test_cross_site_answers_are_refused(app, client):
    vote(client, "no")
    assert tell(client, Origin="https://evil.example").status_code == 400
    assert tell(client, **{"Sec-Fetch-Site": "cross-site"}).status_code == 400
    assert tell(client, article=999).status_code == 404
    assert stored(app) == []
    assert tell(client, Origin="http://localhost").status_code == 303


def test_answers_are_limited_per_address(build_app):
    app = build_app(VOTE_LIMIT="3 per minute")
    client = app.test_client()
    vote(client, "no")
    codes = [tell(client, "unclear").status_code for _ in range(4)]
    assert codes == [303, 303, 303, 429]
    refused = tell(client, "unclear", lang="de")
    assert refused.status_code == 429 and '<html lang="de"' in refused.get_data(as_text=True)
    assert len(stored(app)) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_form_and_its_errors_in_every_language(client, lang):
    article = vote(client, "no", lang=lang).headers["Location"]
    page = client.get(article)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'lang="{lang}" dir="{direction}"' in html_root(html)
    assert f'action="/{lang}/faq/2763/feedback#feedback"' in html and "<legend>" in html
    refused = tell(client, "nonsense", lang=lang).get_data(as_text=True)
    assert f'lang="{lang}" dir="{direction}"' in html_root(refused)
    assert 'id="reason-form-error"' in refused


def test_support_reads_comments_as_text(app, client, support):
    vote(client, "no")
    tell(client, "unclear", "<script>alert(1)</script> <b>bold</b> see https://evil.example")
    html = support.get("/en/support/feedback").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>bold" not in html
    assert 'href="https://evil.example' not in html  # no link made of it
    assert "It is hard to understand" in html  # the reason, in support's language
    assert 'lang="fr" dir="auto"' in html  # written on a French page


def test_the_list_is_newest_first_and_filtered(app, support):
    for lang, text in (("fr", "Oldest."), ("de", "Middle."), ("fr", "Newest.")):
        reader = app.test_client()
        vote(reader, "no", lang=lang)
        tell(reader, "outdated", text, lang=lang)
    html = support.get("/en/support/feedback").get_data(as_text=True)
    assert html.index(">Newest.<") < html.index(">Middle.<") < html.index(">Oldest.<")
    assert "Showing 1–3 of 3 answers" in html
    german = support.get("/en/support/feedback?language=de").get_data(as_text=True)
    assert "Middle." in german and "Oldest." not in german and "Newest." not in german
    assert 'value="de" lang="de" selected' in german
    other = support.get("/en/support/feedback?article=10").get_data(as_text=True)
    assert "Oldest." not in other and "No reader has said what was missing yet." in other


def test_long_lists_come_in_pages(app, support):
    with app.app_context():
        for number in range(COMMENTS_PER_PAGE + 1):
            own = Vote(article_id=2763, lang="fr", revision=1, voter=f"v{number}", helpful=False)
            db.session.add(own)
            db.session.flush()
            db.session.add(Feedback(vote_id=own.id, reason="unclear", comment=f"c{number}.",
                                    lang="fr"))  # fmt: skip
        db.session.commit()
    with statements(app) as sent:
        first = support.get("/en/support/feedback").get_data(as_text=True)
    assert len(sent) < 12, sent  # not one query per answer
    assert f"Showing 1–{COMMENTS_PER_PAGE} of {COMMENTS_PER_PAGE + 1} answers" in first
    assert ">c50.<" in first and ">c0.<" not in first
    assert 'href="/en/support/feedback?page=2" rel="next"' in first
    last = support.get("/en/support/feedback?page=2").get_data(as_text=True)
    assert ">c0.<" in last and ">c50.<" not in last and 'rel="prev"' in last
    assert "Showing 51–51 of 51 answers" in last
    assert ">c0.<" in support.get("/en/support/feedback?page=9").get_data(as_text=True)


def test_score_per_revision_and_language(tmp_path, sample_faq, build_app, article_file):
    app = build_app(sample_faq)
    for answer in ("yes", "no", "no"):
        vote(app.test_client(), answer, lang="en", article=10)
    vote(app.test_client(), "yes", lang="fr", article=10)
    article_file(sample_faq / "10-sample", "fr", revision=4)
    article_file(sample_faq / "10-sample", "en", source_revision=4)
    newer = build_app(sample_faq, reset=False)
    vote(newer.test_client(), "yes", lang="en", article=10)
    html = staff_client(newer).get("/en/support/feedback?article=10").get_data(as_text=True)
    table = html[html.index('class="dashboard-table score-table"') :]
    rows = [
        re.sub(r"<[^>]+>|\s+", " ", row).split()
        for row in re.findall(r"<tr>(.*?)</tr>", table[: table.index("</table>")], re.S)[1:]
    ]
    # Article, language, revision, votes, yes, share, reasons: the newest revision first.
    assert rows == [
        ["Sample", "en", "English", "4", "1", "1", "100.00%", "0"],
        ["Sample", "en", "English", "3", "3", "1", "33.33%", "0"],
        ["Sample", "en", "Français", "3", "1", "1", "100.00%", "0"],
    ]


def test_only_staff_read_feedback(app, client, auth):
    response = client.get("/en/support/feedback")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    add_user(app, "marie@example.com")
    auth.login()
    assert client.get("/en/support/feedback").status_code == 403


def test_support_finds_the_page_in_its_menu(support):
    html = support.get("/en/support/").get_data(as_text=True)
    assert 'href="/en/support/feedback"' in html
    page = support.get("/en/support/feedback")
    assert page.cache_control.private and page.cache_control.no_store


@pytest.mark.parametrize("lang", LANGUAGES)
def test_support_page_in_every_language(app, client, support, lang):
    vote(client, "no", lang=lang)
    tell(client, "off_topic", "Texte", lang=lang)
    html = support.get(f"/{lang}/support/feedback").get_data(as_text=True)
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'lang="{lang}" dir="{direction}"' in html_root(html)
    assert f'lang="{lang}" dir="auto">Texte</p>' in html
    assert 'aria-current="page"' in html and 'class="dashboard-table score-table"' in html


def test_the_pages_are_valid_html(app, client, support, tmp_path):
    pages = {"form": client.get(vote(client, "no", lang="ar").headers["Location"])}
    pages["refused"] = tell(client, "unclear", "x" * (MAX_COMMENT + 1), lang="ar")
    tell(client, "unclear", "<b>Texte</b>\nsur deux lignes", lang="ar")
    pages["support"] = support.get("/ar/support/feedback")
    assert 'class="reason-form"' in pages["form"].get_data(as_text=True)
    assert html_errors({k: r.get_data(as_text=True) for k, r in pages.items()}, tmp_path) == []
