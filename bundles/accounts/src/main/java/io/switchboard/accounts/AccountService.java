package io.switchboard.accounts;

import io.switchboard.accounts.security.FailureLimiter;
import io.switchboard.accounts.security.PasswordHasher;
import io.switchboard.accounts.security.SessionTokens;
import io.switchboard.accounts.store.AccountStore;
import io.switchboard.accounts.store.BlockStore;
import io.switchboard.accounts.store.BlockedAccount;
import io.switchboard.accounts.store.Credentials;
import io.switchboard.accounts.store.DirectoryStore;
import io.switchboard.accounts.store.SessionOwner;
import io.switchboard.accounts.store.SessionStore;
import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.TokenAuthenticator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the accounts feature does: registration, login and logout, profiles, directory search, blocks,
 * and token resolution for the gateway. Plain Java over a DataSource; {@link AccountsComponent} publishes
 * it as DS services.
 */
public class AccountService implements TokenAuthenticator, AccountLookup {
    private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);
    public static final int MIN_PASSWORD = 8;
    public static final int MAX_PASSWORD = 1024;
    public static final int MAX_QUERY = 64;
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 50;
    /** last_seen_at is written at most this often per session. */
    static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    private final AccountStore accounts;
    private final SessionStore sessions;
    private final DirectoryStore directory;
    private final BlockStore blockStore;
    private final SessionTokens tokens = new SessionTokens();
    private final Clock clock;
    private final FailureLimiter handleFailures;
    private final FailureLimiter addressFailures;
    private volatile PasswordHasher hasher;
    private volatile Duration sessionIdle;

    public AccountService(DataSource dataSource, AccountsSettings settings, Clock clock) {
        this.accounts = new AccountStore(dataSource);
        this.sessions = new SessionStore(dataSource);
        this.directory = new DirectoryStore(dataSource);
        this.blockStore = new BlockStore(dataSource);
        this.clock = clock;
        this.handleFailures = new FailureLimiter(settings.perHandle(), clock);
        this.addressFailures = new FailureLimiter(settings.perAddress(), clock);
        this.hasher = new PasswordHasher(settings.passwordIterations());
        this.sessionIdle = settings.sessionIdle();
    }

    /** New limits apply at once; failures already counted are kept. */
    public void reconfigure(AccountsSettings settings) {
        handleFailures.setPolicy(settings.perHandle());
        addressFailures.setPolicy(settings.perAddress());
        if (settings.passwordIterations() != hasher.iterations()) {
            hasher = new PasswordHasher(settings.passwordIterations());
        }
        sessionIdle = settings.sessionIdle();
    }

    // ---- registration and profiles

    /** Registers a person or a business. {@code kind} null means person; {@code displayName} null means the handle. */
    public AccountInfo register(String handleInput, String displayNameInput, String password, String kindInput) {
        String handle = Handles.forRegistration(handleInput);
        AccountKind kind = registrationKind(kindInput);
        String displayName = ProfileText.displayName(displayNameInput == null ? handle : displayNameInput);
        checkPasswordStrength(password);
        String hash = hasher.hash(password.toCharArray());
        AccountInfo created = accounts.create(handle, displayName, kind, hash);
        LOG.info("Account {} registered as @{} ({})", created.id(), handle, kind.wireName());
        return created;
    }

    public AccountInfo me(String accountId) {
        return accounts.byId(accountId).orElseThrow(() -> ApiException.notFound("The account no longer exists."));
    }

    /** Changes display name and/or about (null leaves a field as it is; an empty about clears it). */
    public AccountInfo updateProfile(String accountId, String displayNameInput, String aboutInput) {
        // Validate everything before writing anything.
        String displayName = displayNameInput == null ? null : ProfileText.displayName(displayNameInput);
        boolean setAbout = aboutInput != null;
        String about = setAbout ? ProfileText.about(aboutInput).orElse(null) : null;
        if (displayName == null && !setAbout) return me(accountId);
        return accounts.updateProfile(accountId, displayName, setAbout, about)
                .orElseThrow(() -> ApiException.notFound("The account no longer exists."));
    }

    /** A profile by handle in any letter case; anything that is not a valid handle is simply not found. */
    public AccountInfo profile(String handleInput) {
        return byHandle(handleInput).orElseThrow(() -> ApiException.notFound("No account has this handle."));
    }

    @Override
    public Optional<AccountInfo> byHandle(String handle) {
        return Handles.normalize(handle).flatMap(accounts::byHandle);
    }

    @Override
    public Optional<AccountInfo> byId(String accountId) {
        if (accountId == null || accountId.isEmpty() || accountId.length() > 64) return Optional.empty();
        return accounts.byId(accountId);
    }

    // ---- sessions

    /**
     * Logs in and opens a new session. Unknown handles and wrong passwords get the same 401 after the
     * same key-derivation work. Rate limits are checked first, so while a handle or address is limited
     * even the right password is refused with 429.
     */
    public LoginResult login(String handleInput, String password, String deviceNameInput, String clientAddress) {
        Optional<String> deviceName = ProfileText.deviceName(deviceNameInput);
        Optional<String> handle = Handles.normalize(handleInput);
        String addressKey = clientAddress == null ? "unknown" : clientAddress;
        checkLimits(handle, addressKey);

        char[] secret = password == null || password.length() > MAX_PASSWORD ? new char[0] : password.toCharArray();
        Optional<Credentials> credentials = handle.flatMap(accounts::credentials);
        PasswordHasher kdf = hasher;
        boolean ok;
        if (credentials.isPresent() && credentials.get().passwordHash().isPresent() && secret.length > 0) {
            ok = kdf.verify(secret, credentials.get().passwordHash().get());
        } else {
            ok = kdf.verifyAgainstDummy(secret);
        }
        if (!ok) {
            handle.ifPresent(handleFailures::recordFailure);
            addressFailures.recordFailure(addressKey);
            throw new ApiException(401, "invalid_credentials", "The handle or the password is wrong.");
        }
        handleFailures.reset(handle.get());
        String accountId = credentials.get().accountId();
        String stored = credentials.get().passwordHash().get();
        if (kdf.needsRehash(stored)) {
            accounts.replacePasswordHash(accountId, kdf.hash(secret));
        }
        String token = tokens.newToken();
        String sessionId = sessions.create(accountId, deviceName.orElse(null), SessionTokens.hash(token), clock.instant());
        AccountInfo account = me(accountId);
        LOG.info("Session {} opened for account {}", sessionId, accountId);
        return new LoginResult(token, sessionId, account);
    }

    public void logout(String sessionId) {
        if (sessions.delete(sessionId)) LOG.info("Session {} closed", sessionId);
        // After the delete: a check racing with it cannot put the token back once the row is gone.
        recentTokens.values().removeIf(p -> p.principal().sessionId().equals(sessionId));
    }

    @Override
    public Optional<AccountPrincipal> authenticate(String token) {
        if (!SessionTokens.looksLikeToken(token)) return Optional.empty();
        byte[] hash = SessionTokens.hash(token);
        String key = java.util.HexFormat.of().formatHex(hash);
        Instant checked = clock.instant();
        RecentToken recent = recentTokens.get(key);
        if (recent != null && !checked.isBefore(recent.checkedAt())
                && checked.isBefore(recent.checkedAt().plus(RECENT_TOKEN))
                && !recent.lastSeenAt().isBefore(checked.minus(TOUCH_INTERVAL))) {
            return Optional.of(recent.principal());
        }
        Optional<SessionOwner> found = sessions.findByTokenHash(hash);
        if (found.isEmpty()) {
            recentTokens.remove(key);
            return Optional.empty();
        }
        SessionOwner owner = found.get();
        Instant now = clock.instant();
        if (owner.lastSeenAt().isBefore(now.minus(sessionIdle))) {
            // Unused for too long: the session ends here, as a logout would end it.
            sessions.delete(owner.sessionId());
            recentTokens.remove(key);
            LOG.info("Session {} ended after {} days unused", owner.sessionId(), sessionIdle.toDays());
            return Optional.empty();
        }
        Instant staleBefore = now.minus(TOUCH_INTERVAL);
        Instant lastSeen = owner.lastSeenAt();
        if (lastSeen.isBefore(staleBefore)) {
            sessions.touch(owner.sessionId(), now, staleBefore);
            lastSeen = now;
        }
        AccountPrincipal principal = new AccountPrincipal(owner.accountId(), owner.handle(), owner.kind().wireName(),
                owner.sessionId());
        if (recentTokens.size() >= MAX_RECENT_TOKENS) recentTokens.clear();
        recentTokens.put(key, new RecentToken(principal, checked, lastSeen));
        return Optional.of(principal);
    }

    /**
     * A session checked within the last seconds is not looked up again: every request and socket
     * carries its token, and this saves a database round trip for each. Logging out here removes it
     * at once; a session deleted behind this process's back lives on here for at most that long.
     */
    private record RecentToken(AccountPrincipal principal, Instant checkedAt, Instant lastSeenAt) {}

    private static final Duration RECENT_TOKEN = Duration.ofSeconds(10);
    private static final int MAX_RECENT_TOKENS = 100_000;
    private final java.util.Map<String, RecentToken> recentTokens = new java.util.concurrent.ConcurrentHashMap<>();

    // ---- blocks

    /** The caller blocks the account with this handle; blocking again changes nothing. */
    public void block(String blockerId, String handleInput) {
        blockStore.block(blockerId, blockTarget(blockerId, handleInput).id(), clock.instant());
    }

    /** The caller lifts a block; lifting one that does not exist is fine too. */
    public void unblock(String blockerId, String handleInput) {
        blockStore.unblock(blockerId, blockTarget(blockerId, handleInput).id());
    }

    /** The accounts the caller has blocked, newest first. Only ever the caller's own list. */
    public List<BlockedAccount> blockedBy(String blockerId) {
        return blockStore.blockedBy(blockerId);
    }

    @Override
    public boolean blocks(String blockerAccountId, String blockedAccountId) {
        if (blockerAccountId == null || blockedAccountId == null) return false;
        return blockStore.blocks(blockerAccountId, blockedAccountId);
    }

    /** An existing account other than the caller, like a profile look-up: an invalid handle is just 404. */
    private AccountInfo blockTarget(String blockerId, String handleInput) {
        AccountInfo target = profile(handleInput);
        if (target.id().equals(blockerId)) {
            throw ApiException.badRequest("invalid_handle", "Blocks are for other accounts, not your own.");
        }
        return target;
    }

    // ---- directory

    /** Directory search; {@code kind} and {@code limit} as given in the query string (null when absent). */
    public List<AccountInfo> search(String query, String kindInput, String limitInput) {
        if (query == null || query.isBlank() || query.length() > MAX_QUERY) {
            throw ApiException.badRequest("invalid_query", "q is 1 to " + MAX_QUERY + " characters.");
        }
        List<String> words = DirectoryText.words(query);
        if (words.isEmpty()) {
            throw ApiException.badRequest("invalid_query", "q needs at least one letter or digit.");
        }
        Optional<AccountKind> kind = Optional.empty();
        if (kindInput != null && !kindInput.isEmpty()) {
            kind = Optional.of(AccountKind.fromWire(kindInput).orElseThrow(() -> ApiException.badRequest(
                    "invalid_kind", "kind is one of person, business, bot, channel.")));
        }
        int limit = parseLimit(limitInput);
        String handleQuery = query.strip().toLowerCase(Locale.ROOT);
        if (handleQuery.startsWith("@")) handleQuery = handleQuery.substring(1);
        return directory.search(words, handleQuery, kind, limit);
    }

    private static int parseLimit(String input) {
        if (input == null || input.isEmpty()) return DEFAULT_LIMIT;
        int limit;
        try {
            limit = Integer.parseInt(input);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_limit", "limit is a whole number from 1 to " + MAX_LIMIT + ".");
        }
        if (limit < 1) throw ApiException.badRequest("invalid_limit", "limit is a whole number from 1 to " + MAX_LIMIT + ".");
        return Math.min(limit, MAX_LIMIT);
    }

    private static AccountKind registrationKind(String input) {
        if (input == null) return AccountKind.PERSON;
        return switch (input) {
            case "person" -> AccountKind.PERSON;
            case "business" -> AccountKind.BUSINESS;
            default -> throw ApiException.badRequest("invalid_kind", "kind is person or business.");
        };
    }

    static void checkPasswordStrength(String password) {
        if (password == null || password.length() > MAX_PASSWORD
                || password.codePointCount(0, password.length()) < MIN_PASSWORD) {
            throw ApiException.badRequest("weak_password",
                    "A password is " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters.");
        }
    }

    private void checkLimits(Optional<String> handle, String addressKey) {
        OptionalLong byAddress = addressFailures.retryAfterSeconds(addressKey);
        OptionalLong byHandle = handle.isPresent() ? handleFailures.retryAfterSeconds(handle.get()) : OptionalLong.empty();
        if (byAddress.isPresent() || byHandle.isPresent()) {
            long wait = Math.max(byAddress.orElse(0), byHandle.orElse(0));
            throw new ApiException(429, "rate_limited", "Too many failed logins; try again later.", wait);
        }
    }
}
