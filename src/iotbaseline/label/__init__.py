"""The consumer label: one page, SVG and PNG, that a buyer understands in ten seconds (issue 7 point 6).

`facts` turns the assessment's PSTI verdicts and the manufacturer's profile into plain answers, `layout` places
them (wrapping and truncating with the font's measured widths), `render` writes the SVG from a template and the
PNG from that SVG, so the two cannot disagree.
"""
