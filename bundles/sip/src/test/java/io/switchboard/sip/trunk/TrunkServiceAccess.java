package io.switchboard.sip.trunk;

import java.time.Clock;
import javax.sql.DataSource;

/** Builds a {@link TrunkService} outside OSGi for tests of other packages. */
public final class TrunkServiceAccess {
    private TrunkServiceAccess() {}

    public static TrunkService service(DataSource db, SecretBox secrets) {
        return new TrunkService(new TrunkStore(db, secrets), Clock.systemUTC());
    }
}
