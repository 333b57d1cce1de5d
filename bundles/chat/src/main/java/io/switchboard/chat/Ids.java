package io.switchboard.chat;

/** Conversation, media and message ids. */
final class Ids {
    private Ids() {}

    static String newId(String prefix) {
        return io.switchboard.sdk.api.Ids.random(prefix);
    }

    /**
     * True when {@code s} is {@code prefix} then 26 characters of lower-case base32, as {@link #newId}
     * makes them. A loop, not a regular expression: it runs for every message sent.
     */
    static boolean isId(String s, String prefix) {
        if (s == null || s.length() != prefix.length() + 26 || !s.startsWith(prefix)) return false;
        for (int i = prefix.length(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z') && !(c >= '2' && c <= '7')) return false;
        }
        return true;
    }

    /** True when {@code s} is a client message id: 1 to 64 of {@code A-Z a-z 0-9 _ . : -}. */
    static boolean isClientMsgId(String s) {
        if (s == null || s.isEmpty() || s.length() > 64) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == ':' || c == '-';
            if (!ok) return false;
        }
        return true;
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
