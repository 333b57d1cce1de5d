package io.switchboard.sip.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.sdk.calls.CallBridge.BridgedCall;
import io.switchboard.sip.Loopback;
import io.switchboard.sip.routing.RingStep;
import io.switchboard.sip.routing.Target;
import io.switchboard.sip.stack.SipStackAccess;
import io.switchboard.sip.stack.SipStackComponent;
import io.switchboard.sip.trunk.Trunk;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bridge on a real stack (127.0.0.1, a free port) calling SIPp playing the PBX over UDP on 127.0.0.2
 * and 127.0.0.3. The company's trunks and ring steps come from a fixed {@link Companies} (no database):
 * what is under test is the SIP, not the routing.
 */
class SipCallBridgeTest {
    private static final String COMPANY = "acc_company";
    private static final String OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n";

    private static SipStackComponent sip;
    private static int port;
    private SipCallBridge bridge;
    private final Fixed companies = new Fixed();
    private final Staff staff = new Staff();
    private final TrunkChannels channels = new TrunkChannels();
    private final List<Sipp> sipps = new ArrayList<>();

    /** One stack for all: the stack itself is not under test (see SipStackRestartTest for its restarts). */
    @BeforeAll
    static void startStack() throws Exception {
        assumeTrue(Files.isExecutable(Sipp.BINARY), "sipp is not installed (Debian package sip-tester)");
        sip = SipStackAccess.startOnFreePort(Loopback.STACK);
        port = SipStackAccess.port(sip);
    }

    @AfterAll
    static void stopStack() {
        if (sip != null) SipStackAccess.stop(sip);
    }

    @BeforeEach
    void start() {
        bridge = new SipCallBridge(sip, companies, "switchboard.test", Clock.systemUTC(), staff, channels);
    }

    @AfterEach
    void stop() {
        if (bridge != null) bridge.deactivate();
        sipps.forEach(Sipp::close);
    }

    @Test
    void bridgesOnlyCompaniesWithTrunksAndRules() throws Exception {
        assertTrue(!bridge.bridges(COMPANY), "no trunks, no rules");
        companies.trunks.add(trunk("main", "127.0.0.2", 5060, 1));
        assertTrue(!bridge.bridges(COMPANY), "trunks but no rules");
        companies.steps = List.of(step(Target.extension("201", null, 1), 10));
        assertTrue(bridge.bridges(COMPANY));
        assertTrue(!bridge.bridges("acc_other"));
    }

    @Test
    void answeredCallIsAcknowledgedAndHungUpWithBye() throws Exception {
        Sipp pbx = sipp("uas-answer.xml", "127.0.0.2");
        companies.trunks.add(trunk("main", pbx.address, pbx.port, 1));
        companies.steps = List.of(step(Target.extension("201", null, 1), 10));
        CallEvents events = ring("call-a");

        assertEquals("ringing", events.next());
        String answered = events.next();
        assertTrue(answered.startsWith("answered:") && answered.contains("o=pbx"), answered);
        assertEquals(List.of("ext:201"), companies.answered);
        bridge.hangup("call-a");
        assertEquals(0, pbx.exit(15), pbx::output);
        assertNull(events.poll(300), "nothing after the caller's hang-up");
        assertEquals(0, bridge.live());

        String invite = pbx.received("INVITE").get(0);
        assertTrue(invite.startsWith("INVITE sip:201@127.0.0.2:" + pbx.port + " SIP/2.0"), invite);
        assertTrue(Pattern.compile("(?m)^From: \"alice\" <sip:alice@switchboard\\.test>;tag=").matcher(invite).find(), invite);
        assertTrue(Pattern.compile("(?m)^Contact: <sip:alice@127\\.0\\.0\\.1:" + port + ">").matcher(invite).find(), invite);
        assertTrue(Pattern.compile("(?m)^Max-Forwards: 70").matcher(invite).find(), invite);
        assertTrue(invite.contains("m=audio 40000 RTP/AVP 0 8"), "the offer goes along: " + invite);
    }

    @Test
    void challengeIsAnsweredOnTheSameCallIdWithTheNextCSeq() throws Exception {
        Sipp pbx = sipp("uas-challenge.xml", "127.0.0.2");
        companies.trunks.add(trunk("main", pbx.address, pbx.port, 1));
        companies.steps = List.of(step(Target.extension("201", "main", 1), 10));
        CallEvents events = ring("call-b");

        assertTrue(events.next().startsWith("answered:"), pbx::output);
        bridge.hangup("call-b");
        assertEquals(0, pbx.exit(15), pbx::output);

        List<String> invites = pbx.received("INVITE");
        assertEquals(2, invites.size(), pbx::output);
        assertEquals(header(invites.get(0), "Call-ID"), header(invites.get(1), "Call-ID"));
        assertEquals(tag(header(invites.get(0), "From")), tag(header(invites.get(1), "From")));
        assertEquals("1 INVITE", header(invites.get(0), "CSeq"));
        assertEquals("2 INVITE", header(invites.get(1), "CSeq"));
        assertNull(header(invites.get(0), "Authorization"));
        String authorization = header(invites.get(1), "Authorization");
        assertTrue(authorization.startsWith("Digest ") && authorization.contains("username=\"trunkuser\"")
                && authorization.contains("qop=auth") && authorization.contains("nc=00000001"), authorization);
    }

    @Test
    void unavailableTrunkFailsOverToTheNext() throws Exception {
        Sipp first = sipp("uas-503.xml", "127.0.0.2");
        Sipp second = sipp("uas-answer.xml", "127.0.0.3");
        companies.trunks.add(trunk("first", first.address, first.port, 1));
        companies.trunks.add(trunk("second", second.address, second.port, 2));
        companies.steps = List.of(step(Target.extension("201", null, 1), 10));
        CallEvents events = ring("call-c");

        assertEquals("ringing", events.next(), () -> first.output() + second.output());
        assertTrue(events.next().startsWith("answered:"));
        assertEquals(0, first.exit(15), first::output);
        bridge.hangup("call-c");
        assertEquals(0, second.exit(15), second::output);
        String over503 = first.received("INVITE").get(0);
        String overSecond = second.received("INVITE").get(0);
        assertTrue(overSecond.startsWith("INVITE sip:201@127.0.0.3:"), overSecond);
        assertTrue(!header(over503, "Call-ID").equals(header(overSecond, "Call-ID")), "a fresh Call-ID per trunk");
    }

    /** Refusals that say something of the callee, not of the trunk: the next trunk is not tried. */
    @ParameterizedTest
    @CsvSource({"486, Busy Here, busy", "600, Busy Everywhere, busy", "603, Decline, declined", "404, Not Found, failed"})
    void refusalsDoNotFailOver(int status, String reason, String outcome) throws Exception {
        Sipp pbx = Sipp.refusing("uas-refuse.xml", "127.0.0.2", status, reason);
        sipps.add(pbx);
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0))) {
            companies.trunks.add(trunk("first", pbx.address, pbx.port, 1));
            companies.trunks.add(trunk("second", "127.0.0.3", other.getLocalPort(), 2));
            companies.steps = List.of(step(Target.extension("201", null, 1), 10));
            CallEvents events = ring("call-d" + status);

            assertEquals("ringing", events.next(), pbx::output);
            assertEquals("failed:" + outcome, events.next());
            assertEquals(0, pbx.exit(15), pbx::output);
            assertNothingComes(other);
            assertEquals(0, bridge.live());
        }
    }

    @Test
    void noFailOverAfterEarlyMedia() throws Exception {
        Sipp pbx = sipp("uas-early-503.xml", "127.0.0.2");
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0))) {
            companies.trunks.add(trunk("first", pbx.address, pbx.port, 1));
            companies.trunks.add(trunk("second", "127.0.0.3", other.getLocalPort(), 2));
            companies.steps = List.of(step(Target.extension("201", null, 1), 10));
            CallEvents events = ring("call-early");

            String early = events.next();
            assertTrue(early.startsWith("early:") && early.contains("o=pbx-early"), early);
            assertEquals("failed:failed", events.next());
            assertTrue(events.detail.contains("503"), events.detail);
            assertEquals(0, pbx.exit(15), pbx::output);
            assertNothingComes(other);
        }
    }

    @Test
    void aFullTrunkIsPassedOverAndItsChannelGoesBack() throws Exception {
        Sipp small = Sipp.refusing("uas-refuse.xml", "127.0.0.2", 486, "Busy Here");
        Sipp big = Sipp.refusing("uas-refuse.xml", "127.0.0.3", 486, "Busy Here");
        sipps.add(small);
        sipps.add(big);
        Trunk oneChannel = new Trunk("trk_small", COMPANY, "small", Trunk.Mode.REGISTER, small.address, small.port,
                Trunk.Transport.UDP, "trunkuser", "trunkpass", null, 1, 1, 1, Instant.now());
        companies.trunks.add(oneChannel);
        companies.trunks.add(trunk("big", big.address, big.port, 2));
        companies.steps = List.of(new RingStep("office", List.of(Target.extension("201", null, 1),
                Target.extension("202", null, 1)), Duration.ofSeconds(10)));
        CallEvents events = ring("call-full");

        assertEquals("ringing", events.next(), () -> small.output() + big.output());
        assertEquals("failed:busy", events.next());
        assertEquals(0, small.exit(15), small::output);
        assertEquals(0, big.exit(15), big::output);
        assertEquals(1, small.received("INVITE").size(), "one call on the one-channel trunk");
        assertTrue(small.received("INVITE").get(0).startsWith("INVITE sip:201@"), small::output);
        assertTrue(big.received("INVITE").get(0).startsWith("INVITE sip:202@"), "202 went over the next trunk");
        assertEquals(0, channels.inUse("trk_small"), "the channel is given back");
        assertEquals(0, channels.inUse("trk_big"));
    }

    @Test
    void anEmployeeInTheRingGroupIsCalledFromTheCompany() throws Exception {
        companies.trunks.add(trunk("main", "127.0.0.2", 5060, 1));
        companies.steps = List.of(step(Target.handle("alice", 1), 10));
        CallEvents events = ring("call-staff");
        CallGatewayCall placed = staff.next();
        assertEquals(COMPANY, placed.call.callerAccountId(), "the employee sees a call from the company");
        assertEquals("acc_staff_alice", placed.call.calleeAccountId());
        assertEquals(OFFER, placed.call.offer(), "the call's plain-RTP offer goes on");
        placed.listener.ringing();
        assertEquals("ringing", events.next());
        assertTrue(!bridge.busy(COMPANY, Target.handle("alice", 1)), "ringing is not busy");
        placed.listener.answered("v=0 staff");
        assertEquals("answered:v=0 staff", events.next());
        assertEquals(List.of("handle:alice"), companies.answered, "the routing state learns who answered");
        staff.talking.add("acc_staff_alice");
        assertTrue(bridge.busy(COMPANY, Target.handle("alice", 1)), "an employee in a call is busy");
        bridge.hangup("call-staff");
        assertEquals(List.of(placed.id), staff.hungUp, "the caller's hang-up ends the employee's call");

        // The employee hangs up first: the caller hears it.
        CallEvents second = ring("call-staff-2");
        CallGatewayCall again = staff.next();
        again.listener.answered("v=0 staff");
        assertEquals("answered:v=0 staff", second.next());
        again.listener.ended();
        assertEquals("ended", second.next());
        assertEquals(0, bridge.live());

        // Refused at once (busy) and unknown: the call fails accordingly.
        staff.refuse = "busy";
        assertEquals("failed:busy", ring("call-staff-3").next());
        staff.refuse = null;
        companies.steps = List.of(step(Target.handle("nobody", 1), 10));
        assertEquals("failed:failed", ring("call-staff-4").next());
    }

    @Test
    void anExtensionInAnAnsweredCallIsBusy() throws Exception {
        Sipp pbx = sipp("uas-answer.xml", "127.0.0.2");
        companies.trunks.add(trunk("main", pbx.address, pbx.port, 1));
        Target ext = Target.extension("201", null, 1);
        companies.steps = List.of(step(ext, 10));
        CallEvents events = ring("call-busy");
        assertEquals("ringing", events.next(), pbx::output);
        assertTrue(events.next().startsWith("answered:"));
        assertTrue(bridge.busy(COMPANY, ext));
        assertTrue(!bridge.busy(COMPANY, Target.extension("202", null, 1)));
        bridge.hangup("call-busy");
        assertEquals(0, pbx.exit(15), pbx::output);
        assertTrue(!bridge.busy(COMPANY, ext), "free again after the call");
    }

    private record CallGatewayCall(String id, io.switchboard.sdk.calls.CallGateway.IncomingCall call,
                                   io.switchboard.sdk.calls.CallBridge.Listener listener) {}

    /** The company's employees: alice; calls to her recorded for the test to answer. */
    private static final class Staff implements Employees {
        private final BlockingQueue<CallGatewayCall> calls = new LinkedBlockingQueue<>();
        final List<String> hungUp = new CopyOnWriteArrayList<>();
        final List<String> talking = new CopyOnWriteArrayList<>();
        volatile String refuse;
        private int count;

        @Override public Optional<String> accountOf(String handle) {
            return "alice".equals(handle) ? Optional.of("acc_staff_alice") : Optional.empty();
        }

        @Override public boolean inCall(String accountId) {
            return talking.contains(accountId);
        }

        @Override public synchronized String call(io.switchboard.sdk.calls.CallGateway.IncomingCall call,
                                                  io.switchboard.sdk.calls.CallBridge.Listener listener)
                throws io.switchboard.sdk.calls.CallRefusedException {
            if (refuse != null) throw new io.switchboard.sdk.calls.CallRefusedException(refuse, "refused in the test");
            CallGatewayCall c = new CallGatewayCall("staff-" + ++count, call, listener);
            calls.add(c);
            return c.id;
        }

        @Override public void hangup(String callId) {
            hungUp.add(callId);
        }

        CallGatewayCall next() throws InterruptedException {
            CallGatewayCall c = calls.poll(10, TimeUnit.SECONDS);
            assertNotNull(c, "the employee was not called");
            return c;
        }
    }

    private static void assertNothingComes(DatagramSocket other) throws Exception {
        other.setSoTimeout(1500);
        try {
            other.receive(new DatagramPacket(new byte[2048], 2048));
            throw new AssertionError("the next trunk was tried");
        } catch (SocketTimeoutException expected) {
            // nothing came
        }
    }

    @Test
    void callerHangingUpWhileItRingsCancels() throws Exception {
        Sipp pbx = sipp("uas-cancel.xml", "127.0.0.2");
        companies.trunks.add(trunk("main", pbx.address, pbx.port, 1));
        companies.steps = List.of(step(Target.extension("201", null, 1), 10));
        CallEvents events = ring("call-e");

        assertEquals("ringing", events.next(), pbx::output);
        bridge.hangup("call-e");
        assertEquals(0, pbx.exit(15), pbx::output);
        assertNull(events.poll(300), "nothing after the caller's hang-up");
        assertEquals(0, bridge.live());
    }

    @Test
    void pbxHangingUpEndsTheCall() throws Exception {
        Sipp pbx = sipp("uas-bye.xml", "127.0.0.2", "bridge", "127.0.0.1:" + port);
        companies.trunks.add(trunk("main", pbx.address, pbx.port, 1));
        companies.steps = List.of(step(Target.extension("201", null, 1), 10));
        CallEvents events = ring("call-f");

        assertEquals("ringing", events.next(), pbx::output);
        assertTrue(events.next().startsWith("answered:"));
        assertEquals("ended", events.next(), pbx::output);
        assertEquals(0, pbx.exit(15), pbx::output);
        assertEquals(0, bridge.live());
    }

    @Test
    void stepTimeoutCancelsAndRingsTheNextStep() throws Exception {
        Sipp slow = sipp("uas-cancel.xml", "127.0.0.2");
        Sipp next = sipp("uas-answer.xml", "127.0.0.3");
        companies.trunks.add(trunk("slow", slow.address, slow.port, 1));
        companies.trunks.add(trunk("next", next.address, next.port, 2));
        companies.steps = List.of(step(Target.extension("201", "slow", 1), 1),
                step(Target.extension("202", "next", 1), 10));
        CallEvents events = ring("call-g");

        assertEquals("ringing", events.next(), slow::output);
        assertEquals(0, slow.exit(15), slow::output);
        assertTrue(events.next().startsWith("answered:"), next::output);
        assertEquals(List.of("ext:202@next"), companies.answered);
        bridge.hangup("call-g");
        assertEquals(0, next.exit(15), next::output);
    }

    /**
     * Ring-all: the first target gets the call's offer, every other one an offer of its own from the calls
     * feature (its own media), and the answer names the branch it came on.
     */
    @Test
    void eachTargetOfAStepHasItsOwnOfferAndTheAnswerNamesItsBranch() throws Exception {
        CallEvents events = new CallEvents();
        List<String> asked = new CopyOnWriteArrayList<>();
        events.branchOffers = branch -> {
            asked.add(branch);
            return OFFER.replace("m=audio 40000", "m=audio 4100" + branch);
        };
        Sipp answering = ringOneAnswersTwo("call-i", events);
        assertEquals(List.of("2"), asked, "one more offer, for the second target");
        assertEquals("2", events.answeredBranch, "the answer came on the second target's branch");
        assertTrue(answering.received("INVITE").get(0).contains("m=audio 41002 "), "the second target has its own");
    }

    /** A listener without offers per branch: every target gets the call's offer, answers on the first branch. */
    @Test
    void withoutBranchOffersEveryTargetHasTheCallsOffer() throws Exception {
        CallEvents events = new CallEvents();
        Sipp answering = ringOneAnswersTwo("call-j", events);
        assertNull(events.answeredBranch, "the call's own media");
        assertTrue(answering.received("INVITE").get(0).contains("m=audio 40000 "), "the call's offer again");
    }

    /**
     * Ring-all where one PBX challenges the INVITE only after another target answered: the challenge is not
     * answered, so that target never rings, and the call stays with the one that answered.
     */
    @Test
    void aChallengeThatComesAfterAnotherTargetAnsweredIsNotAnswered() throws Exception {
        Sipp late = sipp("uas-late-challenge.xml", "127.0.0.2");
        Sipp answering = sipp("uas-answer.xml", "127.0.0.3");
        CallEvents events = new CallEvents();
        ringAllTillAnswered(late, answering, "call-k", events);
        assertEquals(List.of("ext:202@two"), companies.answered);
        assertEquals(0, late.exit(15), late::output);
        // The INVITE may come again (a retransmission while the PBX is silent), never with the next CSeq.
        for (String invite : late.received("INVITE")) {
            assertEquals("1 INVITE", header(invite, "CSeq"), "the late challenge is not answered: " + invite);
            assertNull(header(invite, "Proxy-Authorization"), invite);
        }
        assertNull(events.poll(300), "the late challenge does not end the answered call");
        bridge.hangup("call-k");
        assertEquals(0, answering.exit(15), answering::output);
        assertEquals(0, bridge.live());
    }

    /**
     * Rings 201 (over trunk one, rings until cancelled) and 202 (over trunk two, answers) at once; returns
     * 202's sipp once it answered, 201 was cancelled (it had the call's offer) and the call hung up.
     */
    private Sipp ringOneAnswersTwo(String callId, CallEvents events) throws Exception {
        Sipp ringing = sipp("uas-cancel.xml", "127.0.0.2");
        Sipp answering = sipp("uas-answer.xml", "127.0.0.3");
        ringAllTillAnswered(ringing, answering, callId, events);
        assertEquals(0, ringing.exit(15), ringing::output);
        assertTrue(ringing.received("INVITE").get(0).contains("m=audio 40000 "), "the first target has the call's offer");
        bridge.hangup(callId);
        assertEquals(0, answering.exit(15), answering::output);
        return answering;
    }

    /** Rings 201 over trunk one ({@code one}) and 202 over trunk two ({@code two}) at once until one answers. */
    private void ringAllTillAnswered(Sipp one, Sipp two, String callId, CallEvents events) throws Exception {
        companies.trunks.add(trunk("one", one.address, one.port, 1));
        companies.trunks.add(trunk("two", two.address, two.port, 2));
        companies.steps = List.of(new RingStep("office", List.of(Target.extension("201", "one", 1),
                Target.extension("202", "two", 1)), Duration.ofSeconds(10)));
        bridge.ring(new BridgedCall(callId, "acc_alice", "alice", COMPANY, OFFER, false), events);
        String answered;
        do {
            answered = events.next();
        } while (answered.equals("ringing"));
        assertTrue(answered.startsWith("answered:"), answered + "\n" + one.output() + two.output());
    }

    @Test
    void nothingReachableFails() throws Exception {
        companies.steps = List.of(step(Target.handle("bob", 1), 10), step(Target.extension("201", "gone", 1), 10));
        CallEvents events = ring("call-h");
        String failed = events.next();
        assertTrue(failed.equals("failed:failed"), failed);
        assertNotNull(events.detail);
    }

    private Sipp sipp(String scenario, String address, String... keys) throws Exception {
        Sipp s = Sipp.uas(scenario, address, keys);
        sipps.add(s);
        return s;
    }

    private CallEvents ring(String callId) {
        CallEvents events = new CallEvents();
        bridge.ring(new BridgedCall(callId, "acc_alice", "alice", COMPANY, OFFER, false), events);
        return events;
    }

    private static Trunk trunk(String name, String host, int port, int priority) {
        return new Trunk("trk_" + name, COMPANY, name, Trunk.Mode.REGISTER, host, port, Trunk.Transport.UDP,
                "trunkuser", "trunkpass", null, priority, 1, null, Instant.now());
    }

    private static RingStep step(Target target, int seconds) {
        return new RingStep("office", List.of(target), Duration.ofSeconds(seconds));
    }

    private static String header(String message, String name) {
        Matcher m = Pattern.compile("(?mi)^" + name + ":\\s*(.*?)\\s*$").matcher(message);
        return m.find() ? m.group(1) : null;
    }

    private static String tag(String from) {
        Matcher m = Pattern.compile(";tag=([^;>\\s]+)").matcher(from);
        return m.find() ? m.group(1) : null;
    }

    /** The company: fixed trunks and ring steps; the targets that answered. */
    private static final class Fixed implements Companies {
        final List<Trunk> trunks = new CopyOnWriteArrayList<>();
        volatile List<RingStep> steps;
        final List<String> answered = new CopyOnWriteArrayList<>();

        @Override
        public List<Trunk> trunks(String companyId) {
            return COMPANY.equals(companyId) ? List.copyOf(trunks) : List.of();
        }

        @Override
        public boolean routes(String companyId) {
            return COMPANY.equals(companyId) && steps != null;
        }

        @Override
        public Optional<List<RingStep>> steps(String companyId, Instant now, java.util.function.Predicate<Target> busy) {
            return routes(companyId) ? Optional.of(steps) : Optional.empty();
        }

        @Override
        public void answered(String companyId, String targetKey, Instant at) {
            answered.add(targetKey);
        }
    }
}
