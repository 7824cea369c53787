-- Naparnik store, schema 3: the running total of the receipt being rung up, as 1C reports it,
-- so the till can show each seller's share in rubles before the receipt is closed.
ALTER TABLE till_assignment ADD COLUMN receipt_total_kopecks INTEGER;
