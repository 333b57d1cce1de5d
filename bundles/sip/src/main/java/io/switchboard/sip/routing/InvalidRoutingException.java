package io.switchboard.sip.routing;

/** Routing rules that cannot be used; the message names the field, e.g. {@code rules[1].ring.strategy: …}. */
public class InvalidRoutingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidRoutingException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() { return field; }
}
