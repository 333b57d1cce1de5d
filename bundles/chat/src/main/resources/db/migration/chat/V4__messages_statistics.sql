-- The planner's statistics of chat.messages: only the key columns, from a small sample.
--
-- Messages are only ever found by key: (conversation_id, seq), and a send's (conversation_id,
-- sender_id, client_msg_id). Statistics of the other columns (text, attachments, timestamps, ...)
-- serve no query. ANALYZE reads 300 rows per unit of the highest target among the columns it
-- analyzes: 30000 rows at the default target of 100, with each text value sorted for its
-- histogram. Autovacuum analyzes the table after each tenth of new rows, so under a steady stream
-- of sends an ANALYZE of a few hundred ms of CPU recurs, and on a small machine it shows in
-- delivery latency. With the other columns left out and a target of 10 on the keys (a sample of
-- 3000 rows) it takes about a fifteenth of that; the key lookups' plans do not depend on it.
ALTER TABLE chat.messages
    ALTER COLUMN conversation_id SET STATISTICS 10,
    ALTER COLUMN seq SET STATISTICS 10,
    ALTER COLUMN pos SET STATISTICS 10,
    ALTER COLUMN sender_id SET STATISTICS 10,
    ALTER COLUMN client_msg_id SET STATISTICS 10,
    ALTER COLUMN text SET STATISTICS 0,
    ALTER COLUMN reply_to SET STATISTICS 0,
    ALTER COLUMN attachments SET STATISTICS 0,
    ALTER COLUMN location SET STATISTICS 0,
    ALTER COLUMN reactions SET STATISTICS 0,
    ALTER COLUMN edited_at SET STATISTICS 0,
    ALTER COLUMN deleted SET STATISTICS 0,
    ALTER COLUMN sent_at SET STATISTICS 0,
    ALTER COLUMN call SET STATISTICS 0;
