package io.switchboard.chat;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sdk.concurrent.Draining;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event Admin topic {@value #TOPIC}, posted by the calls bundle when nobody answered a call: the
 * caller leaves a message carrying the call in the direct conversation of the two
 * ({@link ChatService#missedCall}). The work runs on a thread of its own, so Event Admin never waits
 * for the database: a handler slower than Event Admin's timeout gets no events any more. An event
 * with missing or mistyped properties, or naming an account that does not exist, is logged and
 * ignored; nothing is thrown back to Event Admin.
 */
@Component(property = EventConstants.EVENT_TOPIC + "=" + MissedCallHandler.TOPIC)
public class MissedCallHandler implements EventHandler {
    static final String TOPIC = "switchboard/calls/missed";
    private static final List<String> TEXT_PROPERTIES = List.of("callId", "callerId", "calleeId", "startedAt");
    private static final Logger LOG = LoggerFactory.getLogger(MissedCallHandler.class);

    private final ChatService chat;
    private final ExecutorService work = Executors.newSingleThreadExecutor(DaemonThreads.named("switchboard-chat-missed-calls"));

    @Activate
    public MissedCallHandler(@Reference ChatService chat) {
        this.chat = chat;
    }

    /** Finishes the calls already handed over (chat is still there: it goes after this component). */
    @Deactivate
    void deactivate() {
        if (!Draining.stop(work, Duration.ofSeconds(10))) {
            LOG.warn("Missed calls were still being recorded 10 s after shutdown began; that work was interrupted");
        }
    }

    @Override
    public void handleEvent(Event event) {
        try {
            work.execute(() -> handle(event));
        } catch (RejectedExecutionException e) {
            LOG.warn("Chat is stopping: missed call {} gets no message", event.getProperty("callId"));
        } catch (RuntimeException e) {
            LOG.warn("Could not take missed call {}", event.getProperty("callId"), e);
        }
    }

    /** Checks the event and leaves the message; a bad event or a refusal is logged, never thrown. */
    void handle(Event event) {
        try {
            Map<String, String> wrong = wrongProperties(event);
            if (!wrong.isEmpty()) {
                LOG.warn("Ignoring {} with wrong properties {}", TOPIC, wrong);
                return;
            }
            String callId = (String) event.getProperty("callId");
            ChatService.Sent sent = chat.missedCall(callId, (String) event.getProperty("callerId"),
                    (String) event.getProperty("calleeId"), (Boolean) event.getProperty("video"));
            if (!sent.created()) LOG.debug("Missed call {} already has its message {}", callId, sent.message().id());
        } catch (ApiException e) {
            LOG.warn("Ignoring missed call {}: {}", event.getProperty("callId"), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Could not leave a message for missed call {}", event.getProperty("callId"), e);
        }
    }

    /** Property name → what is wrong with it; empty when the event is as the calls bundle sends it. */
    private static Map<String, String> wrongProperties(Event event) {
        Map<String, String> wrong = new LinkedHashMap<>();
        for (String name : TEXT_PROPERTIES) {
            Object value = event.getProperty(name);
            if (value == null) wrong.put(name, "missing");
            else if (!(value instanceof String s)) wrong.put(name, value.getClass().getSimpleName() + ", not String");
            else if (s.isEmpty()) wrong.put(name, "empty");
        }
        Object video = event.getProperty("video");
        if (video == null) wrong.put("video", "missing");
        else if (!(video instanceof Boolean)) wrong.put("video", video.getClass().getSimpleName() + ", not Boolean");
        if (!wrong.containsKey("startedAt")) {
            try {
                Instant.parse((String) event.getProperty("startedAt"));
            } catch (DateTimeParseException e) {
                wrong.put("startedAt", "not an ISO-8601 instant");
            }
        }
        return wrong;
    }
}
