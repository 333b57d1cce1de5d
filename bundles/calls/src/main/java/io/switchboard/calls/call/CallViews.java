package io.switchboard.calls.call;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Request bodies and answers of {@code /api/v1/calls}. */
public final class CallViews {
    private CallViews() {}

    // ---- requests

    /** POST /api/v1/calls. */
    public record NewCall(String to, String sdp, Boolean video) {}

    /** POST …/answer. */
    public record Answer(String sdp) {}

    /** POST …/candidates: one ICE candidate as RTCIceCandidate gives it. */
    public record Candidate(String candidate, String sdpMid, Integer sdpMLineIndex) {}

    /** POST …/hangup. */
    public record Hangup(String reason) {}

    /** POST …/sdp: a new offer or answer in the middle of a call (video on or off). */
    public record Sdp(String type, String sdp, Boolean video) {}

    // ---- answers and events

    public record Party(String handle, String displayName) {}

    /** A call as the parties see it. Absent times and reasons are null. */
    public record CallView(String id, Party from, Party to, boolean video, String state, String reason,
                           String endedBy, String startedAt, String answeredAt, String endedAt) {}

    public record Calls(List<CallView> calls) {}

    public record Started(String id, String state) {}

    public record Incoming(String id, Party from, Party to, String sdp, boolean video, String startedAt) {}

    public record Answered(String id, String sdp) {}

    /** {@code call.ringing}: the far end rings; with {@code sdp} it already sends early media (a provisional answer). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Progress(String id, String sdp) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CandidateEvent(String id, String candidate, String sdpMid, Integer sdpMLineIndex) {}

    public record SdpEvent(String id, String type, String sdp, boolean video) {}

    public record Ended(String id, String state, String reason, String endedBy) {}
}
