"""Signatures checked by an independent implementation (the `standardwebhooks` package)."""

import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tenantree.webhooks import signing


def test_a_signature_verifies_with_the_standard_webhooks_library() -> None:
    secret = signing.new_secret()
    body = json.dumps({"type": "org.updated", "data": {"x": 1}}).encode()
    headers = signing.headers(secret, "msg_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "org.updated", "data": {"x": 1}}


def test_a_changed_body_fails_verification() -> None:
    secret = signing.new_secret()
    headers = signing.headers(secret, "msg_1", int(time.time()), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)


def test_secrets_are_whsec_base64_of_32_random_bytes() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(signing.key_of(secret)) == 32
    assert secret != signing.new_secret()
