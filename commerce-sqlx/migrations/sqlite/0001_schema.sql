-- commerce-sqlx schema, SQLite: the same tables as Postgres. UUIDs are 16-byte blobs,
-- times integer microseconds since the epoch, money exact decimal text, documents JSON
-- text; `seq INTEGER PRIMARY KEY` is SQLite's auto-assigned row id.
--
-- Each aggregate is stored as a JSON document (`doc`, the domain type serialised with
-- serde; money inside it is decimal text, exact) next to the columns the queries,
-- constraints and locks need. Columns that change without the document being rewritten
-- (flags like `revoked`, stock counts) are the truth for that field.
-- `seq` columns keep insertion order where a port promises it.

-- Accounts ---------------------------------------------------------------------------
CREATE TABLE accounts (
    id         blob PRIMARY KEY,
    email      text NOT NULL UNIQUE,           -- normalised: one account per address
    doc        text NOT NULL
);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    account_id blob NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    revoked    integer NOT NULL DEFAULT 0,
    doc        text NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);

CREATE TABLE reset_tokens (
    token_hash text PRIMARY KEY,
    account_id blob NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at integer NOT NULL,
    used       integer NOT NULL DEFAULT 0,
    doc        text NOT NULL
);

CREATE TABLE addresses (
    seq        INTEGER PRIMARY KEY,
    id         blob NOT NULL UNIQUE,
    owner_id   blob NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    is_default integer NOT NULL DEFAULT 0,
    doc        text NOT NULL
);
CREATE INDEX addresses_by_owner ON addresses (owner_id, seq);

-- Catalog ----------------------------------------------------------------------------
CREATE TABLE shops (
    seq        INTEGER PRIMARY KEY,
    id         blob NOT NULL UNIQUE,
    seller_id  blob NOT NULL UNIQUE,           -- one shop per seller
    slug       text NOT NULL UNIQUE,
    doc        text NOT NULL
);

CREATE TABLE categories (
    seq        INTEGER PRIMARY KEY,
    id         blob NOT NULL UNIQUE,
    parent_id  blob REFERENCES categories (id),
    doc        text NOT NULL
);

CREATE TABLE products (
    seq         INTEGER PRIMARY KEY,
    id          blob NOT NULL UNIQUE,
    shop_id     blob NOT NULL REFERENCES shops (id),
    category_id blob REFERENCES categories (id),   -- NULL: uncategorised
    slug        text NOT NULL UNIQUE,
    doc         text NOT NULL
);

-- One row per variant, so SKUs and variant ids are unique across products.
CREATE TABLE product_variants (
    variant_id blob PRIMARY KEY,
    product_id blob NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku        text NOT NULL UNIQUE
);
CREATE INDEX product_variants_by_product ON product_variants (product_id);

-- Pricing rules: one document (its price lists without their prices), replaced as a
-- whole, and the prices one row per (variant, list), so pricing a cart loads only the
-- prices of its own variants.
CREATE TABLE pricing_rules (
    id  integer PRIMARY KEY CHECK (id = 1),
    doc text NOT NULL
);

CREATE TABLE prices (
    variant_id blob NOT NULL,
    list_id    blob NOT NULL,
    doc        text NOT NULL,
    PRIMARY KEY (variant_id, list_id)
);

-- Carts ------------------------------------------------------------------------------
CREATE TABLE carts (
    id          blob PRIMARY KEY,
    customer_id blob,
    checked_out integer NOT NULL,
    version     integer NOT NULL,
    created_at  integer NOT NULL,
    doc         text NOT NULL
);
CREATE INDEX carts_by_customer ON carts (customer_id, created_at);

-- Inventory --------------------------------------------------------------------------
CREATE TABLE stock_policies (
    sku text PRIMARY KEY,
    doc text NOT NULL
);

-- The no-oversell invariant, enforced by the database as well as by the code:
-- unless the SKU allows backorders, a location never promises more than it holds.
CREATE TABLE stock_levels (
    sku              text NOT NULL,
    location_id      blob NOT NULL,
    on_hand          integer NOT NULL,
    reserved         integer NOT NULL DEFAULT 0,
    allows_backorder integer NOT NULL DEFAULT 0,  -- copied from the SKU's policy
    PRIMARY KEY (sku, location_id),
    CONSTRAINT stock_reserved_not_negative CHECK (reserved >= 0),
    CONSTRAINT stock_never_oversold CHECK (allows_backorder OR (on_hand >= 0 AND reserved <= on_hand))
);

CREATE TABLE reservations (
    id         blob PRIMARY KEY,
    state      text NOT NULL CHECK (state IN ('held', 'committed', 'released', 'restocked')),
    expires_at integer NOT NULL,
    doc        text NOT NULL
);
CREATE INDEX reservations_held_by_expiry ON reservations (expires_at) WHERE state = 'held';

CREATE TABLE back_in_stock_subscriptions (
    seq         INTEGER PRIMARY KEY,
    sku         text NOT NULL,
    customer_id blob NOT NULL,
    UNIQUE (sku, customer_id)
);

-- Orders -----------------------------------------------------------------------------
CREATE TABLE counters (
    name  text PRIMARY KEY,
    value integer NOT NULL
);
INSERT INTO counters (name, value) VALUES ('order_number', 0);

CREATE TABLE orders (
    seq                    INTEGER PRIMARY KEY,
    id                     blob NOT NULL UNIQUE,
    number                 text NOT NULL UNIQUE,
    customer_id            blob NOT NULL,
    cart_id                blob NOT NULL,
    status                 text NOT NULL,
    version                integer NOT NULL,
    currency               text NOT NULL,
    total                  text NOT NULL,        -- exact; the document has every amount
    payment_ref            text UNIQUE,
    reservation_expires_at integer NOT NULL,
    created_at             integer NOT NULL,
    doc                    text NOT NULL
);
CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC);
CREATE INDEX orders_awaiting_payment ON orders (reservation_expires_at) WHERE status = 'pending_payment';

CREATE TABLE order_shops (
    order_id blob NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    shop_id  blob NOT NULL,
    PRIMARY KEY (shop_id, order_id)
);

CREATE TABLE order_promotions (
    order_id     blob NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    promotion_id blob NOT NULL,
    customer_id  blob NOT NULL,
    PRIMARY KEY (promotion_id, order_id)
);

-- Checkout's idempotency keys: the first checkout with a key claims it.
CREATE TABLE idempotency_keys (
    key      text PRIMARY KEY,
    order_id blob NOT NULL,
    cart_id  blob NOT NULL
);

-- One row per usage-limited promotion, locked by checkouts that use it, so their usage
-- counts cannot interleave.
CREATE TABLE promotion_locks (
    promotion_id blob PRIMARY KEY
);

-- Outbox -----------------------------------------------------------------------------
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY,
    event_id     blob NOT NULL UNIQUE,
    name         text NOT NULL,
    occurred_at  integer NOT NULL,
    published_at integer,
    claimed_by   blob,                     -- the relay publishing it now, if any
    claimed_at   integer,
    doc          text NOT NULL
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
