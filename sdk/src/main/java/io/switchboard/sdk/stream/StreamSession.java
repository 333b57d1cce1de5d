package io.switchboard.sdk.stream;

import io.switchboard.sdk.auth.AccountPrincipal;
import org.osgi.annotation.versioning.ProviderType;

/** One authenticated WebSocket connection of one device. */
@ProviderType
public interface StreamSession {
    AccountPrincipal principal();

    /** Sends an ephemeral frame {@code {"type":type,"cursor":null,"data":data}} to this connection only. */
    void send(String type, Object data);
}
