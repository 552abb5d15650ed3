import pytest

from tenantree.errors import Invalid
from tenantree.webhooks.urls import check_url


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://intranet/hook",
        "http://hooks.example.com/hook",
        "ftp://hooks.example.com/hook",
        "https:///no-host",
        "https://user:pw@hooks.example.com/hook",
        "https://hooks.example.com[/hook",
    ],
)
def test_urls_that_are_not_https_to_a_public_host_are_refused_naming_url(url: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_url(url, allow_private=False)
    assert refused.value.field == "url"


def test_an_https_url_of_a_public_name_is_kept() -> None:
    url = "https://hooks.example.com/in?tenant=1"
    assert check_url(f"  {url} ", allow_private=False) == url


def test_the_operator_may_allow_private_hosts_and_http() -> None:
    assert check_url("http://127.0.0.1:8080/hook", allow_private=True)
