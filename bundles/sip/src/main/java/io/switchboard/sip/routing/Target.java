package io.switchboard.sip.routing;

/**
 * Something that rings: a PBX extension (over a named trunk, or {@code trunk == null}: by trunk
 * priority) or an account's handle. {@link #key()} names it in the routing state.
 */
public record Target(String extension, String trunk, String handle, int weight) {

    public static Target extension(String extension, String trunk, int weight) {
        return new Target(extension, trunk, null, weight);
    }

    public static Target handle(String handle, int weight) {
        return new Target(null, null, handle, weight);
    }

    public boolean isExtension() { return extension != null; }

    /** {@code ext:201@main}, {@code ext:201} or {@code handle:alice}. */
    public String key() {
        if (handle != null) return "handle:" + handle;
        return "ext:" + extension + (trunk == null ? "" : "@" + trunk);
    }
}
