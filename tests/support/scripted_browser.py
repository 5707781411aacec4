"""A stand-in for the user's browser (used through $BROWSER by webbrowser.open): it opens the
provider's page, fills in the demo credentials from AUDE_TEST_SSO_USER / AUDE_TEST_SSO_PASSWORD, and
follows the redirect to the application's loopback address — what a person does by hand."""

import os
import re
import sys
from html import unescape

import requests

url = sys.argv[1]
page = requests.get(url, timeout=10)
form = {unescape(k): unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)}
answer = requests.post(url.split("?")[0], data=form | {"username": os.environ["AUDE_TEST_SSO_USER"],
                                                       "password": os.environ["AUDE_TEST_SSO_PASSWORD"]},
                       allow_redirects=False, timeout=10)
if answer.status_code == 302:
    requests.get(answer.headers["Location"], timeout=10)
