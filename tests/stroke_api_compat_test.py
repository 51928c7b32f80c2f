"""The original stroke API's client, unchanged, against stroke-serve.

Starts the stroke-serve binary (argv[1]) with a users file written by
`stroke-serve passwd`, then makes the calls the original project's client and
tests made, over plain HTTP (urllib): JSON body + Basic auth -> 200
{"prediction", "proba"}; wrong password -> 401 with WWW-Authenticate; the
original test's body with zeros and booleans -> 200; {"invalid_data": true}
-> 422 with FastAPI's detail list.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from serve_process import PATIENT, start, stop
ORIGINAL_TEST_BODY = {"gender": "Male", "age": 0, "hypertension": True, "heart_disease": False,
                      "ever_married": "Yes", "work_type": "Private", "Residence_type": "Urban",
                      "avg_glucose_level": 0, "bmi": 0, "smoking_status": "smokes"}


def post(url, body, user=None, password=None):
    """What `requests.post(url, json=body, auth=(user, password))` sends."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def main():
    serve = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        users = os.path.join(tmp, "users.htpasswd")
        line = subprocess.run([serve, "passwd", "admin"], input="s3cret\n", capture_output=True,
                              text=True, check=True).stdout
        with open(users, "w", encoding="utf-8") as f:
            f.write(line)
        server, url = start(serve, "--users", users, "--quiet")
        try:
            status, _, body = post(url + "/prediction", PATIENT, "admin", "s3cret")
            assert status == 200 and set(body) == {"prediction", "proba"}, (status, body)
            assert body["prediction"] in (0, 1) and body["proba"] == round(body["proba"], 4), body
            status, headers, _ = post(url + "/prediction", PATIENT, "admin", "wrong")
            assert status == 401 and "Basic" in headers.get("WWW-Authenticate", ""), (status, headers)
            status, _, _ = post(url + "/prediction", PATIENT)
            assert status == 401, status
            status, _, body = post(url + "/prediction", ORIGINAL_TEST_BODY, "admin", "s3cret")
            assert status == 200, (status, body)
            status, _, body = post(url + "/prediction", {"invalid_data": True}, "admin", "s3cret")
            assert status == 422 and isinstance(body["detail"], list), (status, body)
            assert {tuple(d["loc"]) for d in body["detail"]} >= {("body", "age"), ("body", "invalid_data")}
        finally:
            code = stop(server)
        assert code == 0, f"stroke-serve exited {code} on SIGTERM: {server.stderr.read()}"
    print("the original stroke API client works unchanged; SIGTERM -> exit 0")


if __name__ == "__main__":
    main()
