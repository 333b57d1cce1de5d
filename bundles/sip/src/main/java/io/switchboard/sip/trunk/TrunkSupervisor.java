package io.switchboard.sip.trunk;

import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sip.stack.SipRuntime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every stored trunk in touch with its PBX over the runtime's stack: a {@link Registration} per
 * register trunk, a {@link Probe} per peer trunk. They start for all stored trunks when this starts (so a
 * restart picks them up again) and for each new one as the {@link TrunkService} adds it; a deleted trunk
 * is un-REGISTERed before it goes. Stopping un-REGISTERs them all at once and waits at most
 * {@link TrunkTimings#stopWait()} for the PBXs to answer, so a PBX gone away does not hold up a shutdown.
 */
@Component(configurationPid = TrunksConfig.PID)
@Designate(ocd = TrunksConfig.class)
public class TrunkSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(TrunkSupervisor.class);

    private final SipRuntime sip;
    private final TrunkService trunks;
    private final TrunkTimings timings;
    private final ScheduledExecutorService timer;
    private final Map<String, Watched> links = new ConcurrentHashMap<>();

    private record Watched(Trunk trunk, TrunkLink link) {}

    @Activate
    public TrunkSupervisor(@Reference SipRuntime sip, @Reference TrunkService trunks, TrunksConfig config) {
        this(sip, trunks, TrunkTimings.of(config));
    }

    TrunkSupervisor(SipRuntime sip, TrunkService trunks, TrunkTimings timings) {
        this.sip = sip;
        this.trunks = trunks;
        this.timings = timings;
        // Two threads: a PBX slow to take a TCP connection holds up one of them, not every trunk.
        this.timer = Executors.newScheduledThreadPool(2, DaemonThreads.numbered("switchboard-trunks"));
        // Told of new trunks first, so that none added while the stored ones are read is missed.
        trunks.attach(this);
        for (Trunk t : trunks.all()) start(t);
    }

    /** Starts registering or probing {@code trunk}, unless that is going on already. */
    void start(Trunk trunk) {
        TrunkLink.Report report = (status, lastError) -> trunks.status(trunk.id(), status, lastError);
        TrunkLink link = trunk.mode() == Trunk.Mode.REGISTER ? new Registration(trunk, sip, timer, timings, report)
                : new Probe(trunk, sip, timer, timings, report);
        if (links.putIfAbsent(trunk.id(), new Watched(trunk, link)) == null) link.start();
    }

    /** Stops registering or probing the trunk (un-REGISTERs it), waiting at most the stop wait. */
    void stop(String trunkId) {
        Watched watched = links.remove(trunkId);
        if (watched != null) await(watched.link().stop());
    }

    @Deactivate
    void deactivate() {
        trunks.detach(this);
        List<Watched> watched = List.copyOf(links.values());
        links.clear();
        await(CompletableFuture.allOf(watched.stream().map(w -> w.link().stop()).toArray(CompletableFuture[]::new)));
        timer.shutdownNow();
        // Nobody watches them any more: back to where a trunk starts.
        for (Watched w : watched) {
            trunks.status(w.trunk().id(), w.trunk().mode() == Trunk.Mode.REGISTER ? TrunkStatus.UNREGISTERED
                    : TrunkStatus.UNREACHABLE, null);
        }
    }

    private void await(CompletableFuture<Void> done) {
        try {
            done.get(timings.stopWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.info("Gave up waiting for un-REGISTERs after {} ms", timings.stopWait().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("Stopping a trunk failed: {}", e.getCause().toString());
        }
    }
}
