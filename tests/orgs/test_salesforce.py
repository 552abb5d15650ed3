"""Salesforce account IDs: the 15/18-character forms, the checksum, the API's answers.

The 18-character form appends three characters to the 15-character ID. For
each 5-character chunk of the 15, bit i of a 5-bit number is set when
character i of the chunk is an uppercase A-Z; the number indexes
"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345". The expected suffixes below are worked
out by hand from that rule, not by calling the code under test.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenantree.api.schemas.orgs import OrgCreate
from tenantree.orgs.salesforce import (
    InvalidSalesforceId,
    checksum_suffix,
    normalize_account_id,
)

# --- The checksum, worked by hand ---------------------------------------------

# "001A0000006Vm9r"
#   chunk 1 "001A0": only position 3 ('A') is uppercase -> 0b01000 = 8  -> 'I'
#   chunk 2 "00000": no uppercase                       -> 0b00000 = 0  -> 'A'
#   chunk 3 "6Vm9r": only position 1 ('V') is uppercase -> 0b00010 = 2  -> 'C'
#   suffix "IAC"
HAND_WORKED = [
    # no letter at all, so every chunk is 0 -> "AAA"
    ("001000000000000", "AAA"),
    # lowercase letters never set a bit -> "AAA"
    ("001abcdefghijkl", "AAA"),
    ("001A0000006Vm9r", "IAC"),
    # "001AB": positions 3, 4 -> 8 + 16 = 24 -> 'Y'; "CDEFG", "HIJKL": all five -> 31 -> '5'
    ("001ABCDEFGHIJKL", "Y55"),
    # "001ab" -> 0 -> 'A'; "cdeFg": position 3 -> 8 -> 'I'; "hijkL": position 4 -> 16 -> 'Q'
    ("001abcdeFghijkL", "AIQ"),
    # "001xY": position 4 -> 16 -> 'Q'; "z0000" -> 0 -> 'A'; "0Q0q0": position 1 -> 2 -> 'C'
    ("001xYz00000Q0q0", "QAC"),
    # "001A0" -> 8 -> 'I'; "00001" -> 0 -> 'A'; "AbCdE": positions 0, 2, 4 -> 1+4+16 = 21 -> 'V'
    ("001A000001AbCdE", "IAV"),
]


@pytest.mark.parametrize(("id15", "suffix"), HAND_WORKED)
def test_checksum_suffix_matches_hand_worked_cases(id15: str, suffix: str) -> None:
    assert checksum_suffix(id15) == suffix


def test_checksum_suffix_sets_bit_zero_for_an_uppercase_first_character() -> None:
    # "A0000" -> bit 0 -> 1 -> 'B' (account IDs start with a digit, so check it directly)
    assert checksum_suffix("A0000B0000Z0000") == "BBB"


def test_checksum_suffix_of_all_uppercase_is_all_fives() -> None:
    # every chunk 0b11111 = 31 -> the last symbol of the alphabet, '5'
    assert checksum_suffix("ABCDEFGHIJKLMNO") == "555"


@pytest.mark.parametrize(("id15", "suffix"), HAND_WORKED)
def test_15_char_id_normalises_to_its_18_char_form(id15: str, suffix: str) -> None:
    assert normalize_account_id(id15) == id15 + suffix


@pytest.mark.parametrize(("id15", "suffix"), HAND_WORKED)
def test_18_char_id_with_the_right_suffix_is_kept(id15: str, suffix: str) -> None:
    assert normalize_account_id(id15 + suffix) == id15 + suffix


def test_lowercase_suffix_is_accepted_and_normalised_to_uppercase() -> None:
    assert normalize_account_id("001A0000006Vm9riac") == "001A0000006Vm9rIAC"


def test_surrounding_whitespace_is_ignored() -> None:
    assert normalize_account_id("  001A0000006Vm9r\n") == "001A0000006Vm9rIAC"


def test_wrong_suffix_is_rejected_with_the_rule_and_the_expected_suffix() -> None:
    with pytest.raises(InvalidSalesforceId) as caught:
        normalize_account_id("001A0000006Vm9rIAD")
    assert caught.value.code == "invalid_salesforce_id"
    assert caught.value.field == "salesforce_id"
    assert "checksum" in caught.value.message
    assert "IAC" in caught.value.message


def test_case_change_in_the_first_15_is_caught_by_the_suffix() -> None:
    # 'V' -> 'v' clears bit 1 of chunk 3: the right suffix would be "IAA", not "IAC"
    with pytest.raises(InvalidSalesforceId):
        normalize_account_id("001A0000006vm9rIAC")


def test_error_field_can_be_renamed_for_other_inputs() -> None:
    with pytest.raises(InvalidSalesforceId) as caught:
        normalize_account_id("123", field="partner_salesforce_id")
    assert caught.value.field == "partner_salesforce_id"


@pytest.mark.parametrize(
    "raw", ["", "001", "001A0000006Vm9", "001A0000006Vm9rI", "001A0000006Vm9rIACX"]
)
def test_wrong_length_is_rejected_saying_15_or_18(raw: str) -> None:
    with pytest.raises(InvalidSalesforceId, match="15 or 18 characters"):
        normalize_account_id(raw)


@pytest.mark.parametrize(
    "raw", ["001A0000006Vm9-", "001A00 0006Vm9r", "001A0000006Vm9é", "001A000000_Vm9r"]
)
def test_non_alphanumeric_is_rejected_saying_which_characters(raw: str) -> None:
    with pytest.raises(InvalidSalesforceId, match="A-Z, a-z and the digits 0-9"):
        normalize_account_id(raw)


@pytest.mark.parametrize("raw", ["003A0000006Vm9r", "a01A0000006Vm9r", "500A0000006Vm9rIAC"])
def test_other_key_prefixes_are_rejected_naming_the_account_prefix(raw: str) -> None:
    with pytest.raises(InvalidSalesforceId, match="'001'.*Account"):
        normalize_account_id(raw)


def test_documented_example_is_a_valid_account_id() -> None:
    """The OpenAPI example clients copy must pass our own validation."""
    example = OrgCreate.model_json_schema()["properties"]["salesforce_id"]["examples"][0]
    assert normalize_account_id(example) == example


# --- Properties ---------------------------------------------------------------

_ALNUM = string.ascii_letters + string.digits
valid_id15 = st.text(alphabet=_ALNUM, min_size=12, max_size=12).map(lambda tail: "001" + tail)


@given(valid_id15)
def test_normalising_is_idempotent(id15: str) -> None:
    once = normalize_account_id(id15)
    assert len(once) == 18
    assert once[:15] == id15
    assert normalize_account_id(once) == once


@given(valid_id15)
def test_the_18_char_form_is_accepted_in_either_suffix_case(id15: str) -> None:
    id18 = normalize_account_id(id15)
    assert normalize_account_id(id18[:15] + id18[15:].lower()) == id18


@given(valid_id15, st.data())
def test_flipping_the_case_of_one_letter_is_detected(id15: str, data: st.DataObject) -> None:
    letters = [i for i, c in enumerate(id15) if c.isalpha()]
    if not letters:
        id15 = id15[:-1] + "x"
        letters = [14]
    position = data.draw(st.sampled_from(letters))
    id18 = normalize_account_id(id15)
    flipped = id18[:position] + id18[position].swapcase() + id18[position + 1 :]
    with pytest.raises(InvalidSalesforceId, match="checksum"):
        normalize_account_id(flipped)


# --- Through the API ------------------------------------------------------------


def _create(client, headers, raw: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/orgs",
        json={"name": "Acme", "salesforce_id": raw, "primary_admin_email": "admin@acme.example"},
        headers=headers,
    )


def test_api_stores_a_15_char_id_in_its_18_char_form(client, op_headers) -> None:
    headers = op_headers
    response = _create(client, headers, "001A0000006Vm9r")
    assert response.status_code == 201, response.text
    assert response.json()["salesforce_id"] == "001A0000006Vm9rIAC"


def test_api_normalises_a_lowercase_suffix(client, op_headers) -> None:
    headers = op_headers
    response = _create(client, headers, "001A0000006Vm9riac")
    assert response.status_code == 201, response.text
    assert response.json()["salesforce_id"] == "001A0000006Vm9rIAC"


def test_api_rejects_a_wrong_suffix_naming_the_field_and_rule(client, op_headers) -> None:
    headers = op_headers
    response = _create(client, headers, "001A0000006Vm9rAAA")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_salesforce_id"
    assert error["field"] == "salesforce_id"
    assert "checksum of the first fifteen" in error["message"]
    assert "IAC" in error["message"]


@pytest.mark.parametrize(
    ("raw", "explains"),
    [
        ("001A0000006Vm9", "15 or 18 characters"),
        ("001A0000006Vm9rIA", "15 or 18 characters"),
        ("001A0000006Vm9rIACAA", "15 or 18 characters"),
        ("001A0000006Vm9!", "letters A-Z, a-z and the digits 0-9"),
        ("001A0000006Vm9 ", "15 or 18 characters"),
        ("003A0000006Vm9r", "key prefix of Account records"),
    ],
    ids=["14-chars", "17-chars", "20-chars", "punctuation", "trailing-space", "contact-prefix"],
)
def test_api_rejects_malformed_ids_with_an_explaining_message(
    client, op_headers, raw: str, explains: str
) -> None:
    headers = op_headers
    response = _create(client, headers, raw)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_salesforce_id"
    assert error["field"] == "salesforce_id"
    assert explains in error["message"]


def test_api_rejects_a_malformed_sub_org_id_the_same_way(client, orgs_api) -> None:
    parent = orgs_api.partner("msp")
    response = client.post(
        f"/api/v1/orgs/{parent['id']}/sub-orgs",
        json={"name": "Customer", "salesforce_id": "001abc", "customer_name": "Customer Inc"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_salesforce_id"
    assert response.json()["error"]["field"] == "salesforce_id"
