package io.switchboard.chat;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A conversation as request threads see it: immutable, replaced by the writer after each commit
 * that changes it. {@code roles} maps account id to role in the order members joined.
 */
record ConvSnapshot(String id, String kind, String title, String createdBy, Instant createdAt,
                    Map<String, String> roles) {
    static final String OWNER = "owner";
    static final String ADMIN = "admin";
    static final String MEMBER = "member";

    ConvSnapshot {
        roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    }

    boolean isGroup() { return "group".equals(kind); }

    boolean isMember(String accountId) { return roles.containsKey(accountId); }

    boolean canManage(String accountId) {
        String r = roles.get(accountId);
        return OWNER.equals(r) || ADMIN.equals(r);
    }

    ConvSnapshot withRoles(Map<String, String> newRoles) {
        return new ConvSnapshot(id, kind, title, createdBy, createdAt, newRoles);
    }

    ConvSnapshot withTitle(String newTitle) {
        return new ConvSnapshot(id, kind, newTitle, createdBy, createdAt, roles);
    }
}
