"""'Was this article helpful?': stored per article, language and revision, one vote per reader."""

from portal.extensions import db
from portal.faq.models import Vote

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
        .endswith("feedback=thanks#feedback")
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
