"""schemathesis hook for scripts/check-openapi.sh: signs every request as a trusted test origin
(design §5 `Authorization: CityBench …`), so the signed endpoints are fuzzed past authentication.
The signature covers the exact bytes sent, so it is added by a requests auth callable on the
prepared request (final path, query and body)."""
import base64
import hashlib
import os
import secrets
import time

import requests
import schemathesis
from cryptography.hazmat.primitives.serialization import load_pem_private_key

KEY = load_pem_private_key(open(os.environ["CB_CLIENT_KEY"], "rb").read(), None)
ORIGIN = os.environ["CB_CLIENT_ORIGIN"]
AUDIENCE = os.environ["CB_AUDIENCE"]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class CityBenchSignature(requests.auth.AuthBase):
    def __call__(self, r):
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        ts = str(int(time.time()))
        nonce = b64(secrets.token_bytes(16))
        message = (b"citybench/v1/request\0" + f"{AUDIENCE}\n{r.method} {r.path_url}\n{ts}\n{nonce}\n".encode()
                   + hashlib.sha256(body).hexdigest().encode())
        r.headers["Authorization"] = f"CityBench origin={ORIGIN}, ts={ts}, nonce={nonce}, sig={b64(KEY.sign(message))}"
        return r


@schemathesis.hook
def before_call(ctx, case, kwargs):
    kwargs["auth"] = CityBenchSignature()
