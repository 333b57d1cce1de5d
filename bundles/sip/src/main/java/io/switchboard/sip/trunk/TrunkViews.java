package io.switchboard.sip.trunk;

import java.util.List;

/** Request bodies and answers of {@code /api/v1/trunks}. */
public final class TrunkViews {
    private TrunkViews() {}

    /** POST /api/v1/trunks. */
    public record NewTrunk(String name, String mode, String host, Integer port, String transport, String username,
                           String password, String realm, Integer priority, Integer weight, Integer maxChannels) {}

    /** A trunk as its company sees it: everything but the password. */
    public record TrunkView(String id, String name, String mode, String host, int port, String transport,
                            String username, String realm, int priority, int weight, Integer maxChannels,
                            String status, String lastError, String statusSince, String createdAt) {}

    public record Trunks(List<TrunkView> trunks) {}
}
