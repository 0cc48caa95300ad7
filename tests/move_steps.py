"""A unit move through the web as a person makes it (pacm issue 9): the form asks for a review,
the review page's confirm posts the same fields with the signed plan; only the confirm moves units."""
import re

_TOKEN = re.compile(r'name="confirm" value="([^"]+)"')


def move_post(client, url, data, **kwargs):
    """POST `data` for review, then confirm what the review showed (with `kwargs`, say follow=True).
    Without a confirm on the review (bad input, a refusal), the review's answer is returned."""
    review = client.post(url, {**data, "review": "1"}, **kwargs)
    token = _TOKEN.search(review.content.decode()) if review.status_code == 200 else None
    if token is None:
        return review
    return client.post(url, {**data, "confirm": token.group(1)}, **kwargs)
