package io.switchboard.calls.rtpengine;

import io.switchboard.sdk.calls.MediaRelay;
import io.switchboard.sdk.calls.MediaRelayException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MediaRelay} on rtpengine's ng protocol: {@code offer}, {@code answer} and {@code delete} with
 * the flags that make each leg speak what it needs. Towards WebRTC: ICE forced (rtpengine is the ICE
 * peer of the browser), DTLS-SRTP, RTP/RTCP multiplexed, no SDES. Towards plain RTP: ICE removed,
 * RTP/AVP, RTCP on its own port, no RTP header extensions, and an offer of only the codecs PBXs speak
 * ({@link #RTP_CODECS}): those the offer has already pass through; those it lacks (a browser that offers
 * only Opus) rtpengine adds and transcodes to. The branches of a forked call are rtpengine's
 * via-branches: an offer per branch gets ports of its own, and the answer names the branch whose ports
 * the offering leg is joined to.
 */
public final class RtpengineRelay implements MediaRelay {
    private static final Logger LOG = LoggerFactory.getLogger(RtpengineRelay.class);
    /**
     * What an offer towards plain RTP keeps of the browser's codecs: G.711 both laws, G.722 and DTMF
     * (telephone-event; rtpengine keeps only the 8 kHz one, the clock rate of the codecs left). Opus, RED,
     * comfort noise and the rest are stripped, so no PBX is offered Opus wrapped in RED or 48 kHz DTMF.
     * Browsers offer these too, and then the media passes untouched; any of them the offer lacks is added
     * and transcoded (Opus ↔ G.711, DTMF as RFC 4733 events).
     */
    static final List<String> RTP_CODECS = List.of("PCMU", "PCMA", "G722", "telephone-event");
    private final NgClient client;

    public RtpengineRelay(NgClient client) {
        this.client = client;
    }

    @Override
    public String offer(String callId, String fromTag, String toTag, String sdp, Profile towards)
            throws MediaRelayException {
        return sdpOf(call(command("offer", callId, fromTag, toTag, null, sdp, towards)));
    }

    @Override
    public String answer(String callId, String fromTag, String toTag, String sdp, Profile towards)
            throws MediaRelayException {
        return sdpOf(call(command("answer", callId, fromTag, toTag, null, sdp, towards)));
    }

    /**
     * The branch's media is blocked until it answers: rtpengine would otherwise pass on what a branch
     * sends before its answer (a phone starting its media at once), with an SSRC of its own making, and
     * a SIP phone that then sees the answer's SSRC drops that stream (baresip does).
     */
    @Override
    public String branchOffer(String callId, String fromTag, String toTag, String sdp, Profile towards)
            throws MediaRelayException {
        String offer = sdpOf(call(command("offer", callId, fromTag, toTag, toTag, sdp, towards)));
        call(Map.<String, Object>of("command", "block media", "call-id", callId, "from-tag", toTag));
        return offer;
    }

    @Override
    public String branchAnswer(String callId, String fromTag, String toTag, String sdp, Profile towards)
            throws MediaRelayException {
        String answer = sdpOf(call(command("answer", callId, fromTag, toTag, toTag, sdp, towards)));
        onlyBranch(callId, fromTag, toTag);
        return answer;
    }

    /**
     * rtpengine keeps the offering leg subscribed to every branch it was offered to, answered or not:
     * media from all branches but {@code toTag} is blocked (and that one's unblocked: an earlier early
     * media answer may have come from another branch). Best effort: a failure is logged, the call goes on.
     */
    private void onlyBranch(String callId, String fromTag, String toTag) {
        try {
            client.request(Map.of("command", "unblock media", "call-id", callId, "from-tag", toTag));
            Object tags = client.request(Map.of("command", "query", "call-id", callId)).get("tags");
            if (!(tags instanceof Map<?, ?> all)) return;
            for (Object tag : all.keySet()) {
                String t = String.valueOf(tag);
                if (t.equals(fromTag) || t.equals(toTag) || t.startsWith("<")) continue; // "<untagged n>"
                client.request(Map.of("command", "block media", "call-id", callId, "from-tag", t));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("rtpengine: other branches of call {} not blocked: {}", callId, e.getMessage());
        }
    }

    @Override
    public void delete(String callId) {
        try {
            client.request(Map.of("command", "delete", "call-id", callId));
        } catch (NgException e) {
            LOG.debug("rtpengine had no call {} to delete: {}", callId, e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("rtpengine did not delete call {}: {}", callId, e.getMessage());
        }
    }

    /**
     * The ng dictionary for an offer or answer whose SDP goes to a leg speaking {@code towards};
     * {@code toTag} and {@code branch} (rtpengine's via-branch) are left out when null.
     */
    static Map<String, Object> command(String verb, String callId, String fromTag, String toTag, String branch, String sdp,
                                       Profile towards) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", verb);
        c.put("call-id", callId);
        c.put("from-tag", fromTag);
        if (toTag != null) c.put("to-tag", toTag);
        if (branch != null) c.put("via-branch", branch);
        c.put("sdp", sdp);
        if (towards == Profile.WEBRTC) {
            c.put("transport-protocol", "UDP/TLS/RTP/SAVPF");
            c.put("ICE", "force");
            c.put("DTLS", "passive");
            c.put("SDES", List.of("off"));
            c.put("rtcp-mux", List.of("require"));
            c.put("flags", List.of("trust-address"));
        } else {
            c.put("transport-protocol", "RTP/AVP");
            c.put("ICE", "remove");
            c.put("rtcp-mux", List.of("demux"));
            if ("offer".equals(verb)) {
                c.put("codec", new TreeMap<>(Map.of("strip", List.of("all"), "except", RTP_CODECS, "transcode", RTP_CODECS)));
            }
            c.put("flags", List.of("trust-address", "strip-extmap"));
        }
        return c;
    }

    private Map<String, Object> call(Map<String, Object> command) throws MediaRelayException {
        try {
            return client.request(command);
        } catch (NgException e) {
            throw new MediaRelayException("rtpengine refused the " + command.get("command") + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MediaRelayException("rtpengine did not answer: " + e.getMessage(), e);
        }
    }

    private static String sdpOf(Map<String, Object> answer) throws MediaRelayException {
        Object sdp = answer.get("sdp");
        if (!(sdp instanceof String s) || s.isBlank()) throw new MediaRelayException("rtpengine answered without SDP");
        return s;
    }
}
