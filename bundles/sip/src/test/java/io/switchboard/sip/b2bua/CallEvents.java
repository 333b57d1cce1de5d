package io.switchboard.sip.b2bua;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.switchboard.sdk.calls.CallBridge;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What the listener heard, one word each: ringing, early:, answered:&lt;sdp&gt;, failed:&lt;reason&gt;, ended. */
final class CallEvents implements CallBridge.Listener {
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    volatile String detail;
    /** Makes the offer of a further branch from its name; null: the listener has none (the default). */
    volatile java.util.function.UnaryOperator<String> branchOffers;
    /** The branch early media and the answer came on (null: the first). */
    volatile String earlyBranch;
    volatile String answeredBranch;

    String next() throws InterruptedException {
        String e = queue.poll(20, TimeUnit.SECONDS);
        assertNotNull(e, "no event from the far leg");
        return e;
    }

    String poll(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void ringing() {
        queue.add("ringing");
    }

    @Override
    public void earlyMedia(String sdp) {
        queue.add("early:" + sdp);
    }

    @Override
    public void answered(String sdp) {
        queue.add("answered:" + sdp);
    }

    @Override
    public String branchOffer(String branch) {
        java.util.function.UnaryOperator<String> offers = branchOffers;
        return offers == null ? null : offers.apply(branch);
    }

    @Override
    public void earlyMedia(String branch, String sdp) {
        earlyBranch = branch;
        earlyMedia(sdp);
    }

    @Override
    public void answered(String branch, String sdp) {
        answeredBranch = branch;
        answered(sdp);
    }

    @Override
    public void failed(String reason, String detail) {
        this.detail = detail;
        queue.add("failed:" + reason);
    }

    @Override
    public void ended() {
        queue.add("ended");
    }
}
