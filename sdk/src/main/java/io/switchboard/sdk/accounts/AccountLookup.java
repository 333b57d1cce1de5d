package io.switchboard.sdk.accounts;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Finds accounts. Offered by the accounts feature. */
@ProviderType
public interface AccountLookup {
    /** By handle, case-insensitively. */
    Optional<AccountInfo> byHandle(String handle);

    Optional<AccountInfo> byId(String accountId);

    /** True when the first account has blocked the second (calls from it are refused). */
    boolean blocks(String blockerAccountId, String blockedAccountId);
}
