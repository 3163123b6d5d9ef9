-- Notifications: the delivery queue and each person's history. One row per
-- (event, recipient, channel), so an event handled twice queues one notification.
-- The document holds the whole notification; `status` and `next_attempt_at` are
-- columns for the queue's index and always agree with it.
CREATE TABLE notifications (
    seq             INTEGER PRIMARY KEY,
    event_id        blob NOT NULL,
    recipient       blob NOT NULL,
    channel         text NOT NULL,
    status          text NOT NULL,
    next_attempt_at integer NOT NULL,
    doc             text NOT NULL,
    UNIQUE (event_id, recipient, channel)
);
CREATE INDEX notifications_due ON notifications (seq) WHERE status = 'queued';
CREATE INDEX notifications_recipient ON notifications (recipient, seq);
