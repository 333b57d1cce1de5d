package io.switchboard.accounts;

import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.auth.TokenAuthenticator;
import io.switchboard.sdk.storage.FeatureDatabase;
import java.time.Clock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Publishes {@link AccountService} as the SDK's {@link TokenAuthenticator} and {@link AccountLookup},
 * and to this bundle's REST resources. It exists only once the storage bundle has migrated the
 * {@code accounts} schema, because it needs that schema's {@link FeatureDatabase}.
 */
@Component(service = {AccountService.class, TokenAuthenticator.class, AccountLookup.class},
        configurationPid = AccountsComponent.PID)
@Designate(ocd = AccountsConfig.class)
public class AccountsComponent extends AccountService {
    public static final String PID = "io.switchboard.accounts";

    @Activate
    public AccountsComponent(@Reference(target = "(switchboard.schema=accounts)") FeatureDatabase database,
                             AccountsConfig config) {
        super(database.dataSource(), AccountsSettings.from(config), Clock.systemUTC());
    }

    @Modified
    void modified(AccountsConfig config) {
        reconfigure(AccountsSettings.from(config));
    }
}
