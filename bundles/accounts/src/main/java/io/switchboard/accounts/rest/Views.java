package io.switchboard.accounts.rest;

import io.switchboard.accounts.store.BlockedAccount;
import io.switchboard.sdk.accounts.AccountInfo;
import java.util.List;

/** Request and response bodies, named as the API names them. */
public final class Views {
    private Views() {}

    /** POST /api/v1/accounts. */
    public record Registration(String handle, String displayName, String password, String kind) {}

    /** POST /api/v1/sessions. */
    public record Login(String handle, String password, String deviceName) {}

    /** PATCH /api/v1/me. */
    public record ProfileChange(String displayName, String about) {}

    /** 201 of POST /api/v1/accounts. */
    public record Created(String id, String handle, String displayName, String kind) {
        static Created of(AccountInfo a) {
            return new Created(a.id(), a.handle(), a.displayName(), a.kind().wireName());
        }
    }

    /** The caller's own account (GET/PATCH /api/v1/me, and in a new session). */
    public record Account(String id, String handle, String displayName, String kind, String about, boolean verified,
                   String createdAt) {
        static Account of(AccountInfo a) {
            return new Account(a.id(), a.handle(), a.displayName(), a.kind().wireName(), a.about(), a.verified(),
                    a.createdAt().toString());
        }
    }

    /** 201 of POST /api/v1/sessions. */
    public record Session(String token, Account account) {}

    /** GET /api/v1/accounts/{handle}. */
    public record Profile(String id, String handle, String displayName, String kind, String about, boolean verified) {
        static Profile of(AccountInfo a) {
            return new Profile(a.id(), a.handle(), a.displayName(), a.kind().wireName(), a.about(), a.verified());
        }
    }

    /** One directory hit. */
    public record Entry(String handle, String displayName, String kind, String about, boolean verified) {
        static Entry of(AccountInfo a) {
            return new Entry(a.handle(), a.displayName(), a.kind().wireName(), a.about(), a.verified());
        }
    }

    public record Results(List<Entry> results) {}

    /** One account on the caller's block list. */
    public record Blocked(String handle, String displayName, String blockedAt) {
        static Blocked of(BlockedAccount b) {
            return new Blocked(b.handle(), b.displayName(), b.blockedAt().toString());
        }
    }

    /** GET /api/v1/blocks. */
    public record Blocks(List<Blocked> blocks) {}
}
