"""Schema migrations, applied in order on every open. `PRAGMA user_version` records the last one.

Never edit a migration that has shipped: add a new one at the end of MIGRATIONS. (The one
exception: m005's summary triggers were removed from its text, because m006 drops and remakes
them in the same open, so every store ends in the same state.)
"""

from __future__ import annotations

from arxiv_digest.store.migrations_fulltext import M012_FULLTEXT, M013_INTERESTS

M001_INITIAL = """
CREATE TABLE papers (
    id               TEXT PRIMARY KEY,
    version          INTEGER NOT NULL,
    title            TEXT NOT NULL,
    authors          TEXT NOT NULL,          -- JSON list of names
    abstract         TEXT NOT NULL,
    primary_category TEXT NOT NULL,
    categories       TEXT NOT NULL,          -- JSON list, primary first when known
    comment          TEXT,
    journal_ref      TEXT,
    doi              TEXT,
    published        TEXT,
    updated          TEXT,
    stored_at        TEXT NOT NULL
);

CREATE TABLE announcements (
    date          TEXT NOT NULL,             -- YYYY-MM-DD, arXiv announcement day
    paper_id      TEXT NOT NULL REFERENCES papers(id),
    version       INTEGER NOT NULL,
    announce_type TEXT NOT NULL
        CHECK (announce_type IN ('new', 'cross', 'replace', 'replace-cross')),
    PRIMARY KEY (date, paper_id)
);
CREATE INDEX announcements_by_paper ON announcements(paper_id);

CREATE TABLE summaries (
    id             INTEGER PRIMARY KEY,
    paper_id       TEXT NOT NULL REFERENCES papers(id),
    version        INTEGER NOT NULL,
    model          TEXT NOT NULL,
    language       TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    backend        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    tldr           TEXT,
    motivation     TEXT,
    method         TEXT,
    result         TEXT,
    conclusion     TEXT,
    error          TEXT,
    tokens_in      INTEGER NOT NULL DEFAULT 0,
    tokens_out     INTEGER NOT NULL DEFAULT 0,
    cost           REAL,
    seconds        REAL NOT NULL DEFAULT 0,
    warnings       TEXT NOT NULL DEFAULT '[]',
    created_at     TEXT NOT NULL,
    UNIQUE (paper_id, version, model, language, prompt_version)
);

CREATE TABLE digests (
    date       TEXT PRIMARY KEY,
    language   TEXT NOT NULL,
    sections   TEXT NOT NULL,                -- JSON list, the section order
    source     TEXT NOT NULL,                -- 'import:<file>', 'fetch', 'demo', ...
    created_at TEXT NOT NULL
);

CREATE TABLE digest_entries (
    date       TEXT NOT NULL REFERENCES digests(date) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    section    TEXT NOT NULL,
    paper_id   TEXT NOT NULL REFERENCES papers(id),
    summary_id INTEGER REFERENCES summaries(id),
    score      REAL,
    reasons    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (date, position),
    UNIQUE (date, paper_id)
);
CREATE INDEX digest_entries_by_paper ON digest_entries(paper_id);
"""

M002_FETCHES = """
CREATE TABLE fetches (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    kind        TEXT NOT NULL,               -- 'rss' or 'oai'
    requested   TEXT NOT NULL,               -- JSON: categories and day (or from/to)
    feed_date   TEXT,                        -- the day the feed said it holds
    items       INTEGER NOT NULL DEFAULT 0,  -- matching feed items
    stored      INTEGER NOT NULL DEFAULT 0,  -- papers stored for the day after this fetch
    missing     TEXT NOT NULL DEFAULT '[]',  -- JSON list of [id, reason]
    requests    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,               -- complete, empty, partial, stale, error, running
    message     TEXT
);

CREATE TABLE feed_items (
    date          TEXT NOT NULL,
    paper_id      TEXT NOT NULL,
    version       INTEGER NOT NULL,
    announce_type TEXT NOT NULL,
    title         TEXT NOT NULL,
    abstract      TEXT NOT NULL,
    categories    TEXT NOT NULL,
    creators      TEXT NOT NULL,
    doi           TEXT,
    journal_ref   TEXT,
    PRIMARY KEY (date, paper_id)
);
"""

M003_CLAIMS = """
CREATE TABLE claims (
    paper_id       TEXT NOT NULL,
    version        INTEGER NOT NULL,
    model          TEXT NOT NULL,
    language       TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    owner          TEXT NOT NULL,            -- host:pid:nonce of the run working on it
    claimed_at     REAL NOT NULL,            -- unix time
    PRIMARY KEY (paper_id, version, model, language, prompt_version)
);
"""

M004_RANKING = """
CREATE TABLE feedback (
    paper_id TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('star', 'hide')),
    at       TEXT NOT NULL
);

CREATE TABLE embeddings (
    key    TEXT NOT NULL,                    -- sha256 of the embedded text
    model  TEXT NOT NULL,
    vector BLOB NOT NULL,                    -- float32, little-endian
    PRIMARY KEY (key, model)
);

-- why the ranking took a paper out of the day's digest (NULL: it is shown)
ALTER TABLE digest_entries ADD COLUMN dropped TEXT;
"""

M005_DELIVERY_AND_SEARCH = """
CREATE TABLE deliveries (
    date      TEXT NOT NULL,
    channel   TEXT NOT NULL,                 -- 'email' or 'webhook:<name>'
    recipient TEXT NOT NULL,
    sent_at   TEXT NOT NULL,
    PRIMARY KEY (date, channel, recipient)
);

-- Full-text search over every stored paper and its shown summary. The triggers below keep it in
-- step with the tables: nothing else writes to it.
CREATE VIRTUAL TABLE papers_fts USING fts5(
    paper_id UNINDEXED, title, authors, abstract, summary, categories,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- the index's vocabulary, to expand a prefix to its most common completions
CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, 'row');

-- ORDER BY rank: title counts most, then authors, summary, abstract
INSERT INTO papers_fts (papers_fts, rank) VALUES ('rank', 'bm25(0.0, 10.0, 4.0, 1.0, 2.0, 0.0)');

CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, paper_id, title, authors, abstract, summary, categories)
    VALUES (new.rowid, new.id, new.title, new.authors, new.abstract, '', new.categories);
END;

CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, authors, abstract, categories ON papers
BEGIN
    UPDATE papers_fts SET title = new.title, authors = new.authors, abstract = new.abstract,
        categories = new.categories
    WHERE rowid = new.rowid;
END;

-- the triggers that carry summaries into the index are made by m006, on one definition of the
-- searchable text (they were written out here three times until then)

INSERT INTO papers_fts (rowid, paper_id, title, authors, abstract, summary, categories)
SELECT p.rowid, p.id, p.title, p.authors, p.abstract, COALESCE((
    SELECT COALESCE(s.tldr, '') || ' ' || COALESCE(s.motivation, '') || ' ' ||
           COALESCE(s.method, '') || ' ' || COALESCE(s.result, '') || ' ' ||
           COALESCE(s.conclusion, '')
    FROM digest_entries e JOIN summaries s ON s.id = e.summary_id
    WHERE e.paper_id = p.id AND s.status = 'ok' ORDER BY e.date DESC LIMIT 1), ''), p.categories
FROM papers p;
"""

#: The searchable text of an ok summary, defined once for every trigger and the index rebuild.
M006_ONE_SUMMARY_TEXT = """
CREATE VIEW summary_text (id, text) AS
SELECT id, COALESCE(tldr, '') || ' ' || COALESCE(motivation, '') || ' ' || COALESCE(method, '')
       || ' ' || COALESCE(result, '') || ' ' || COALESCE(conclusion, '')
FROM summaries WHERE status = 'ok';

DROP TRIGGER IF EXISTS papers_fts_entry_insert;
DROP TRIGGER IF EXISTS papers_fts_entry_update;
DROP TRIGGER IF EXISTS papers_fts_summary_update;

CREATE TRIGGER papers_fts_entry_insert AFTER INSERT ON digest_entries
WHEN new.summary_id IN (SELECT id FROM summary_text) BEGIN
    UPDATE papers_fts SET summary = (SELECT text FROM summary_text WHERE id = new.summary_id)
    WHERE rowid = (SELECT rowid FROM papers WHERE id = new.paper_id);
END;

CREATE TRIGGER papers_fts_entry_update AFTER UPDATE OF summary_id ON digest_entries
WHEN new.summary_id IN (SELECT id FROM summary_text) BEGIN
    UPDATE papers_fts SET summary = (SELECT text FROM summary_text WHERE id = new.summary_id)
    WHERE rowid = (SELECT rowid FROM papers WHERE id = new.paper_id);
END;

CREATE TRIGGER papers_fts_summary_update AFTER UPDATE ON summaries
WHEN new.status = 'ok' BEGIN
    UPDATE papers_fts SET summary = (SELECT text FROM summary_text WHERE id = new.id)
    WHERE rowid IN (SELECT p.rowid FROM papers p JOIN digest_entries e ON e.paper_id = p.id
                    WHERE e.summary_id = new.id);
END;
"""

#: A failure that may heal (timeouts, 5xx) is retried by the next ordinary run, with backoff.
M007_TRANSIENT_FAILURES = """
ALTER TABLE summaries ADD COLUMN transient INTEGER NOT NULL DEFAULT 0;
ALTER TABLE summaries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE summaries ADD COLUMN retry_at TEXT;
"""

#: The verify pass's verdicts on a summary's fields (JSON list of [field, verdict, reason]).
M008_VERDICTS = """
ALTER TABLE summaries ADD COLUMN verdicts TEXT;
"""

#: The searchable text of a paper's announcement days: d20260106 m202601 for each day.
_DAYS = (
    "(SELECT group_concat('d' || replace(a.date, '-', '') || ' m' || "
    "substr(replace(a.date, '-', ''), 1, 6), ' ') FROM announcements a WHERE a.paper_id = {id})"
)
_SUMMARY = (
    "(SELECT t.text FROM digest_entries e JOIN summary_text t ON t.id = e.summary_id "
    "WHERE e.paper_id = {id} ORDER BY e.date DESC LIMIT 1)"
)
#: Fill the full-text index from the tables (the migration below, and `SearchIndex.rebuild`).
FTS_REFILL = f"""
INSERT INTO papers_fts (rowid, paper_id, title, authors, abstract, summary, categories, days)
SELECT p.rowid, p.id, index_text(p.title), index_text(p.authors), index_text(p.abstract),
       index_text(COALESCE({_SUMMARY.format(id="p.id")}, '')), index_categories(p.categories),
       COALESCE({_DAYS.format(id="p.id")}, '')
FROM papers p;
"""

#: Search that reads Chinese: the index holds every CJK run as its overlapping character pairs
#: (`index_text`, a function the store gives SQLite), so a Chinese word of any length is a phrase
#: of pairs; categories as exact tokens and announcement days as tokens, so filters are part of
#: the query. The old index is dropped and refilled in place. The summary triggers test for an
#: ok summary by its key (the old `IN (SELECT id FROM summary_text)` scanned every summary for
#: each digest entry written: imports were quadratic).
M009_CJK_SEARCH = f"""
DROP TRIGGER IF EXISTS papers_fts_insert;
DROP TRIGGER IF EXISTS papers_fts_update;
DROP TRIGGER IF EXISTS papers_fts_entry_insert;
DROP TRIGGER IF EXISTS papers_fts_entry_update;
DROP TRIGGER IF EXISTS papers_fts_summary_update;
DROP TABLE IF EXISTS papers_vocab;
DROP TABLE IF EXISTS papers_fts;

CREATE VIRTUAL TABLE papers_fts USING fts5(
    paper_id UNINDEXED, title, authors, abstract, summary, categories, days,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, 'row');
INSERT INTO papers_fts (papers_fts, rank)
VALUES ('rank', 'bm25(0.0, 10.0, 4.0, 1.0, 2.0, 0.0, 0.0)');

CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, paper_id, title, authors, abstract, summary, categories, days)
    VALUES (new.rowid, new.id, index_text(new.title), index_text(new.authors),
            index_text(new.abstract), '', index_categories(new.categories), '');
END;

CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, authors, abstract, categories ON papers
BEGIN
    UPDATE papers_fts SET title = index_text(new.title), authors = index_text(new.authors),
        abstract = index_text(new.abstract), categories = index_categories(new.categories)
    WHERE rowid = new.rowid;
END;

CREATE TRIGGER papers_fts_days AFTER INSERT ON announcements BEGIN
    UPDATE papers_fts SET days = {_DAYS.format(id="new.paper_id")}
    WHERE rowid = (SELECT rowid FROM papers WHERE id = new.paper_id);
END;

CREATE TRIGGER papers_fts_entry_insert AFTER INSERT ON digest_entries
WHEN EXISTS (SELECT 1 FROM summaries WHERE id = new.summary_id AND status = 'ok') BEGIN
    UPDATE papers_fts
    SET summary = index_text((SELECT text FROM summary_text WHERE id = new.summary_id))
    WHERE rowid = (SELECT rowid FROM papers WHERE id = new.paper_id);
END;

CREATE TRIGGER papers_fts_entry_update AFTER UPDATE OF summary_id ON digest_entries
WHEN EXISTS (SELECT 1 FROM summaries WHERE id = new.summary_id AND status = 'ok') BEGIN
    UPDATE papers_fts
    SET summary = index_text((SELECT text FROM summary_text WHERE id = new.summary_id))
    WHERE rowid = (SELECT rowid FROM papers WHERE id = new.paper_id);
END;

CREATE TRIGGER papers_fts_summary_update AFTER UPDATE ON summaries
WHEN new.status = 'ok' BEGIN
    UPDATE papers_fts SET summary = index_text((SELECT text FROM summary_text WHERE id = new.id))
    WHERE rowid IN (SELECT p.rowid FROM papers p JOIN digest_entries e ON e.paper_id = p.id
                    WHERE e.summary_id = new.id);
END;
{FTS_REFILL}
"""

M010_BATCH_JOBS = """
CREATE TABLE batch_jobs (
    id             INTEGER PRIMARY KEY,
    date           TEXT NOT NULL,
    model          TEXT NOT NULL,
    language       TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    file_id        TEXT NOT NULL,              -- the uploaded requests, recorded first
    batch_id       TEXT,                       -- set once the batch exists
    status         TEXT NOT NULL,              -- uploaded, validating, in_progress, ..., collected
    papers         INTEGER NOT NULL,
    error          TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX batch_jobs_by_day ON batch_jobs(date, status);
"""

# a claim's renewals, counted: a claim is judged by whether its counter moves, as this host
# sees it, not by comparing another host's clock with ours
M011_CLAIM_RENEWALS = """
ALTER TABLE claims ADD COLUMN renewals INTEGER NOT NULL DEFAULT 0;
"""

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("m001_initial", M001_INITIAL),
    ("m002_fetches", M002_FETCHES),
    ("m003_claims", M003_CLAIMS),
    ("m004_ranking", M004_RANKING),
    ("m005_delivery_and_search", M005_DELIVERY_AND_SEARCH),
    ("m006_one_summary_text", M006_ONE_SUMMARY_TEXT),
    ("m007_transient_failures", M007_TRANSIENT_FAILURES),
    ("m008_verdicts", M008_VERDICTS),
    ("m009_cjk_search", M009_CJK_SEARCH),
    ("m010_batch_jobs", M010_BATCH_JOBS),
    ("m011_claim_renewals", M011_CLAIM_RENEWALS),
    ("m012_fulltext", M012_FULLTEXT),
    ("m013_interests", M013_INTERESTS),
)
