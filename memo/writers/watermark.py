"""A draft's watermark in Word: the text across every page, as Word's own Watermark
command makes it.

Word draws a watermark as a VML WordArt shape (``_x0000_t136``, a text path) anchored in
the section's header, behind the text, centred on the margins and turned 45 degrees; a
header is on every page, so the mark is too. Word lists it under Design > Watermark
(it finds it by the ``PowerPlusWaterMarkObject`` id) and LibreOffice imports it as its
own watermark, so a reviewer can remove it the usual way once the memo is final.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from docx.oxml import parse_xml

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:v="urn:schemas-microsoft-com:vml" '
       'xmlns:o="urn:schemas-microsoft-com:office:office" '
       'xmlns:w10="urn:schemas-microsoft-com:office:word"')

# Word's text-path shape type, as Word writes it for a watermark
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{e}"/>' for e in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3",
        "if @0 @3 0", "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6",
        "mid @8 @5", "mid @7 @8", "mid @6 @7", "sum @6 0 @5"))
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
    'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>'
    '</v:shapetype>')


def run_xml(text: str, font: str) -> str:
    """The ``w:r`` that draws ``text`` as the watermark, in ``font``."""
    # a text path is drawn to fill its box: wide for a short word, so it reads at a glance
    width = 415 if len(text) > 2 else 250
    style = (f"position:absolute;margin-left:0;margin-top:0;width:{width}pt;height:{width * 0.3}pt;"
             "rotation:315;z-index:-251654144;mso-position-horizontal:center;"
             "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
             "mso-position-vertical-relative:margin")
    path_style = quoteattr(f'font-family:"{font}";font-size:1pt')
    return (
        f'<w:r {_NS}><w:rPr><w:noProof/></w:rPr><w:pict>{_SHAPETYPE}'
        f'<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s1025" '
        f'type="#_x0000_t136" style="{style}" o:allowincell="f" fillcolor="#c0c0c0" '
        f'stroked="f"><v:fill opacity=".4"/><v:textpath style={path_style} '
        f'string={quoteattr(text)}/><w10:wrap anchorx="margin" anchory="margin"/>'
        '</v:shape></w:pict></w:r>')


def add(header, text: str, font: str) -> None:
    """Put the watermark ``text`` in ``header`` (a python-docx header), every page's."""
    header.paragraphs[0]._p.append(parse_xml(run_xml(text, font)))
