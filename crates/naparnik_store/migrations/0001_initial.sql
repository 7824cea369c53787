-- Naparnik store, schema 1. Released migrations are never edited: add a new file.

CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY,
    phone               TEXT NOT NULL UNIQUE,            -- E.164
    phone_tail          TEXT NOT NULL,                   -- digits reversed: trailing-digit search is a prefix range
    name                TEXT,
    discount_hundredths INTEGER NOT NULL DEFAULT 0 CHECK (discount_hundredths BETWEEN 0 AND 10000),
    card                TEXT,
    email               TEXT,
    birthday            TEXT,
    crm_id              TEXT UNIQUE,
    onec_ref            TEXT,
    bonus_kopecks       INTEGER,
    source              TEXT NOT NULL CHECK (source IN ('till', 'crm', 'ut')),
    created_at_utc      TEXT NOT NULL,
    updated_at_utc      TEXT NOT NULL,
    removed_at_utc      TEXT,
    import_generation   INTEGER NOT NULL DEFAULT 0       -- last CRM import that mentioned the customer
);
CREATE INDEX customers_phone_tail ON customers (phone_tail);
CREATE INDEX customers_card ON customers (card) WHERE card IS NOT NULL;

CREATE TABLE sellers (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    badge          TEXT UNIQUE,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    onec_ref       TEXT,
    updated_at_utc TEXT NOT NULL
);

-- The till's current assignment: one row, plus its sellers in order.
CREATE TABLE till_assignment (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    customer_id    INTEGER REFERENCES customers (id),
    updated_at_utc TEXT NOT NULL
);
INSERT INTO till_assignment (id, customer_id, updated_at_utc) VALUES (1, NULL, '1970-01-01T00:00:00.000Z');

CREATE TABLE till_assignment_sellers (
    position    INTEGER PRIMARY KEY,
    seller_code TEXT NOT NULL UNIQUE REFERENCES sellers (code)
);

CREATE TABLE receipts (
    guid               TEXT PRIMARY KEY,                 -- 1C GUID
    kind               TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
    original_guid      TEXT REFERENCES receipts (guid),
    number             TEXT NOT NULL,
    closed_at_utc      TEXT NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    store              TEXT NOT NULL,
    till               TEXT NOT NULL,
    cashier            TEXT NOT NULL,
    customer_id        INTEGER REFERENCES customers (id),
    customer_phone     TEXT,
    total_kopecks      INTEGER NOT NULL,
    content_json       TEXT NOT NULL,                    -- what 1C posted, to tell a repeat from a conflicting one
    received_at_utc    TEXT NOT NULL
);
CREATE INDEX receipts_closed_at ON receipts (closed_at_utc);
CREATE INDEX receipts_original ON receipts (original_guid) WHERE original_guid IS NOT NULL;

CREATE TABLE receipt_lines (
    receipt_guid      TEXT NOT NULL REFERENCES receipts (guid) ON DELETE CASCADE,
    line_no           INTEGER NOT NULL,
    sku               TEXT NOT NULL,
    name              TEXT NOT NULL,
    unit              TEXT NOT NULL,
    quantity_milli    INTEGER NOT NULL,
    price_kopecks     INTEGER NOT NULL,
    discount_kopecks  INTEGER NOT NULL,
    amount_kopecks    INTEGER NOT NULL,
    PRIMARY KEY (receipt_guid, line_no)
);

CREATE TABLE receipt_payments (
    receipt_guid   TEXT NOT NULL REFERENCES receipts (guid) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    amount_kopecks INTEGER NOT NULL,
    PRIMARY KEY (receipt_guid, position)
);

-- Sellers of a receipt in assignment order, with their receipt amount.
CREATE TABLE receipt_sellers (
    receipt_guid   TEXT NOT NULL REFERENCES receipts (guid) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    seller_code    TEXT NOT NULL,
    seller_name    TEXT NOT NULL,
    amount_kopecks INTEGER NOT NULL,
    PRIMARY KEY (receipt_guid, position)
);
CREATE INDEX receipt_sellers_code ON receipt_sellers (seller_code);

-- Each seller's amount on each line.
CREATE TABLE receipt_line_shares (
    receipt_guid   TEXT NOT NULL REFERENCES receipts (guid) ON DELETE CASCADE,
    line_no        INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    amount_kopecks INTEGER NOT NULL,
    PRIMARY KEY (receipt_guid, line_no, position)
);

-- Shifts 1C closed on this till, with the report Naparnik answered.
CREATE TABLE shifts (
    store           TEXT NOT NULL,
    till            TEXT NOT NULL,
    number          INTEGER NOT NULL,
    opened_at_utc   TEXT NOT NULL,
    closed_at_utc   TEXT NOT NULL,
    content_json    TEXT NOT NULL,
    report_json     TEXT NOT NULL,
    received_at_utc TEXT NOT NULL,
    PRIMARY KEY (store, till, number)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at_utc      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);

CREATE TABLE sync_cursors (
    target         TEXT NOT NULL,
    name           TEXT NOT NULL,
    value          TEXT NOT NULL,
    updated_at_utc TEXT NOT NULL,
    PRIMARY KEY (target, name)
);

-- Transactional outbox: written in the same transaction as the change it reports.
CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    business_key   TEXT NOT NULL,
    payload        TEXT NOT NULL,
    created_at_utc TEXT NOT NULL
);
CREATE INDEX outbox_business_key ON outbox (business_key, seq);
