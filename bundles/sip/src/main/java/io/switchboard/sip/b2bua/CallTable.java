package io.switchboard.sip.b2bua;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.RequestEvent;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;

/**
 * The live calls of a far leg ({@link SipCallBridge}'s, {@link PhoneFork}'s) by the messenger's call id,
 * and the answered ones also by the Call-ID of their SIP dialog, where the far end's BYE comes in.
 */
final class CallTable<C> {
    private final Map<String, C> calls = new ConcurrentHashMap<>();
    private final Map<String, C> dialogs = new ConcurrentHashMap<>();

    /** False when the call id is taken already. */
    boolean add(String callId, C call) {
        return calls.putIfAbsent(callId, call) == null;
    }

    C get(String callId) {
        return calls.get(callId);
    }

    void answered(String dialogCallId, C call) {
        dialogs.put(dialogCallId, call);
    }

    void forget(String callId, C call) {
        calls.remove(callId, call);
        dialogs.values().removeIf(c -> c == call);
    }

    /** The answered call whose dialog a BYE, ACK or CANCEL is in; null for any other request. */
    C inDialog(RequestEvent event) {
        String method = event.getRequest().getMethod();
        if (!Request.BYE.equals(method) && !Request.ACK.equals(method) && !Request.CANCEL.equals(method)) return null;
        CallIdHeader callId = (CallIdHeader) event.getRequest().getHeader(CallIdHeader.NAME);
        return callId == null ? null : dialogs.get(callId.getCallId());
    }

    List<C> all() {
        return List.copyOf(calls.values());
    }

    int size() {
        return calls.size();
    }
}
