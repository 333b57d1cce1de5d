package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.stream.UpdatePublisher;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.annotation.Annotation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/** The chat service's collaborators for tests over a real database: accounts, the stream and config, recorded. */
final class ChatFixture {
    private ChatFixture() {}

    /** A {@link Running} for a static field: a failure to start fails the test class. */
    static Running running() {
        try {
            return new Running();
        } catch (Exception e) {
            throw new IllegalStateException("Could not start chat over an embedded PostgreSQL", e);
        }
    }

    /** A chat service over a fresh embedded PostgreSQL with the real migrations, and what it delivered. */
    static final class Running implements AutoCloseable {
        final EmbeddedPostgres postgres;
        final Accounts accounts = new Accounts();
        final Delivered delivered = new Delivered();
        final ChatService chat;

        Running() throws Exception {
            postgres = EmbeddedPostgres.builder().start();
            DataSource db = postgres.getPostgresDatabase();
            ChatSchema.migrate(db);
            chat = new ChatService(new Database(db), delivered, accounts, new Config());
        }

        @Override
        public void close() throws Exception {
            chat.deactivate();
            postgres.close();
        }
    }

    static final class Accounts implements AccountLookup {
        private final Map<String, AccountInfo> byHandle = new ConcurrentHashMap<>();

        AccountPrincipal add(String handle) {
            AccountInfo info = new AccountInfo("acct_" + handle, handle, handle.toUpperCase(), AccountKind.PERSON, null,
                    false, Instant.now());
            byHandle.put(handle, info);
            return new AccountPrincipal(info.id(), handle, "person", "sess_" + handle);
        }

        String id(String handle) { return byHandle.get(handle).id(); }

        @Override public Optional<AccountInfo> byHandle(String handle) {
            return Optional.ofNullable(byHandle.get(handle.toLowerCase()));
        }

        @Override public Optional<AccountInfo> byId(String accountId) {
            return byHandle.values().stream().filter(a -> a.id().equals(accountId)).findFirst();
        }

        @Override public boolean blocks(String blocker, String blocked) { return false; }
    }

    /** What chat delivered, per account: chat stores its own log and only ever calls deliver. */
    static final class Delivered implements UpdatePublisher {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
        /**
         * One account's delivery: its position, on which thread, and inside which call of
         * {@link #together} (numbered from 1; 0 outside one).
         */
        record Delivery(String account, String type, Object data, long position, Thread thread, long batch) {
            boolean together() { return batch > 0; }
        }

        private final List<Delivery> log = new CopyOnWriteArrayList<>();
        private final ThreadLocal<Long> inTogether = ThreadLocal.withInitial(() -> 0L);
        private final AtomicLong togethers = new AtomicLong();
        /** When set, {@link #together} waits for it before its work (a delivery lane held up). */
        volatile CountDownLatch gate;

        List<Object> of(String account, String type) {
            List<Object> out = new ArrayList<>();
            for (Delivery d : deliveries(account, type)) out.add(d.data());
            return out;
        }

        List<Delivery> deliveries(String account, String type) {
            List<Delivery> out = new ArrayList<>();
            for (Delivery d : log) if (d.account().equals(account) && d.type().equals(type)) out.add(d);
            return out;
        }

        /** Deliveries come after the commit, from the delivery thread. */
        List<Object> await(String account, String type, int n) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (of(account, type).size() < n && System.nanoTime() < deadline) Thread.sleep(10);
            List<Object> got = of(account, type);
            assertEquals(n, got.size(), type + " to " + account);
            return got;
        }

        @Override public void deliver(String source, long position, Collection<String> accountIds, String type, Object data) {
            assertEquals(ChatService.SOURCE, source);
            for (String a : accountIds) log.add(new Delivery(a, type, data, position, Thread.currentThread(), inTogether.get()));
        }

        @Override public void together(Runnable work) {
            CountDownLatch held = gate;
            try {
                if (held != null) held.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inTogether.set(togethers.incrementAndGet());
            try {
                work.run();
            } finally {
                inTogether.set(0L);
            }
        }

        @Override public long publish(String accountId, String type, Object data) {
            throw new UnsupportedOperationException("chat keeps its own log");
        }

        @Override public void publish(Collection<String> accountIds, String type, Object data) {
            throw new UnsupportedOperationException("chat keeps its own log");
        }

        @Override public void publishEphemeral(Collection<String> accountIds, String type, Object data) {
            throw new UnsupportedOperationException("no typing here");
        }

        @Override public boolean connected(String accountId) {
            return true;
        }

        /** As the stream writes it (the chat views hold only text, numbers and lists). */
        @Override public io.switchboard.sdk.stream.Json json(Object data) {
            try {
                return new io.switchboard.sdk.stream.Json(JSON.writeValueAsString(data));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }

    record Database(DataSource dataSource) implements FeatureDatabase {
        @Override public String schema() { return "chat"; }
    }

    static final class Config implements ChatConfig {
        @Override public long media_max_bytes() { return 1024; }

        @Override public int group_max_members() { return 10; }

        @Override public Class<? extends Annotation> annotationType() { return ChatConfig.class; }
    }
}
