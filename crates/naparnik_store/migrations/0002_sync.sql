-- Naparnik store, schema 2: delivery of the outbox to each upstream target.
-- Progress is derived from these rows alone, so a restart or a crash resumes exactly.

-- Per target: every outbox event with seq <= done_through_seq was delivered or parked.
CREATE TABLE sync_progress (
    target              TEXT PRIMARY KEY,
    done_through_seq    INTEGER NOT NULL DEFAULT 0,
    last_success_at_utc TEXT,
    last_error          TEXT,
    last_error_at_utc   TEXT,
    failures            INTEGER NOT NULL DEFAULT 0,   -- consecutive, for the backoff
    next_attempt_at_utc TEXT
);

-- The batch being delivered: written before sending, so a resend after a crash sends the same batch.
CREATE TABLE sync_batches (
    target         TEXT PRIMARY KEY,
    batch_id       TEXT NOT NULL,
    seqs_json      TEXT NOT NULL,                    -- outbox seqs in the batch, ascending
    retry          INTEGER NOT NULL CHECK (retry IN (0, 1)),
    started_at_utc TEXT NOT NULL
);

-- Events a target refused for good (or that wait behind such an event of the same receipt).
CREATE TABLE sync_parked (
    target         TEXT NOT NULL,
    event_seq      INTEGER NOT NULL REFERENCES outbox (seq),
    business_key   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('parked', 'retry')),
    parked_at_utc  TEXT NOT NULL,
    PRIMARY KEY (target, event_seq)
);
CREATE INDEX sync_parked_key ON sync_parked (target, business_key);
