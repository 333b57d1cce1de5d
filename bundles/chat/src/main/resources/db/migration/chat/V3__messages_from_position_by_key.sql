-- Replaying a conversation from a log position no longer needs an index of its own.
--
-- The chat writer hands out a message's seq (per conversation) and its pos (the chat log's position)
-- together, in one order, so within a conversation pos rises with seq. The first message at or
-- after a position is therefore found by searching the primary key (conversation_id, seq): a few
-- lookups from the conversation's newest message backwards, then a bisection. The index on
-- (conversation_id, pos) cost every stored message a third index entry (about a fifth of the
-- database's work per message) for what is now that search.

-- A seq from which on the conversation's messages are exactly those whose pos is at least p: the
-- first such message's seq, or a missing seq just before it; the conversation's last seq + 1 when
-- there is none (1 for a conversation without messages). Each lookup takes the first message at or
-- after a seq, so seqs missing from the conversation are no error.
CREATE FUNCTION chat.first_seq_from(conversation text, p bigint) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
    last_seq bigint;
    last_pos bigint;
    below bigint;     -- 0, or a seq whose first message at or after it is before p
    at_or_after bigint; -- a seq whose first message at or after it is at or after p
    step bigint := 1;
    probe bigint;
    probe_pos bigint;
BEGIN
    SELECT seq, pos INTO last_seq, last_pos FROM chat.messages
     WHERE conversation_id = conversation ORDER BY seq DESC LIMIT 1;
    IF last_seq IS NULL THEN RETURN 1; END IF;
    IF last_pos < p THEN RETURN last_seq + 1; END IF;
    -- Back from the end in growing steps: the messages a device missed are usually the newest.
    at_or_after := last_seq;
    LOOP
        probe := at_or_after - step;
        IF probe < 1 THEN below := 0; EXIT; END IF;
        SELECT pos INTO probe_pos FROM chat.messages
         WHERE conversation_id = conversation AND seq >= probe ORDER BY seq LIMIT 1;
        IF probe_pos < p THEN below := probe; EXIT; END IF;
        at_or_after := probe;
        step := step * 2;
    END LOOP;
    WHILE at_or_after - below > 1 LOOP
        probe := (below + at_or_after) / 2;
        SELECT pos INTO probe_pos FROM chat.messages
         WHERE conversation_id = conversation AND seq >= probe ORDER BY seq LIMIT 1;
        IF probe_pos >= p THEN at_or_after := probe; ELSE below := probe; END IF;
    END LOOP;
    RETURN at_or_after;
END
$$;

DROP INDEX chat.messages_by_pos;
