package io.switchboard.chat;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountLookup;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accounts as chat shows them. Handles never change, so id → handle is kept; display names are
 * re-read after a short while.
 */
final class Directory {
    private static final long PROFILE_TTL_NANOS = 30_000_000_000L;
    private static final int MAX_CACHED = 100_000;

    private record Cached(AccountInfo info, long at) {}

    private final AccountLookup accounts;
    private final Map<String, String> handles = new ConcurrentHashMap<>();
    private final Map<String, Cached> profiles = new ConcurrentHashMap<>();

    Directory(AccountLookup accounts) {
        this.accounts = accounts;
    }

    Optional<AccountInfo> byHandle(String handle) {
        if (handle == null) return Optional.empty();
        Optional<AccountInfo> a = accounts.byHandle(handle);
        a.ifPresent(this::remember);
        return a;
    }

    Optional<AccountInfo> byId(String accountId) {
        Cached c = profiles.get(accountId);
        if (c != null && System.nanoTime() - c.at < PROFILE_TTL_NANOS) return Optional.of(c.info);
        Optional<AccountInfo> a = accounts.byId(accountId);
        a.ifPresent(this::remember);
        return a;
    }

    /** The handle of an account; a vanished account shows as its id. */
    String handle(String accountId) {
        String h = handles.get(accountId);
        if (h != null) return h;
        return byId(accountId).map(AccountInfo::handle).orElse(accountId);
    }

    private void remember(AccountInfo a) {
        if (profiles.size() > MAX_CACHED) profiles.clear();
        profiles.put(a.id(), new Cached(a, System.nanoTime()));
        handles.put(a.id(), a.handle());
    }
}
