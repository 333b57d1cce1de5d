package io.switchboard.sip.trunk;

import java.time.Instant;

/**
 * A company's SIP trunk to its PBX. {@code register}: Switchboard registers at the PBX with a username
 * and password (digest); {@code peer}: the PBX is trusted by its address and probed with OPTIONS. The
 * password is held only to answer digest challenges and never leaves this bundle.
 */
public record Trunk(String id, String companyId, String name, Mode mode, String host, int port, Transport transport,
                    String username, String password, String realm, int priority, int weight, Integer maxChannels,
                    Instant createdAt) {

    public enum Mode { REGISTER, PEER }

    public enum Transport { UDP, TCP }

    @Override
    public String toString() {
        // Never the password, wherever a trunk is logged.
        return "Trunk[" + name + " " + mode + " " + host + ":" + port + "/" + transport + " of " + companyId + "]";
    }
}
