-- A message can stand for a call: {"id": "<call id>", "outcome": "missed", "video": false}. The calls
-- bundle tells chat about a missed call; chat leaves such a message from the caller in the direct
-- conversation of the two. Null for every other message.

ALTER TABLE chat.messages ADD COLUMN call jsonb;
