package io.switchboard.sdk.stream;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A feature that keeps its own log of client-visible updates registers one of these, so that an
 * update stored once (a group message) reaches every member without a copy per member.
 *
 * <p>The contract that makes resume exact: positions are the source's own, strictly increasing in
 * the order in which updates become visible (committed) — never a position below one already
 * visible; after its commit the feature hands the update to
 * {@link UpdatePublisher#deliver(String, long, java.util.Collection, String, Object)}, in position
 * order. A device that reconnects with {@code since} then gets from {@link #since} exactly what it
 * missed. Register it as a service with {@link #NAME}: a short name, {@code [a-z]{1,16}}, unique.
 */
@ConsumerType
public interface UpdateSource {
    /** Service property: the source's name, part of every cursor. */
    String NAME = "switchboard.update.source";

    /**
     * Updates the account may see with a position above {@code after}, in position order, at most
     * {@code limit}. Only what the account could see at that position (say, while a member).
     */
    List<SourceUpdate> since(String accountId, long after, int limit);

    /** The highest position visible now; a device that connects without {@code since} starts here. */
    long head();
}
