-- Conversations, members and messages. Every client-visible change has a position ("pos") in one
-- log for the whole feature, handed out in commit order by the chat writer: a message is stored
-- once, whatever the number of members, and a device resumes from its position.

CREATE TABLE chat.conversations (
    id          text        PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('direct', 'group')),
    title       text,
    direct_key  text        UNIQUE,          -- the two account ids, sorted, for direct conversations
    created_by  text        NOT NULL,
    created_pos bigint      NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE chat.members (
    conversation_id text        NOT NULL REFERENCES chat.conversations (id),
    account_id      text        NOT NULL,
    role            text        NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    read_seq        bigint      NOT NULL DEFAULT 0,
    joined_at       timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, account_id)
);
CREATE INDEX members_by_account ON chat.members (account_id);

-- What each account may replay: from the position that added it to the one that removed it.
CREATE TABLE chat.memberships (
    conversation_id text   NOT NULL,
    account_id      text   NOT NULL,
    from_pos        bigint NOT NULL,
    until_pos       bigint,
    PRIMARY KEY (account_id, conversation_id, from_pos)
);

CREATE TABLE chat.messages (
    conversation_id text        NOT NULL,
    seq             bigint      NOT NULL,
    pos             bigint      NOT NULL,
    sender_id       text        NOT NULL,
    client_msg_id   text        NOT NULL,
    text            text,
    reply_to        bigint,                  -- seq of the message replied to, same conversation
    attachments     jsonb,
    location        jsonb,
    reactions       jsonb,                   -- {"👍": ["<account id>", ...]}
    edited_at       timestamptz,
    deleted         boolean     NOT NULL DEFAULT false,
    sent_at         timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, sender_id, client_msg_id)
);
CREATE INDEX messages_by_pos ON chat.messages (conversation_id, pos);

-- Every other stored change (edits, deletes, reactions, read marks, membership and titles).
CREATE TABLE chat.events (
    pos             bigint PRIMARY KEY,
    conversation_id text   NOT NULL,
    type            text   NOT NULL,
    data            jsonb  NOT NULL
);
CREATE INDEX events_by_conversation ON chat.events (conversation_id, pos);

CREATE TABLE chat.media (
    id           text        PRIMARY KEY,
    owner_id     text        NOT NULL,
    store_key    text        NOT NULL,
    size         bigint      NOT NULL,
    content_type text        NOT NULL,
    created_at   timestamptz NOT NULL
);

-- Which messages carry which media: who may download it.
CREATE TABLE chat.message_media (
    media_id        text   NOT NULL,
    conversation_id text   NOT NULL,
    seq             bigint NOT NULL,
    PRIMARY KEY (media_id, conversation_id, seq)
);
CREATE INDEX message_media_by_message ON chat.message_media (conversation_id, seq);
