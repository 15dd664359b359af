"""Full text: a paper's body (arXiv's HTML, else its TeX source, else its PDF) as one typed
document, the deep read of the reader's top papers, and answers with quoted evidence.

    document.py   the typed document every source yields, and the places a statement may cite
    html.py       arXiv's HTML (LaTeXML) into a document
    tex.py        the TeX source (a gzipped tar or a single gzipped file) into a document
    pdf.py        the PDF's text layer (pypdf) into a document
    get.py        the sources in order, through the polite arXiv client, with named statuses
    select.py     the passages a deep read is given, within its token budget
    deepread.py   the deep read: prompt, answer, checks against the full text
    ask.py        a question answered from retrieved passages, every quote checked verbatim
    run.py        the stage's entry points: `read`, `ask`, `deep_read_day`
"""
