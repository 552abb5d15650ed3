"""`tenantree me mfa …`: the token's account enrols and removes its own TOTP."""

from __future__ import annotations

import pyotp

from cli.commands.running import Cli, error_code


def test_a_person_enrols_an_authenticator_and_gets_recovery_codes(remote: Cli) -> None:
    assert remote.ok("me", "mfa", "show", actor="S-A")["totp"] is False
    started = remote.ok("me", "mfa", "totp-start", actor="S-A")
    assert started["provisioning_uri"].startswith("otpauth://totp/")
    code = pyotp.TOTP(started["secret"]).now()
    confirmed = remote.ok("me", "mfa", "totp-confirm", code, actor="S-A")
    assert len(confirmed["recovery_codes"]) == 10
    assert remote.ok("me", "mfa", "show", actor="S-A")["totp"] is True
    assert remote.ok("me", "mfa", "show", actor="S-PA")["totp"] is False


def test_a_wrong_code_is_refused_with_the_apis_code(remote: Cli) -> None:
    secret = remote.ok("me", "mfa", "totp-start", actor="S-A")["secret"]
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    result = remote.run("me", "mfa", "totp-confirm", wrong, actor="S-A")
    assert result.exit_code == 1, result.output
    assert error_code(result) == "invalid"
    assert remote.ok("me", "mfa", "show", actor="S-A")["totp"] is False


def test_recovery_codes_need_a_second_factor(remote: Cli) -> None:
    result = remote.run("me", "mfa", "recovery-codes", actor="S-A")
    assert result.exit_code == 1, result.output
