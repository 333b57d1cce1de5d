package io.switchboard.sip.trunk;

import java.time.Duration;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.message.Response;

/**
 * The decisions of a {@link Registration}, apart from the sending: which challenge to answer and whether
 * to answer it at all, how long the PBX granted, when to refresh, what a 423 asks for, how long to wait
 * after a failure.
 */
final class RegisterRules {
    /** A stale nonce is answered again, but no more often than this in a row. */
    static final int MAX_STALE_IN_ROW = 3;

    private RegisterRules() {}

    /** What the REGISTER that drew a challenge carried. */
    enum Credentials {
        /** None: the first REGISTER, or the first after a failure. */
        NONE,
        /** An answer to an older challenge, its nonce used once more (a refresh). */
        REUSED,
        /** An answer to the challenge that came just before. */
        FRESH
    }

    enum AuthStep {
        /** Answer the challenge with the password. */
        ANSWER,
        /** The PBX refused an answer to its own fresh nonce: the username or password is wrong. */
        REFUSED,
        /** The PBX called too many answers in a row stale: something is wrong on its side. */
        STALE_LOOP
    }

    /**
     * Whether to answer a challenge. A first challenge, or one after a reused nonce (the PBX may have
     * forgotten it, with or without saying {@code stale}), is answered. A challenge right after an
     * answer to a fresh nonce means the password was wrong, unless it says {@code stale=true} (the nonce
     * expired on the way; the answer was right), which is answered up to {@link #MAX_STALE_IN_ROW} times in
     * a row. So a wrong password costs two REGISTERs (three after a refresh) and never a loop.
     */
    static AuthStep onChallenge(boolean stale, Credentials previous, int staleInRow) {
        if (stale) return staleInRow < MAX_STALE_IN_ROW ? AuthStep.ANSWER : AuthStep.STALE_LOOP;
        return previous == Credentials.FRESH ? AuthStep.REFUSED : AuthStep.ANSWER;
    }

    /**
     * The challenge to answer. The trunk's realm, when it has one, must be the challenge's: the password
     * is only ever used for the realm its owner named (a PBX behind another realm gets no answer and the
     * trunk fails naming both). Without one, the first challenge we can answer is taken.
     *
     * @throws IllegalArgumentException naming why none can be answered
     */
    static DigestChallenge choose(List<DigestChallenge> offered, String trunkRealm) {
        if (offered.isEmpty()) throw new IllegalArgumentException("the PBX asked for authentication without a challenge");
        List<DigestChallenge> candidates = offered;
        if (trunkRealm != null) {
            candidates = offered.stream().filter(c -> trunkRealm.equals(c.realm())).toList();
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("the PBX asked for realm " + offered.stream().map(c -> "\"" + c.realm() + "\"")
                        .distinct().collect(Collectors.joining(", ")) + ", not the trunk's realm \"" + trunkRealm + "\"");
            }
        }
        for (DigestChallenge c : candidates) {
            if (c.unsupported() == null) return c;
        }
        throw new IllegalArgumentException("the PBX's challenge cannot be answered (" + candidates.get(0).unsupported()
                + "; MD5 digest with qop=auth or without qop is supported)");
    }

    /**
     * How long the PBX granted: the {@code expires} of our contact among the 200's Contacts, else its
     * Expires header, else what we asked.
     */
    static int granted(Response ok, SipURI ours, int asked) {
        ListIterator<?> contacts = ok.getHeaders(ContactHeader.NAME);
        while (contacts.hasNext()) {
            ContactHeader c = (ContactHeader) contacts.next();
            if (c.getAddress().getURI() instanceof SipURI uri && same(uri, ours) && c.getExpires() >= 0) return c.getExpires();
        }
        ExpiresHeader expires = ok.getExpires();
        return expires != null ? expires.getExpires() : asked;
    }

    private static boolean same(SipURI a, SipURI b) {
        return a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT)) && a.getPort() == b.getPort()
                && (a.getUser() == null ? b.getUser() == null : a.getUser().equals(b.getUser()));
    }

    /**
     * When to refresh a registration granted for {@code seconds}: 15 % before it ends, at least 5 s before,
     * but never sooner than half way (3600 s: after 3060 s; 60 s: after 51 s; 10 s: after 5 s).
     */
    static Duration refreshAfter(int seconds) {
        long granted = seconds * 1000L;
        long lead = Math.min(Math.max(granted * 15 / 100, 5_000), granted / 2);
        return Duration.ofMillis(granted - lead);
    }

    /**
     * What to ask for after a 423 Interval Too Brief: its Min-Expires, when that is more than was asked;
     * empty (a failure) when it has none or asks for no more, which would only draw the same 423 again.
     */
    static OptionalInt afterIntervalTooBrief(Integer minExpires, int asked) {
        return minExpires != null && minExpires > asked ? OptionalInt.of(minExpires) : OptionalInt.empty();
    }

    /** The wait before the next attempt after {@code failures} failures in a row: first, doubled each time, up to max. */
    static Duration backoff(int failures, Duration first, Duration max) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 30);
        Duration wait = first.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
