package io.switchboard.sip.trunk;

import static io.switchboard.sip.trunk.RegisterRules.AuthStep.ANSWER;
import static io.switchboard.sip.trunk.RegisterRules.AuthStep.REFUSED;
import static io.switchboard.sip.trunk.RegisterRules.AuthStep.STALE_LOOP;
import static io.switchboard.sip.trunk.RegisterRules.Credentials.FRESH;
import static io.switchboard.sip.trunk.RegisterRules.Credentials.NONE;
import static io.switchboard.sip.trunk.RegisterRules.Credentials.REUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import javax.sip.address.SipURI;
import org.junit.jupiter.api.Test;

class RegisterRulesTest {

    @Test
    void aChallengeIsAnsweredUnlessItFollowsAnAnswerToAFreshNonce() {
        assertEquals(ANSWER, RegisterRules.onChallenge(false, NONE, 0), "the first challenge");
        assertEquals(ANSWER, RegisterRules.onChallenge(false, REUSED, 0), "a refresh whose nonce the PBX forgot");
        assertEquals(REFUSED, RegisterRules.onChallenge(false, FRESH, 0), "the password was wrong");
        assertEquals(ANSWER, RegisterRules.onChallenge(true, FRESH, 0), "stale: right password, nonce expired");
        assertEquals(ANSWER, RegisterRules.onChallenge(true, FRESH, RegisterRules.MAX_STALE_IN_ROW - 1));
        assertEquals(STALE_LOOP, RegisterRules.onChallenge(true, FRESH, RegisterRules.MAX_STALE_IN_ROW), "no endless stale");
        assertEquals(REFUSED, RegisterRules.onChallenge(false, FRESH, 2), "after stale answers, a plain 401 is still a refusal");
    }

    @Test
    void theTrunksRealmPicksTheChallengeOrRefusesToAnswer() {
        DigestChallenge a = challenge("a.test", null);
        DigestChallenge b = challenge("b.test", null);
        DigestChallenge sha = challenge("c.test", "SHA-256");
        assertSame(a, RegisterRules.choose(List.of(a, b), null), "no realm: the first");
        assertSame(b, RegisterRules.choose(List.of(a, b), "b.test"));
        assertSame(a, RegisterRules.choose(List.of(sha, a), null), "the first that can be answered");
        assertEquals("the PBX asked for realm \"a.test\", \"b.test\", not the trunk's realm \"B.test\"",
                assertThrows(IllegalArgumentException.class, () -> RegisterRules.choose(List.of(a, b), "B.test")).getMessage());
        assertEquals("the PBX's challenge cannot be answered (algorithm SHA-256; MD5 digest with qop=auth or without qop is supported)",
                assertThrows(IllegalArgumentException.class, () -> RegisterRules.choose(List.of(sha), null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> RegisterRules.choose(List.of(), null));
    }

    @Test
    void theGrantedTimeIsOurContactsThenTheExpiresHeaderThenWhatWasAsked() throws Exception {
        SipURI ours = new AddressFactoryImpl().createSipURI("acme", "127.0.0.1");
        ours.setPort(5070);
        String others = "Contact: <sip:acme@10.0.0.9:5060>;expires=900\r\n";
        assertEquals(120, RegisterRules.granted(DigestTest.response("200 OK", others
                + "Contact: <sip:acme@127.0.0.1:5070;transport=udp>;expires=120\r\nExpires: 3600\r\n"), ours, 3600));
        assertEquals(600, RegisterRules.granted(DigestTest.response("200 OK", others + "Expires: 600\r\n"), ours, 3600));
        assertEquals(3600, RegisterRules.granted(DigestTest.response("200 OK", others), ours, 3600));
    }

    @Test
    void refreshesComeBeforeTheEndButNotTooEarly() {
        assertEquals(Duration.ofSeconds(3060), RegisterRules.refreshAfter(3600), "85 %");
        assertEquals(Duration.ofSeconds(51), RegisterRules.refreshAfter(60));
        assertEquals(Duration.ofSeconds(15), RegisterRules.refreshAfter(20), "at least 5 s before");
        assertEquals(Duration.ofSeconds(5), RegisterRules.refreshAfter(10), "but not before half of it");
        assertEquals(Duration.ofMillis(500), RegisterRules.refreshAfter(1));
    }

    @Test
    void a423AsksForItsMinExpiresOnlyWhenThatIsLonger() {
        assertEquals(OptionalInt.of(7200), RegisterRules.afterIntervalTooBrief(7200, 3600));
        assertEquals(OptionalInt.empty(), RegisterRules.afterIntervalTooBrief(3600, 3600), "the same again would loop");
        assertEquals(OptionalInt.empty(), RegisterRules.afterIntervalTooBrief(60, 3600));
        assertEquals(OptionalInt.empty(), RegisterRules.afterIntervalTooBrief(null, 3600), "no Min-Expires");
    }

    @Test
    void theBackOffDoublesUpToItsLimit() {
        Duration first = Duration.ofSeconds(2);
        Duration max = Duration.ofMinutes(5);
        assertEquals(List.of(2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L), IntStream.rangeClosed(1, 10)
                .mapToObj(n -> RegisterRules.backoff(n, first, max).toSeconds()).toList());
        assertEquals(max, RegisterRules.backoff(10_000, first, max), "no overflow after many failures");
        assertEquals(first, RegisterRules.backoff(0, first, max));
    }

    private static DigestChallenge challenge(String realm, String algorithm) {
        return new DigestChallenge(false, "Digest", realm, "n", null, algorithm, "auth", false);
    }
}
