package io.switchboard.sip.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sip.trunk.TrunkService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * A company's routing rules: checked against its trunks and compiled before they are stored (so what
 * is stored always routes), read back as written, and turned into a {@link Router} per call.
 */
@Component(service = RoutingService.class)
public class RoutingService {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);
    private final DataSource db;
    private final TrunkService trunks;
    private final Clock clock;

    @Activate
    public RoutingService(@Reference(target = "(switchboard.schema=sip)") FeatureDatabase database,
                          @Reference TrunkService trunks) {
        this(database.dataSource(), trunks, Clock.systemUTC());
    }

    RoutingService(DataSource db, TrunkService trunks, Clock clock) {
        this.db = db;
        this.trunks = trunks;
        this.clock = clock;
    }

    /** {@code PUT /api/v1/routing}: the whole document is replaced, or nothing changes. */
    public RoutingRules put(AccountPrincipal owner, RoutingRules rules) {
        String company = TrunkService.company(owner);
        try {
            RoutingCompiler.compile(rules, trunks.names(company));
        } catch (InvalidRoutingException e) {
            throw ApiException.badRequest("invalid_routing", e.getMessage());
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO sip.routing (company_id, rules, updated_at) VALUES (?, ?::jsonb, ?) "
                        + "ON CONFLICT (company_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at")) {
            s.setString(1, company);
            s.setString(2, JSON.writeValueAsString(rules));
            s.setTimestamp(3, Timestamp.from(clock.instant()));
            s.executeUpdate();
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("routing: " + e.getMessage(), e);
        }
        return rules;
    }

    /** {@code GET /api/v1/routing}: 404 {@code no_routing} until rules were written. */
    public RoutingRules get(AccountPrincipal owner) {
        return stored(TrunkService.company(owner)).orElseThrow(() -> new ApiException(404, "no_routing", "No routing rules yet."));
    }

    /** True when the company has written routing rules (one read; nothing compiled). */
    public boolean hasRules(String companyId) {
        return stored(companyId).isPresent();
    }

    /** The router for a call to this company now, or empty when it has no rules. */
    public Optional<Router> router(String companyId) {
        return stored(companyId).map(r -> new Router(RoutingCompiler.compile(r, trunks.names(companyId)),
                new StoredRoutingState(db, companyId), new SplittableRandom()));
    }

    private Optional<RoutingRules> stored(String companyId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT rules::text FROM sip.routing WHERE company_id = ?")) {
            s.setString(1, companyId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(JSON.readValue(r.getString(1), RoutingRules.class)) : Optional.empty();
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("routing: " + e.getMessage(), e);
        }
    }
}
