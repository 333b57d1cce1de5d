package io.switchboard.gateway.rest;

import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.BearerToken;
import io.switchboard.sdk.auth.TokenAuthenticator;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;

/**
 * Resolves {@code Authorization: Bearer <token>} to the caller through the accounts feature's
 * {@link TokenAuthenticator}. A request without a token passes on anonymous (resources that need a
 * caller answer 401 themselves); a request with an unknown token is answered 401 here.
 * Operator paths carry the admin token instead and are left to the admin feature.
 */
@Component(service = ContainerRequestFilter.class)
@JakartarsExtension
@JakartarsName("switchboard.auth")
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class BearerAuthFilter implements ContainerRequestFilter {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TokenAuthenticator authenticator;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/")) path = path.substring(1);
        if (path.startsWith("api/v1/admin/") || path.equals("api/v1/admin")) return;
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) return;
        Optional<String> token = BearerToken.parse(header);
        TokenAuthenticator current = authenticator;
        Optional<AccountPrincipal> principal = token.isPresent() && current != null
                ? current.authenticate(token.get()) : Optional.empty();
        if (principal.isEmpty()) {
            request.abortWith(ErrorMapper.respond(401, "invalid_token", "The bearer token is unknown or expired.")
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build());
            return;
        }
        boolean secure = request.getSecurityContext() != null && request.getSecurityContext().isSecure();
        request.setSecurityContext(new CallerContext(principal.get(), secure));
    }

    private record CallerContext(AccountPrincipal principal, boolean secure) implements SecurityContext {
        @Override public Principal getUserPrincipal() { return principal; }
        @Override public boolean isUserInRole(String role) { return role != null && role.equals(principal.kind()); }
        @Override public boolean isSecure() { return secure; }
        @Override public String getAuthenticationScheme() { return "Bearer"; }
    }
}
