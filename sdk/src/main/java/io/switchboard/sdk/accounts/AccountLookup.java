package io.switchboard.sdk.accounts;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Finds accounts. Offered by the accounts feature. */
@ProviderType
public interface AccountLookup {
    /** By handle, case-insensitively. */
    Optional<AccountInfo> byHandle(String handle);

    Optional<AccountInfo> byId(String accountId);
}
