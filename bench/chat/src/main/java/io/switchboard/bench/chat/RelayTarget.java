package io.switchboard.bench.chat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The raw relay ({@link RelayServer}) in its own JVM, with the same flags as Switchboard ({@link Target#JVM_FLAGS}). */
final class RelayTarget extends Target {
    RelayTarget(Path work) throws IOException {
        super("relay", work);
    }

    @Override
    List<String> command() {
        return javaCommand("-cp", System.getProperty("java.class.path"), RelayServer.class.getName(),
                Integer.toString(port));
    }

    @Override
    Map<String, String> environment() { return Map.of(); }

    @Override
    String readyLine() { return "Relay ready on"; }

    /** The relay has no accounts: a handle is its own token. */
    @Override
    List<String> signIn(Api api, List<String> handles) {
        return List.copyOf(handles);
    }
}
