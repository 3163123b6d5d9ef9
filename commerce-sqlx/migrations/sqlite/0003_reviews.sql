-- Reviews: one per (product, customer), the UNIQUE constraint backing the rule under
-- concurrency. The document holds the whole review; `visible`, `rating` and
-- `version` are columns for the aggregates, the listing and the compare-and-swap, and
-- always agree with it.
CREATE TABLE reviews (
    id          blob PRIMARY KEY,
    product_id  blob NOT NULL,
    customer_id blob NOT NULL,
    visible     integer NOT NULL,
    rating      integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    version     integer NOT NULL,
    created_at  integer NOT NULL,
    doc         text NOT NULL,
    UNIQUE (product_id, customer_id)
);
CREATE INDEX reviews_visible_by_product ON reviews (product_id, created_at DESC, id DESC) WHERE visible;

-- Each product's aggregates: how many visible reviews of each rating. The row is locked
-- by every change to the product's reviews and recomputed in the same transaction.
CREATE TABLE review_ratings (
    product_id blob PRIMARY KEY,
    stars_1    integer NOT NULL DEFAULT 0,
    stars_2    integer NOT NULL DEFAULT 0,
    stars_3    integer NOT NULL DEFAULT 0,
    stars_4    integer NOT NULL DEFAULT 0,
    stars_5    integer NOT NULL DEFAULT 0
);
