-- Naparnik store, schema 4: demo data (`naparnik --demo`), marked so that `naparnik demo remove`
-- takes away exactly it: the sample sellers and customers, customers created at the till while it
-- is loaded, and the receipts and shifts that involve them.
ALTER TABLE sellers ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
ALTER TABLE customers ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));

-- One row while demo data is loaded.
CREATE TABLE demo_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    loaded_at_utc TEXT NOT NULL
);
