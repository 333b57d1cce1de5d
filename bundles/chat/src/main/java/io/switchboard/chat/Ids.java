package io.switchboard.chat;

import java.security.SecureRandom;

/** Opaque ids: 128 random bits in lower-case base32 (26 characters) after a short prefix. */
final class Ids {
    private Ids() {}

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    static String newId(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        StringBuilder out = new StringBuilder(prefix.length() + 26).append(prefix);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        return out.toString();
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
