"""'Was this article helpful?': stored per article, language and revision, one vote per reader."""

import requests

from portal.extensions import db
from portal.faq.models import ArticleView, Vote
from tests.helpers import LiveServer

FR = "/fr/faq/2763-generer-ou-renouveler-le-token-amazon"


def vote(client, answer: str, lang: str = "fr", article: int = 2763, **headers):
    return client.post(f"/{lang}/faq/{article}/vote", data={"helpful": answer}, headers=headers)


def test_vote_is_stored_and_shown(app, client):
    response = vote(client, "yes")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{FR}?feedback=thanks#feedback"
    html = client.get(f"{FR}?feedback=thanks").get_data(as_text=True)
    assert "Merci" in html
    assert "1 vote" in html and "100,00" in html
    with app.app_context():
        stored = db.session.execute(db.select(Vote)).scalar_one()
    assert (stored.article_id, stored.lang, stored.revision, stored.helpful) == (
        2763,
        "fr",
        1,
        True,
    )
    assert len(stored.voter) == 64  # a digest, not the cookie


def test_one_vote_per_reader_and_revision(app, client):
    vote(client, "yes")
    response = vote(client, "no")
    assert response.headers["Location"].endswith("?feedback=already#feedback")
    other_reader = app.test_client()
    vote(other_reader, "no")
    html = client.get(FR).get_data(as_text=True)
    assert "2 votes" in html and "50,00" in html


def test_votes_are_counted_per_language(client):
    vote(client, "no", lang="de")
    assert vote(client, "yes").headers["Location"].endswith("feedback=thanks#feedback")
    html = client.get("/de/faq/2763-amazon-token-erstellen-oder-erneuern").get_data(as_text=True)
    assert "1 Stimme" in html and "0,00" in html


def test_a_new_source_revision_opens_a_new_vote(tmp_path, sample_faq, build_app, article_file):
    app = build_app(sample_faq)
    client = app.test_client()
    vote(client, "yes", lang="en", article=10)
    article_file(sample_faq / "10-sample", "fr", revision=4)
    article_file(sample_faq / "10-sample", "en", source_revision=4)
    newer = build_app(sample_faq, reset=False).test_client()
    newer.set_cookie("voter", client.get_cookie("voter").value)
    assert (
        vote(newer, "no", lang="en", article=10)
        .headers["Location"]
        .endswith("feedback=no#feedback")
    )
    with app.app_context():
        revisions = (
            db.session.execute(db.select(Vote.revision).order_by(Vote.revision)).scalars().all()
        )
    assert revisions == [3, 4]


def test_bad_votes_change_nothing(app, client):
    assert vote(client, "maybe").status_code == 400
    assert vote(client, "yes", article=999).status_code == 404
    assert vote(client, "yes", Origin="https://evil.example").status_code == 400
    assert vote(client, "yes", **{"Sec-Fetch-Site": "cross-site"}).status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Vote.id))).scalar() == 0


def test_the_vote_form_works_without_a_session(client):
    html = client.get(FR).get_data(as_text=True)
    assert 'action="/fr/faq/2763/vote"' in html and "csrf_token" not in html
    response = vote(client, "yes", Origin="http://localhost")
    assert response.status_code == 303
    assert "session=" not in response.headers.get("Set-Cookie", "")


def test_votes_are_limited_per_address(build_app):
    """A fresh cookie makes a new voter, so the address is what limits a flood of votes."""
    with LiveServer(lambda url: build_app(BASE_URL=url, VOTE_LIMIT="3 per minute")) as server:
        app = server.app
        codes = [
            requests.post(f"{server.url}/de/faq/2763/vote", data={"helpful": "yes"},
                          allow_redirects=False, timeout=10).status_code
            for _ in range(4)
        ]  # fmt: skip
        refused = requests.post(
            f"{server.url}/de/faq/2763/vote", data={"helpful": "no"}, timeout=10
        )
    assert codes == [303, 303, 303, 429]
    assert refused.status_code == 429 and '<html lang="de"' in refused.text
    assert "Zu viele Versuche" in refused.text
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Vote.id))).scalar() == 3


def test_the_view_beacon_is_limited_per_address(build_app):
    with LiveServer(lambda url: build_app(BASE_URL=url, VIEW_LIMIT="2 per minute")) as server:
        app = server.app
        answers = [requests.post(f"{server.url}/de/faq/2763/viewed", timeout=10) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [204, 204, 429]
    refused = answers[-1]
    assert refused.headers["Content-Type"].startswith("text/plain") and "<" not in refused.text
    with app.app_context():
        assert db.session.execute(db.select(db.func.sum(ArticleView.count))).scalar() == 2


def test_no_votes_says_so(client):
    html = client.get(FR).get_data(as_text=True)
    summary = html[html.index('class="vote-summary"') :]
    summary = summary[: summary.index("</p>")]
    assert "Aucun vote pour l’instant" in summary
    assert "0 vote" not in summary and "%" not in summary
    vote(client, "no")
    html = client.get(FR).get_data(as_text=True)
    assert "1 vote" in html and "0,00" in html and "Aucun vote" not in html
