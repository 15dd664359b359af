"""Migrations 12 (full text) and 13 (interests), kept apart so that `migrations.py` stays
readable."""

# full text: each paper version's document (compressed) or why it has none, the deep reads,
# and the answers to questions about a paper
M012_FULLTEXT = """
CREATE TABLE fulltexts (
    paper_id   TEXT NOT NULL,
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL,              -- ok, or why there is none (no_html, pdf_no_text, ...)
    source     TEXT,                       -- html, tex or pdf
    detail     TEXT NOT NULL DEFAULT '',   -- what each source said, in order
    document   BLOB,                       -- zlib-compressed JSON (fulltext/document.py)
    chars      INTEGER NOT NULL DEFAULT 0,
    requests   INTEGER NOT NULL DEFAULT 0,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (paper_id, version)
);

CREATE TABLE deep_reads (
    id             INTEGER PRIMARY KEY,
    paper_id       TEXT NOT NULL,
    version        INTEGER NOT NULL,
    model          TEXT NOT NULL,
    language       TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    backend        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    body           TEXT,
    error          TEXT,
    tokens_in      INTEGER NOT NULL DEFAULT 0,
    tokens_out     INTEGER NOT NULL DEFAULT 0,
    cost           REAL,
    seconds        REAL NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    UNIQUE (paper_id, version, model, language, prompt_version)
);

CREATE TABLE answers (
    id             INTEGER PRIMARY KEY,
    paper_id       TEXT NOT NULL,
    version        INTEGER NOT NULL,
    model          TEXT NOT NULL,
    language       TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    question       TEXT NOT NULL,
    status         TEXT NOT NULL
        CHECK (status IN ('supported', 'unsupported', 'not_said', 'failed')),
    body           TEXT,
    error          TEXT,
    tokens_in      INTEGER NOT NULL DEFAULT 0,
    tokens_out     INTEGER NOT NULL DEFAULT 0,
    cost           REAL,
    created_at     TEXT NOT NULL,
    UNIQUE (paper_id, version, model, language, prompt_version, question)
);
"""

# a reader's interests: each ranked paper's interest, how many For-you places each interest is
# sure of on that day, and each interest's size (the reader's papers in it: its fair share)
M013_INTERESTS = """
ALTER TABLE digest_entries ADD COLUMN interest TEXT;
ALTER TABLE digests ADD COLUMN interest_quota INTEGER NOT NULL DEFAULT 0;
ALTER TABLE digests ADD COLUMN interest_sizes TEXT NOT NULL DEFAULT '{}';  -- JSON: name -> papers
"""
