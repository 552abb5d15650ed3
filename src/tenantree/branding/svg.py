"""SVG sanitising: only a whitelist of drawing elements and attributes survives.

Parsed with defusedxml (entity declarations and external references are
refused, so nothing expands or reads files). Then everything that could run
script or fetch something is dropped: elements off the whitelist (<script>,
<foreignObject>, <a>, animation, ...), event handlers (on*), links other than
local "#id" references (raster data: URIs only on <image>), url(...) other
than url(#id), and CSS that imports or fetches. The tree is serialised anew,
so the DOCTYPE, comments and processing instructions are gone too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - serialising only; parsing is defusedxml's
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tenantree.branding.errors import InvalidImage

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Serialise SVG as the default namespace and XLink as "xlink:" (process-wide names).
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

MAX_DEPTH = 64


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


ELEMENTS = _names(
    """svg g defs title desc symbol use path rect circle ellipse line polyline polygon
    text tspan textPath linearGradient radialGradient stop clipPath mask pattern marker
    image style filter feBlend feColorMatrix feComponentTransfer feComposite
    feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur feMerge
    feMergeNode feMorphology feOffset"""
)

ATTRIBUTES = _names(
    """id class style transform version viewBox preserveAspectRatio width height x y
    x1 y1 x2 y2 cx cy r rx ry fx fy fr d points pathLength dx dy rotate textLength
    lengthAdjust fill fill-opacity fill-rule stroke stroke-width stroke-opacity
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset
    opacity color display visibility overflow clip-path clip-rule clipPathUnits mask
    maskUnits maskContentUnits filter filterUnits primitiveUnits gradientUnits
    gradientTransform spreadMethod offset stop-color stop-opacity patternUnits
    patternContentUnits patternTransform marker-start marker-mid marker-end markerWidth
    markerHeight markerUnits refX refY orient font-family font-size font-weight
    font-style font-variant text-anchor dominant-baseline alignment-baseline
    baseline-shift letter-spacing word-spacing text-decoration writing-mode
    paint-order vector-effect shape-rendering text-rendering color-interpolation
    color-interpolation-filters flood-color flood-opacity lighting-color in in2 result
    stdDeviation mode operator k1 k2 k3 k4 values type tableValues slope intercept
    amplitude exponent radius dx dy startOffset method spacing side"""
)
# Elements whose href may point at a local "#id".
LOCAL_HREF = frozenset({"use", "textPath", "linearGradient", "radialGradient", "pattern", "filter"})
HREFS = (f"{{{XLINK_NS}}}href", "href")

_RASTER_DATA = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_UNSAFE_CSS = ("@import", "expression(", "javascript:", "behavior", "-moz-binding", "\\")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")


@dataclass(frozen=True)
class Sanitized:
    data: bytes
    removed: tuple[str, ...]


def looks_like_svg(data: bytes) -> bool:
    """Whether the document's first element is <svg> (after prolog, comments, doctype)."""
    text = data[:8192].decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    for _ in range(50):
        if text.startswith("<?"):
            end = text.find("?>")
            text = text[end + 2 :] if end >= 0 else ""
        elif text.startswith("<!--"):
            end = text.find("-->")
            text = text[end + 3 :] if end >= 0 else ""
        elif text[:9].upper() == "<!DOCTYPE":
            bracket, close = text.find("["), text.find(">")
            end = text.find("]>") + 1 if 0 <= bracket < close else close
            text = text[end + 1 :] if end > 0 else ""
        else:
            break
        text = text.lstrip(" \t\r\n")
    return re.match(r"<svg[\s/>]", text) is not None


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return None, tag


def _compact(value: str) -> str:
    """Lower case without whitespace or control characters, as a browser reads a URL."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def _urls_are_local(value: str) -> bool:
    return all(m.group(2).strip().startswith("#") for m in _URL.finditer(value))


def _safe_value(value: str) -> bool:
    compact = _compact(value)
    if "javascript:" in compact or "vbscript:" in compact or "data:" in compact:
        return False
    return _urls_are_local(value)


def safe_css(css: str) -> bool:
    text = _CSS_COMMENT.sub("", css).lower()
    if any(token in text for token in _UNSAFE_CSS):
        return False
    return _safe_value(text)


def _safe_href(element_name: str, value: str) -> bool:
    stripped = value.strip()
    if element_name == "image":
        return bool(_RASTER_DATA.match(stripped))
    if element_name in LOCAL_HREF:
        return stripped.startswith("#") and not _SCHEME.match(_compact(stripped[1:]))
    return False


class _Cleaner:
    def __init__(self) -> None:
        self.removed: list[str] = []

    def note(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)

    def attributes(self, element: ET.Element, name: str) -> bool:
        """Clean the element's attributes; False if the element must go entirely."""
        for key in list(element.attrib):
            value = element.attrib[key]
            ns, attr = _local(key)
            keep = True
            if attr.lower().startswith("on"):
                keep = False
                self.note(f"event handler {attr}= on <{name}>")
            elif key in HREFS:
                keep = _safe_href(name, value)
                if not keep:
                    self.note(f"link {value[:40]!r} on <{name}>")
                    if name in ("use", "image"):
                        return False
            elif ns == XML_NS and attr in ("space", "lang"):
                keep = True
            elif ns is not None or attr not in ATTRIBUTES:
                keep = False
                self.note(f"attribute {attr}= on <{name}>")
            elif attr == "style":
                keep = safe_css(value)
                if not keep:
                    self.note(f"style= that fetches or runs something on <{name}>")
            elif not _safe_value(value):
                keep = False
                self.note(f"{attr}= with an external or script reference on <{name}>")
            if not keep:
                del element.attrib[key]
        # <use> and <image> are nothing without their (safe) link.
        return name not in ("use", "image") or any(k in element.attrib for k in HREFS)

    def element(self, element: ET.Element, name: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise InvalidImage(f"the SVG is nested deeper than {MAX_DEPTH} levels", field="body")
        for child in list(element):
            ns, child_name = _local(child.tag) if isinstance(child.tag, str) else (None, "?")
            keep = ns == SVG_NS and child_name in ELEMENTS
            if not keep:
                self.note(f"<{child_name}>")
            elif child_name == "style" and not safe_css("".join(child.itertext())):
                keep = False
                self.note("<style> that imports, fetches or runs something")
            elif not self.attributes(child, child_name):
                keep = False
                self.note(f"<{child_name}> pointing outside the image")
            if keep:
                self.element(child, child_name, depth + 1)
            else:
                element.remove(child)


def sanitize(data: bytes) -> Sanitized:
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InvalidImage(
            "the SVG declares entities or external references, which are refused "
            f"({type(exc).__name__})",
            field="body",
        ) from exc
    except ET.ParseError as exc:
        raise InvalidImage(f"the SVG is not well-formed XML: {exc}", field="body") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise InvalidImage(
            f'the root element must be <svg xmlns="{SVG_NS}">, not {root.tag!r}', field="body"
        )
    cleaner = _Cleaner()
    cleaner.attributes(root, "svg")
    cleaner.element(root, "svg", 1)
    body = ET.tostring(root, encoding="unicode")
    return Sanitized(
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + body.encode("utf-8"),
        tuple(cleaner.removed),
    )
