package io.switchboard.bench.chat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** One server under test and the load's standing state against it: users, conversations, sockets. */
final class Subject implements AutoCloseable {
    record Pair(int a, int b, String conversation) {}

    record Group(String id, List<Integer> members) {}

    final Target target;
    final Results results;
    Api api;
    Fleet fleet;
    List<String> tokens;
    List<Pair> pairs;
    final List<Group> groups = new ArrayList<>();
    private List<Fleet.Device> devices = List.of();
    /** Still stepping up: no step has failed yet. */
    boolean stepping = true;
    /** What the server had spent waiting for a quiet machine is left of this. */
    long quietBudgetNanos;
    Target.DbCounters db0;

    Subject(Target target) {
        this.target = target;
        this.results = new Results(target.name);
    }

    URI stream() { return URI.create(target.streamUri()); }

    /**
     * A message from {@code user}: a {@code message.send} frame on the user's socket, or with
     * {@code http} a PUT; {@code done} gets the status (-1: not sent or no answer).
     */
    void send(boolean http, int user, String conversationId, String clientMsgId, String text, IntConsumer done) {
        if (http) api.send(tokens.get(user), conversationId, clientMsgId, text, done);
        else fleet.send(devices.get(user), conversationId, clientMsgId, text, done);
    }

    /** Sends not answered yet, both ways. */
    int inFlight() { return api.inFlight() + fleet.inFlight(); }

    /**
     * Starts the server, signs the users in, opens a direct conversation per pair and the groups
     * (member 0 creates each, members 0..size-1), and one socket per user.
     */
    void prepare(int users, int[] groupSizes) throws Exception {
        ChatBench.log(target.name + ": starting");
        target.start();
        api = new Api(target.base());
        fleet = new Fleet();
        List<String> handles = IntStream.range(0, users).mapToObj(i -> String.format("chat_u%04d", i)).toList();
        long t0 = System.nanoTime();
        tokens = target.signIn(api, handles);
        results.signInSeconds = (System.nanoTime() - t0) / 1e9;
        ChatBench.log(String.format("%s: %d users signed in (%.1f s)", target.name, users, results.signInSeconds));
        try {
            pairs = Parallel.map(users / 2, i -> new Pair(2 * i, 2 * i + 1, api.openDirect(tokens.get(2 * i), handles.get(2 * i + 1))));
        } catch (Api.ChatUnavailable e) {
            // What does exist is checked: accounts, logins (above) and authenticated stream sockets.
            Fleet.shutdown(fleet.connect(stream(), 2, i -> i, tokens));
            throw new Api.ChatUnavailable(e.getMessage() + "; accounts, sessions and the stream were checked and work");
        }
        for (int size : groupSizes) {
            List<Integer> members = IntStream.range(0, size).boxed().toList();
            String id = api.createGroup(tokens.get(0), "bench group of " + size,
                    members.subList(1, size).stream().map(handles::get).toList());
            groups.add(new Group(id, members));
        }
        devices = fleet.connect(stream(), users, i -> i, tokens);
        ChatBench.log(target.name + ": " + pairs.size() + " direct conversations, " + groups.size() + " groups, "
                + users + " sockets ready");
    }

    /** Closes the sockets and clients, then stops the server (SIGTERM). */
    @Override
    public void close() throws Exception {
        Fleet.shutdown(devices);
        if (fleet != null) {
            results.unexpectedCloses = fleet.unexpectedCloses();
            fleet.close();
        }
        if (api != null) api.close();
        ChatBench.log(target.name + ": stopping");
        target.stop();
    }
}
