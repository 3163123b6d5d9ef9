-- Reports: what the report queries aggregate, as plain columns, so every figure is one
-- GROUP BY in the database. Amounts are integer minor units: sums are exact on both
-- databases (SQLite has no exact decimal type).
--
-- Orders placed before this migration have no order_lines rows and zero amounts: the
-- reports count orders placed from now on.

-- One row per order line: its shop (an order split across shops adds each shop its own
-- lines) and what it sold.
CREATE TABLE order_lines (
    order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no     integer NOT NULL,
    shop_id     uuid NOT NULL,
    product_id  uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,   -- bytewise, as the other adapters compare
    quantity    bigint NOT NULL,
    total_minor bigint NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_by_shop ON order_lines (shop_id, order_id);

-- The sum of the order's line totals and what was refunded, in minor units.
ALTER TABLE orders ADD COLUMN lines_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0;
-- Report windows select orders by placing time, then currency.
CREATE INDEX orders_by_placing ON orders (created_at, currency);

-- Cart conversion counts shopping carts by creation time.
ALTER TABLE carts ADD COLUMN purpose text NOT NULL DEFAULT 'shopping';
UPDATE carts SET purpose = doc->>'purpose';
CREATE INDEX carts_by_creation ON carts (created_at);

-- The low-stock list compares availability with the policy's threshold.
ALTER TABLE stock_policies ADD COLUMN low_stock_threshold bigint;
UPDATE stock_policies SET low_stock_threshold = (doc->>'low_stock_threshold')::bigint;
