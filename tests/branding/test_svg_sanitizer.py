"""The SVG sanitiser on its own: whatever goes in, nothing that can run or fetch comes out."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from tenantree.branding import svg
from tenantree.branding.errors import InvalidImage

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def _doc(inner: str, root_attrs: str = "") -> bytes:
    return f"<svg {NS} {root_attrs}>{inner}</svg>".encode()


def assert_inert(data: bytes) -> None:
    """Every element whitelisted, no handler, no script URL, no external reference."""
    root = fromstring(data)
    for element in root.iter():
        ns, name = element.tag[1:].split("}")
        assert ns == svg.SVG_NS and name in svg.ELEMENTS, element.tag
        for key, value in element.attrib.items():
            attr = key.rsplit("}", 1)[-1]
            assert not attr.lower().startswith("on"), key
            compact = "".join(value.split()).lower()
            assert "javascript:" not in compact and "vbscript:" not in compact, value
            if attr == "href":
                assert value.startswith("#") or value.startswith("data:image/png"), value
            if "url(" in compact:
                assert compact.count("url(#") + compact.count("url('#") + compact.count(
                    'url("#'
                ) == compact.count("url("), value
        if name == "style":
            assert svg.safe_css("".join(element.itertext()))


VECTORS = {
    "script": "<script>alert(1)</script>",
    "script-cdata": "<script><![CDATA[alert(1)]]></script>",
    "script-href": '<script xlink:href="https://evil.example/x.js"/>',
    "onload-upper": '<g ONLOAD="alert(1)"><rect width="1" height="1"/></g>',
    "anchor-js": '<a href=" JaVaScRiPt:alert(1)"><text>x</text></a>',
    "anchor-js-entity": '<a href="java&#x09;script:alert(1)"><text>x</text></a>',
    "animate-href": '<animate attributeName="href" values="javascript:alert(1)"/>',
    "set-href": '<set attributeName="xlink:href" to="javascript:alert(1)"/>',
    "use-external": '<use href="https://evil.example/s.svg#a"/>',
    "use-data-svg": '<use href="data:image/svg+xml;base64,PHN2Zy8+#a"/>',
    "use-js": '<use xlink:href="javascript:alert(1)#a"/>',
    "image-svg-data": '<image href="data:image/svg+xml;base64,PHN2Zy8+"/>',
    "image-remote": '<image xlink:href="https://tracker.example/p.png"/>',
    "foreign-object": '<foreignObject><body xmlns="http://www.w3.org/1999/xhtml">'
    "<script>alert(1)</script></body></foreignObject>",
    "style-import": "<style>@import url(https://evil.example/x.css);</style>",
    "style-url": "<style>rect { fill: url(https://evil.example/p.png) }</style>",
    "style-escape": "<style>rect { background: \\75 rl(https://evil.example) }</style>",
    "style-attr": '<rect style="background-image:url(//evil.example/p.png)"/>',
    "fill-url": '<rect fill="url(https://evil.example/p.svg#g)"/>',
    "filter-url": '<rect filter="url(data:image/svg+xml,x)"/>',
    "handler-element": '<handler type="application/ecmascript">alert(1)</handler>',
    "xml-events": '<g xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="click"/>',
    "xml-base": '<g xml:base="javascript:alert(1)//"><use href="#a"/></g>',
    "iframe-html-ns": '<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/>',
    "nested-in-allowed": "<title><script>alert(1)</script>Logo</title>",
    "feimage": '<filter id="f"><feImage href="https://evil.example/p.png"/></filter>',
    "pi-stylesheet": '<?xml-stylesheet href="https://evil.example/x.css"?><rect/>',
}


@pytest.mark.parametrize("inner", VECTORS.values(), ids=VECTORS.keys())
def test_every_vector_comes_out_inert(inner):
    cleaned = svg.sanitize(_doc(inner + '<circle r="3" fill="#0f766e"/>'))

    assert_inert(cleaned.data)
    assert b"<circle" in cleaned.data  # the harmless rest survives
    if "<?" not in inner and "xml:base" not in inner:
        assert cleaned.removed, inner


def test_root_handlers_are_removed():
    cleaned = svg.sanitize(_doc('<rect width="1" height="1"/>', 'onload="alert(1)"'))
    assert_inert(cleaned.data)
    assert b"onload" not in cleaned.data


def test_harmless_svg_keeps_its_drawing():
    source = _doc(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#004488"/></linearGradient>'
        '<clipPath id="c"><rect width="5" height="5"/></clipPath></defs>'
        "<style>.a { fill: url(#g); stroke: #000 }</style>"
        '<g clip-path="url(#c)" transform="translate(1 1)"><path class="a" d="M0 0L5 5"/></g>'
        '<use xlink:href="#g"/><text x="1" y="9" font-family="Arial">&lt;Logo&gt;</text>'
        '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
    )
    cleaned = svg.sanitize(source)

    assert cleaned.removed == ()
    assert_inert(cleaned.data)
    for kept in (b"linearGradient", b'clip-path="url(#c)"', b"&lt;Logo&gt;", b"url(#g)"):
        assert kept in cleaned.data


@pytest.mark.parametrize(
    "data",
    [
        b"<html><svg xmlns='http://www.w3.org/2000/svg'/></html>",
        b"<svg><rect/></svg>",  # no SVG namespace
        b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>",  # not well-formed
        b'<!DOCTYPE svg [<!ENTITY e "x">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
        (b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g>" * 100 + b"</g>" * 100 + b"</svg>"),
    ],
    ids=["html-root", "no-namespace", "malformed", "entity", "too-deep"],
)
def test_what_cannot_be_made_safe_is_refused(data):
    with pytest.raises(InvalidImage):
        svg.sanitize(data)


def test_looks_like_svg_reads_past_the_prolog_only():
    assert svg.looks_like_svg(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- hi -->\n<svg a="1">')
    assert svg.looks_like_svg(b"<!DOCTYPE svg [<!ELEMENT svg ANY>]><svg/>")
    assert not svg.looks_like_svg(b"<html><svg></svg></html>")
    assert not svg.looks_like_svg(b"\x89PNG\r\n\x1a\n")
    assert not svg.looks_like_svg(b"<svgfoo/>")
