package io.switchboard.sip.trunk;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.api.Ids;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks a new trunk: every fault a 400 that names the field; a password only where it is needed. */
final class TrunkRules {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]{2,45}]");
    private static final Pattern CREDENTIAL = Pattern.compile("[\\x21-\\x7E]{1,128}");

    private TrunkRules() {}

    static Trunk check(String companyId, TrunkViews.NewTrunk b, Instant now) {
        String name = b.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw bad("name", "1 to 32 of a-z 0-9 _ - (starting with a letter or digit)");
        }
        Trunk.Mode mode = switch (b.mode() == null ? "" : b.mode()) {
            case "register" -> Trunk.Mode.REGISTER;
            case "peer" -> Trunk.Mode.PEER;
            default -> throw bad("mode", "register or peer");
        };
        String host = b.host();
        if (host == null || !(HOSTNAME.matcher(host).matches() || IPV6.matcher(host).matches())) {
            throw bad("host", "a host name or an IP address");
        }
        int port = b.port() == null ? 5060 : b.port();
        if (port < 1 || port > 65535) throw bad("port", "1 to 65535");
        Trunk.Transport transport = switch (b.transport() == null ? "udp" : b.transport()) {
            case "udp" -> Trunk.Transport.UDP;
            case "tcp" -> Trunk.Transport.TCP;
            default -> throw bad("transport", "udp or tcp");
        };
        if (mode == Trunk.Mode.REGISTER) {
            if (b.username() == null || !CREDENTIAL.matcher(b.username()).matches()) {
                throw bad("username", "a register trunk needs a username (1 to 128 visible ASCII characters)");
            }
            if (b.password() == null || b.password().isEmpty() || b.password().length() > 128) {
                throw bad("password", "a register trunk needs a password (1 to 128 characters)");
            }
        } else if (b.username() != null || b.password() != null) {
            throw bad(b.username() != null ? "username" : "password", "a peer trunk is trusted by its address and has no credentials");
        }
        if (b.realm() != null && !CREDENTIAL.matcher(b.realm()).matches()) throw bad("realm", "1 to 128 visible ASCII characters");
        int priority = b.priority() == null ? 10 : b.priority();
        if (priority < 0 || priority > 1000) throw bad("priority", "0 to 1000 (lower is tried first)");
        int weight = b.weight() == null ? 1 : b.weight();
        if (weight < 1 || weight > 1000) throw bad("weight", "1 to 1000");
        if (b.maxChannels() != null && (b.maxChannels() < 1 || b.maxChannels() > 100_000)) {
            throw bad("maxChannels", "1 to 100000, or leave it out for no limit");
        }
        return new Trunk(Ids.random("trk"), companyId, name, mode, host.toLowerCase(Locale.ROOT), port, transport,
                b.username(), b.password(), b.realm(), priority, weight, b.maxChannels(), now);
    }

    private static ApiException bad(String field, String problem) {
        return ApiException.badRequest("invalid_trunk", field + ": " + problem);
    }
}
