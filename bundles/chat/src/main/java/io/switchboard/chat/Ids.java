package io.switchboard.chat;

/** Conversation, media and message ids. */
final class Ids {
    private Ids() {}

    static String newId(String prefix) {
        return io.switchboard.sdk.api.Ids.random(prefix);
    }

    /** A message id names its conversation and its place in it: {@code <conversation id>.<seq>}. */
    static String messageId(String conversationId, long seq) {
        return conversationId + "." + seq;
    }

    /** The seq of a message id in the given conversation, or -1 when the id is not one of its messages. */
    static long seqOf(String conversationId, String messageId) {
        if (messageId == null || messageId.length() > 64 || !messageId.startsWith(conversationId + ".")) return -1;
        String digits = messageId.substring(conversationId.length() + 1);
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        long seq = Long.parseLong(digits);
        return seq > 0 ? seq : -1;
    }
}
