#pragma once
// Schema version 5: row counts kept up to date by triggers, so that a /metrics scrape reads a
// dozen rows instead of counting the outbox and facts tables (27.9 s at 5,000,000 outbox rows in
// the scale benchmark; a shop scraping every 15 s would have kept a core busy).
//
// Each trigger adds or takes one from a single row in the writer's own transaction, so the
// counts are exactly those of the table at every commit. The migration counts what is there once.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v5 = R"SQL(
CREATE TABLE row_counts (
    tbl   TEXT NOT NULL,    -- 'outbox' (by state) or 'facts' (by kind)
    key   TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (tbl, key)
) WITHOUT ROWID;

INSERT INTO row_counts (tbl, key, n) SELECT 'outbox', state, count(*) FROM outbox GROUP BY state;
INSERT INTO row_counts (tbl, key, n) SELECT 'facts', kind, count(*) FROM facts GROUP BY kind;

CREATE TRIGGER outbox_counted_insert AFTER INSERT ON outbox BEGIN
    INSERT INTO row_counts (tbl, key, n) VALUES ('outbox', NEW.state, 1)
        ON CONFLICT (tbl, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER outbox_counted_state AFTER UPDATE OF state ON outbox
    WHEN OLD.state IS NOT NEW.state BEGIN
    UPDATE row_counts SET n = n - 1 WHERE tbl = 'outbox' AND key = OLD.state;
    INSERT INTO row_counts (tbl, key, n) VALUES ('outbox', NEW.state, 1)
        ON CONFLICT (tbl, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER outbox_counted_delete AFTER DELETE ON outbox BEGIN
    UPDATE row_counts SET n = n - 1 WHERE tbl = 'outbox' AND key = OLD.state;
END;

CREATE TRIGGER facts_counted_insert AFTER INSERT ON facts BEGIN
    INSERT INTO row_counts (tbl, key, n) VALUES ('facts', NEW.kind, 1)
        ON CONFLICT (tbl, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER facts_counted_kind AFTER UPDATE OF kind ON facts
    WHEN OLD.kind IS NOT NEW.kind BEGIN
    UPDATE row_counts SET n = n - 1 WHERE tbl = 'facts' AND key = OLD.kind;
    INSERT INTO row_counts (tbl, key, n) VALUES ('facts', NEW.kind, 1)
        ON CONFLICT (tbl, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER facts_counted_delete AFTER DELETE ON facts BEGIN
    UPDATE row_counts SET n = n - 1 WHERE tbl = 'facts' AND key = OLD.kind;
END;
)SQL";

} // namespace musubi::store::sqlite
