package io.switchboard.sdk.auth;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Resolves a bearer token to its account and session. Offered by the accounts feature; the gateway
 * consults it for every request and for the stream's auth frame.
 */
@ConsumerType
public interface TokenAuthenticator {
    Optional<AccountPrincipal> authenticate(String token);
}
