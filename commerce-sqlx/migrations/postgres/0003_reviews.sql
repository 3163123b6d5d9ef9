-- Reviews: one per (product, customer), the UNIQUE constraint backing the rule under
-- concurrency. The document holds the whole review; `visible`, `rating` and
-- `version` are columns for the aggregates, the listing and the compare-and-swap, and
-- always agree with it.
CREATE TABLE reviews (
    id          uuid PRIMARY KEY,
    product_id  uuid NOT NULL,
    customer_id uuid NOT NULL,
    visible     boolean NOT NULL,
    rating      bigint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    version     bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    doc         jsonb NOT NULL,
    UNIQUE (product_id, customer_id)
);
CREATE INDEX reviews_visible_by_product ON reviews (product_id, created_at DESC, id DESC) WHERE visible;

-- Each product's aggregates: how many visible reviews of each rating. The row is locked
-- by every change to the product's reviews and recomputed in the same transaction.
CREATE TABLE review_ratings (
    product_id uuid PRIMARY KEY,
    stars_1    bigint NOT NULL DEFAULT 0,
    stars_2    bigint NOT NULL DEFAULT 0,
    stars_3    bigint NOT NULL DEFAULT 0,
    stars_4    bigint NOT NULL DEFAULT 0,
    stars_5    bigint NOT NULL DEFAULT 0
);

-- The product ids of each order's lines, for "bought together" (which orders hold a
-- product) and verified purchases, without scanning every order document.
CREATE INDEX orders_line_products ON orders
    USING gin (jsonb_path_query_array(doc->'lines', '$[*].product') jsonb_path_ops);
