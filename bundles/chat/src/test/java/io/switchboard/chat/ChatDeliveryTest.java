package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.auth.AccountPrincipal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * How committed sends reach devices, on the real chat service over a real PostgreSQL: delivery lanes
 * (one per account, in position order, frames written together) and the answers of sends made
 * without waiting; retries batched with new sends.
 */
class ChatDeliveryTest {
    private static final ChatFixture.Running running = ChatFixture.running();
    private static final ChatService chat = running.chat;

    @AfterAll
    static void stop() throws Exception {
        running.close();
    }

    private static Views.NewMessage text(String t) {
        return new Views.NewMessage(t, null, null, null);
    }

    @Test
    void eachAccountIsServedByOneLaneInPositionOrderAndAnsweredThere() throws Exception {
        int lanes = ChatWriter.defaultLanes();
        List<AccountPrincipal> members = new ArrayList<>();
        Set<Integer> lanesUsed = new HashSet<>();
        for (int i = 0; members.size() < 6; i++) {
            AccountPrincipal p = running.accounts.add("lane_" + i);
            // six members, at least one on each of the first two lanes
            if (members.size() < 4 || lanesUsed.size() > 1 || !lanesUsed.contains(ChatWriter.laneOf(p.accountId(), lanes))) {
                members.add(p);
                lanesUsed.add(ChatWriter.laneOf(p.accountId(), lanes));
            }
        }
        List<String> handles = members.stream().skip(1).map(AccountPrincipal::handle).toList();
        String id = chat.createGroup(members.get(0), "lanes", handles).id();

        // Every member sends 20 messages without waiting, all at once; each answer notes its thread
        // and whether its sender's devices had its message.created by then.
        Map<String, Thread> answeredOn = new ConcurrentHashMap<>();
        Map<String, Boolean> createdFirst = new ConcurrentHashMap<>();
        List<CompletableFuture<ChatService.Sent>> sends = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(members.size());
        try {
            List<java.util.concurrent.Future<List<CompletableFuture<ChatService.Sent>>>> started = new ArrayList<>();
            for (AccountPrincipal m : members) {
                started.add(senders.submit(() -> {
                    List<CompletableFuture<ChatService.Sent>> mine = new ArrayList<>();
                    for (int k = 0; k < 20; k++) {
                        String clientMsgId = m.handle() + "-" + k;
                        mine.add(chat.sendAsync(m, id, clientMsgId, text("m " + k)).thenApply(sent -> {
                            answeredOn.put(clientMsgId, Thread.currentThread());
                            createdFirst.put(clientMsgId, running.delivered.deliveries(m.accountId(), "message.created")
                                    .stream().anyMatch(d -> d.position() > 0 && sent.json().equals(d.data())));
                            return sent;
                        }));
                    }
                    return mine;
                }));
            }
            for (var f : started) sends.addAll(f.get(10, TimeUnit.SECONDS));
        } finally {
            senders.shutdown();
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

        Set<Thread> laneThreads = new HashSet<>();
        for (AccountPrincipal m : members) {
            running.delivered.await(m.accountId(), "message.created", 120);
            List<ChatFixture.Delivered.Delivery> got = running.delivered.deliveries(m.accountId(), "message.created");
            Set<Thread> threads = new HashSet<>();
            long last = 0;
            for (ChatFixture.Delivered.Delivery d : got) {
                threads.add(d.thread());
                assertTrue(d.position() > last, "positions in order for " + m.handle());
                last = d.position();
                assertTrue(d.together(), "frames of a lane's batch are written together");
            }
            assertEquals(1, threads.size(), "one lane serves " + m.handle() + ": " + threads);
            Thread lane = threads.iterator().next();
            assertTrue(lane.getName().startsWith("switchboard-chat-delivery-"), lane.getName());
            laneThreads.add(lane);
            for (int k = 0; k < 20; k++) {
                String clientMsgId = m.handle() + "-" + k;
                assertEquals(lane, answeredOn.get(clientMsgId), "the answer of " + clientMsgId + " comes from its sender's lane");
                assertTrue(createdFirst.get(clientMsgId), "after its message.created to the sender's devices: " + clientMsgId);
            }
        }
        assertTrue(laneThreads.size() > 1, "the lanes deliver side by side: " + laneThreads);
        List<Long> seqs = new ArrayList<>();
        for (CompletableFuture<ChatService.Sent> s : sends) seqs.add(s.get().message().seq());
        assertEquals(new TreeSet<>(seqs), new TreeSet<>(java.util.stream.LongStream.rangeClosed(1, 120).boxed().toList()));
    }

    @Test
    void aLaneThatFellBehindDeliversTheBatchesQueuedMeanwhileTogether() throws Exception {
        AccountPrincipal ann = running.accounts.add("behind_ann");
        AccountPrincipal bob = running.accounts.add("behind_bob");
        String id = chat.openDirect(ann, "behind_bob").conversation().id();
        // The lanes are held while five sends commit one after another (each waits for its commit,
        // none for its delivery), so each is a batch of its own and they queue up on bob's lane.
        CountDownLatch gate = new CountDownLatch(1);
        running.delivered.gate = gate;
        try {
            for (int k = 0; k < 5; k++) chat.send(ann, id, "behind-" + k, text("m " + k));
        } finally {
            running.delivered.gate = null;
            gate.countDown();
        }
        running.delivered.await(bob.accountId(), "message.created", 5);
        List<ChatFixture.Delivered.Delivery> got = running.delivered.deliveries(bob.accountId(), "message.created");
        long last = 0;
        for (ChatFixture.Delivered.Delivery d : got) {
            assertTrue(d.position() > last, "positions in order");
            last = d.position();
        }
        // The first batch held the lane; those committed meanwhile came after it, taken at once. A
        // send returns once committed, just before the writer hands its batch to the lanes, so the
        // last one may reach its lane after the gate opened and be a go of its own: three goes at
        // most, where a lane that ran each batch by itself takes five.
        Set<Long> batches = new HashSet<>();
        for (ChatFixture.Delivered.Delivery d : got) batches.add(d.batch());
        assertTrue(batches.size() <= 3, "five batches delivered in at most three goes: " + got);
    }

    @Test
    void aRetryQueuedWithNewSendsGetsItsMessageAndBurnsNoSeq() throws Exception {
        AccountPrincipal ann = running.accounts.add("retry_ann");
        running.accounts.add("retry_bob");
        String id = chat.openDirect(ann, "retry_bob").conversation().id();
        ChatService.Sent first = chat.send(ann, id, "r-1", text("first"));
        assertTrue(first.created());

        for (int round = 0; round < 5; round++) {
            // queued back to back, so the writer takes them in one batch with the retry among them
            List<CompletableFuture<ChatService.Sent>> sends = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                if (k == 3) sends.add(chat.sendAsync(ann, id, "r-1", text("first, again")));
                sends.add(chat.sendAsync(ann, id, "n-" + round + "-" + k, text("new " + k)));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            ChatService.Sent retry = sends.get(3).get();
            assertFalse(retry.created(), "the retry is not stored again");
            assertEquals(first.message().id(), retry.message().id());
            assertEquals("first", retry.message().text());
        }
        List<Views.Message> history = chat.history(ann, id, null, "100");
        assertEquals(51, history.size());
        for (int i = 0; i < history.size(); i++) {
            assertEquals(51 - i, history.get(i).seq(), "seq without gaps, newest first");
        }
    }
}
