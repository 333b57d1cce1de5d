package io.switchboard.chat;

import java.time.Instant;

/**
 * A stored message as the database holds it; JSON columns stay text until they become a view.
 * {@code call} is set on a message that stands for a call (a missed call), null otherwise.
 */
record MessageRow(String conversationId, long seq, long pos, String senderId, String clientMsgId, String text,
                  Long replyTo, String attachments, String location, String call, String reactions, Instant editedAt,
                  boolean deleted, Instant sentAt) {

    MessageRow edited(String newText, Instant at) {
        return new MessageRow(conversationId, seq, pos, senderId, clientMsgId, newText, replyTo, attachments, location,
                call, reactions, at, deleted, sentAt);
    }

    MessageRow tombstone(Instant at) {
        return new MessageRow(conversationId, seq, pos, senderId, clientMsgId, null, replyTo, null, null, null, null, at,
                true, sentAt);
    }

    MessageRow withReactions(String json) {
        return new MessageRow(conversationId, seq, pos, senderId, clientMsgId, text, replyTo, attachments, location,
                call, json, editedAt, deleted, sentAt);
    }
}
