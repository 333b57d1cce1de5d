package io.switchboard.sdk.stream;

import java.util.Collection;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends events to clients. Stored updates get a per-account cursor and are replayed to a client that
 * reconnects with {@code since}; ephemeral ones (typing, presence) go only to connected devices.
 * {@code data} is anything Jackson can write (a record, a Map, a JsonNode).
 */
@ProviderType
public interface UpdatePublisher {
    /** Stores the update for the account and pushes it to its connected devices. Returns the cursor. */
    long publish(String accountId, String type, Object data);

    /** The same for several accounts (each gets its own cursor). */
    void publish(Collection<String> accountIds, String type, Object data);

    /**
     * Pushes an update that the {@link UpdateSource} named {@code source} has already stored (and
     * committed) at {@code position} to the connected devices of these accounts. Call it in position
     * order; a device that already has the position skips it. Nothing is stored here.
     */
    void deliver(String source, long position, Collection<String> accountIds, String type, Object data);

    /**
     * {@code data} written as JSON the way the stream writes frames, to be handed to more than one
     * {@link #deliver}, {@link #publish} or {@link StreamSession#send} and written once.
     *
     * @since 1.3
     */
    Json json(Object data);

    /**
     * Runs {@code work}, whose pushes (and {@link StreamSession#send}s) made on this thread may share
     * writes: the frames for one socket go out together when {@code work} returns, not one write
     * each. For a feature that pushes many frames at once (a batch of messages); nested calls join
     * the outer one. The default runs {@code work} as it is.
     *
     * @since 1.4
     */
    default void together(Runnable work) {
        work.run();
    }

    /** Pushes to connected devices only; nothing is stored and the frame's cursor is null. */
    void publishEphemeral(Collection<String> accountIds, String type, Object data);

    /**
     * True when at least one device of the account is connected now: a stream socket open, or a
     * long-poll waiting.
     */
    boolean connected(String accountId);
}
