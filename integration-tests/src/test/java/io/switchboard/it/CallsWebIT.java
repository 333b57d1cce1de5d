package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Calls in the web client between two browsers over the real runtime (docs/calls.md): Debian's headless
 * Chromium with its fake microphone (a beep) and camera, driven by playwright-core through the web
 * client's e2e harness (bundles/webclient/src/test/e2e), as WebClientIT does. The scenarios are the node
 * script {@link #SCENARIOS}, written beside a copy of the harness. No ICE servers are configured: the
 * media goes browser to browser over this machine's own addresses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallsWebIT {
    static final Path CHROMIUM = BrowserScenarios.CHROMIUM;
    private static final String BROWSER_SCENARIOS = "3 passed, 0 failed";
    /** "inbound audio alice once connected: packetsReceived=17 totalAudioEnergy=0.049…", printed by the script. */
    private static final Pattern HEARD = Pattern.compile(
            "(?m)^inbound audio (\\w+) ([a-z -]+): packetsReceived=(\\d+) totalAudioEnergy=(\\S+)$");
    /** "call answered: <id>", printed by the script. */
    private static final Pattern CALL = Pattern.compile("(?m)^call (\\w+): (\\S+)$");
    private final Map<String, String> tokens = new HashMap<>();
    private Switchboard sb;
    private String base;

    @BeforeAll
    void start() throws Exception {
        sb = Switchboard.start(Switchboard.workDir(name()), environment());
        base = "http://127.0.0.1:" + sb.port();
        Api api = sb.api();
        tokens.put("alice", api.signUp("alice", "person", "Alice Archer"));
        tokens.put("bob", api.signUp("bob", "person", "Bob Baker"));
    }

    @AfterAll
    void stop() throws Exception {
        if (sb != null) sb.close();
    }

    /** Names the work directories and the screenshot folder. */
    String name() {
        return "calls-web";
    }

    /** Extra environment of the Switchboard process. */
    Map<String, String> environment() throws Exception {
        return Map.of();
    }

    /** Runs just before the browsers start. */
    void beforeScenarios() throws Exception {}

    /** Runs after the browsers are done, with the ids of the calls they made (answered, declined, video). */
    void afterScenarios(Map<String, String> callIds) throws Exception {}

    @Test
    void twoBrowsersCallHearEachOtherDeclineAndSwitchVideo() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) fail(CHROMIUM + " is missing: install Debian's chromium (.ci/run does)");
        Path work = Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().resolveSibling(name() + "-e2e");
        // Beside WebClientIT's pictures, in a folder of their own: WebClientIT clears the .png files of its folder.
        Path screenshots = work.resolveSibling("screenshots").resolve(name());
        installDriver(work);
        Files.writeString(work.resolve("calls.mjs"), SCENARIOS, StandardCharsets.UTF_8);
        if (Files.isDirectory(screenshots)) {
            try (var old = Files.list(screenshots)) {
                for (Path png : old.filter(p -> p.toString().endsWith(".png")).toList()) Files.delete(png);
            }
        }
        Path log = work.resolve("run.log");
        beforeScenarios();
        int exit = BrowserScenarios.run(work, log, 300, "node", "calls.mjs", base, screenshots.toString(), "alice", "bob");
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, exit, "the call scenarios failed (screenshots in " + screenshots + "):\n" + output);
        assertTrue(output.contains(BROWSER_SCENARIOS), output);
        for (String shot : List.of("call-incoming", "call-connected", "phone-call-connected", "call-history",
                "call-declined", "video-call")) {
            assertTrue(Files.size(screenshots.resolve(shot + ".png")) > 1000, shot);
        }

        // Both sides received sound with energy in it, once connected and again before the hang-up.
        Matcher heard = HEARD.matcher(output);
        List<String> samples = new ArrayList<>();
        while (heard.find()) {
            samples.add(heard.group(1) + " " + heard.group(2));
            assertTrue(Long.parseLong(heard.group(3)) > 0, heard.group());
            assertTrue(Double.parseDouble(heard.group(4)) > 0, heard.group());
        }
        assertEquals(List.of("alice once connected", "bob once connected", "alice before hang-up", "bob before hang-up"),
                samples, output);

        // The server kept the three calls the pages made, the same for both parties.
        Map<String, String> ids = new HashMap<>();
        Matcher call = CALL.matcher(output);
        while (call.find()) ids.put(call.group(1), call.group(2));
        assertEquals(3, ids.size(), output);
        afterScenarios(ids);
        for (String who : List.of("alice", "bob")) {
            JsonNode answered = call(who, ids.get("answered"));
            assertEquals("ended", answered.path("state").asText(), answered.toString());
            assertEquals("hangup", answered.path("reason").asText(), answered.toString());
            assertEquals("alice", answered.path("endedBy").asText(), answered.toString());
            assertEquals("alice", answered.path("from").path("handle").asText(), answered.toString());
            assertEquals("bob", answered.path("to").path("handle").asText(), answered.toString());
            assertTrue(answered.path("answeredAt").isTextual() && answered.path("endedAt").isTextual(), answered.toString());

            JsonNode declined = call(who, ids.get("declined"));
            assertEquals("declined", declined.path("state").asText(), declined.toString());
            assertEquals("bob", declined.path("endedBy").asText(), declined.toString());
            assertTrue(declined.path("answeredAt").isNull(), declined.toString());

            JsonNode video = call(who, ids.get("video"));
            assertEquals("ended", video.path("state").asText(), video.toString());
            assertTrue(video.path("video").asBoolean(), video.toString());
            assertEquals("bob", video.path("from").path("handle").asText(), video.toString());
            assertEquals("bob", video.path("endedBy").asText(), video.toString());

            List<String> newestFirst = new ArrayList<>();
            sb.api().get("/api/v1/calls", tokens.get(who)).json().path("calls").forEach(c -> newestFirst.add(c.path("id").asText()));
            assertEquals(List.of(ids.get("video"), ids.get("declined"), ids.get("answered")), newestFirst, who);
        }
    }

    private JsonNode call(String who, String id) throws Exception {
        Api.Reply r = sb.api().get("/api/v1/calls/" + id, tokens.get(who));
        assertEquals(200, r.status(), who + ": " + r);
        return r.json();
    }

    /**
     * playwright-core from the web client's lockfile, once per build directory, beside a copy of the
     * harness; npm ci never fetches a browser.
     */
    static void installDriver(Path work) throws Exception {
        BrowserScenarios.installDriver(work);
    }

    /**
     * The scenarios, run by node beside the harness: alice calls bob (his second device stops ringing when
     * he answers on the first), both connect and hear each other, mute and camera work, alice hangs up;
     * bob declines a call back; bob video-calls alice and switches his camera off and on.
     */
    private static final String SCENARIOS = """
            // Calls between two browsers: node calls.mjs <baseUrl> <screenshotDir> <aliceHandle> <bobHandle>
            // Written next to the web client's e2e harness by CallsWebIT, which has made the accounts ("Alice
            // Archer" and "Bob Baker", password "correct horse <handle>"). Prints "ok - name" or "not ok - name"
            // per scenario, what the peer connections measured ("inbound audio …"), and the id of each call
            // ("call <what>: <id>") for the test to look up on the server.

            import {chromium} from 'playwright-core';
            import {DESKTOP, Harness, PHONE, check, live} from './harness.mjs';

            const [baseUrl, screenshotDir, ALICE, BOB] = process.argv.slice(2);
            if (!BOB) {
              console.error('usage: node calls.mjs <baseUrl> <screenshotDir> <aliceHandle> <bobHandle>');
              process.exit(2);
            }
            const HEARD_WITHIN_MS = 10_000;

            /** The harness's Chromium with the fake camera and microphone (a beep), allowed without asking, and autoplay. */
            class CallHarness extends Harness {
              async launch() {
                this.browser = await chromium.launch({
                  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
                  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
                    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
                  timeout: 60_000,
                });
              }
            }

            const h = new CallHarness(baseUrl, screenshotDir);
            const cast = {};

            async function logIn(person, handle) {
              const {page} = person;
              await page.goto('/');
              await page.getByLabel('Handle').fill(handle);
              await page.getByLabel('Password').fill(`correct horse ${handle}`);
              await page.getByRole('button', {name: 'Log in'}).click();
              await live(person);
              person.handle = handle;
            }

            function call(person) {
              return person.page.evaluate(() => ({id: window.switchboardCall.id, state: window.switchboardCall.state,
                pc: Boolean(window.switchboardCall.pc)}));
            }

            function callState(person, text) {
              return person.page.getByTestId('call-state').filter({hasText: text}).waitFor();
            }

            /** The inbound audio of the person's peer connection, as getStats() reports it. */
            function inboundAudio(person) {
              return person.page.evaluate(async () => {
                const pc = window.switchboardCall.pc;
                const found = {packetsReceived: 0, totalAudioEnergy: 0};
                if (!pc) return found;
                for (const s of (await pc.getStats()).values()) {
                  if (s.type === 'inbound-rtp' && s.kind === 'audio') {
                    found.packetsReceived = s.packetsReceived || 0;
                    found.totalAudioEnergy = s.totalAudioEnergy || 0;
                  }
                }
                return found;
              });
            }

            /**
             * Polls both sides until each has received more sound, with energy in it, than `before` (the fake
             * microphone beeps), for up to HEARD_WITHIN_MS. Prints and returns what each side measured.
             */
            async function bothHear(people, when, before = {}) {
              const deadline = Date.now() + HEARD_WITHIN_MS;
              const none = {packetsReceived: 0, totalAudioEnergy: 0};
              const more = (p, heard) => heard.packetsReceived > (before[p.name] || none).packetsReceived
                && heard.totalAudioEnergy > (before[p.name] || none).totalAudioEnergy;
              const heard = {};
              for (;;) {
                for (const p of people) heard[p.name] = await inboundAudio(p);
                if (people.every((p) => more(p, heard[p.name])) || Date.now() > deadline) break;
                await people[0].page.waitForTimeout(250);
              }
              for (const p of people) {
                const {packetsReceived, totalAudioEnergy} = heard[p.name];
                console.log(`inbound audio ${p.name} ${when}: packetsReceived=${packetsReceived} totalAudioEnergy=${totalAudioEnergy}`);
              }
              for (const p of people) check(more(p, heard[p.name]), `${p.name} received sound with energy in it ${when}`);
              return heard;
            }

            /** The other side's picture shows on the person's page, with frames in it. */
            async function seesVideo(person) {
              const video = person.page.getByTestId('call-remote-video');
              await video.waitFor();
              await person.page.waitForFunction((el) => !el.paused && el.videoWidth > 0, await video.elementHandle());
            }

            /** The person's newest calls from GET /api/v1/calls, asked with the page's own session. */
            function history(person) {
              return person.page.evaluate(async () => {
                const {token} = JSON.parse(localStorage.getItem('switchboard.session'));
                const r = await fetch('/api/v1/calls?limit=5', {headers: {Authorization: `Bearer ${token}`}});
                return (await r.json()).calls;
              });
            }

            const scenarios = [
              ['alice calls bob from his profile; bob answers; both connect and hear each other; alice hangs up', async () => {
                const alice = cast.alice = await h.person('alice', DESKTOP);
                const bob = cast.bob = await h.person('bob', PHONE);
                const bobsLaptop = await h.person('bob-laptop', DESKTOP);
                await logIn(alice, ALICE);
                await logIn(bob, BOB);
                await logIn(bobsLaptop, BOB);

                await alice.page.getByLabel('Search people and companies').pressSequentially(BOB);
                await alice.page.locator(`.results button[data-handle="${BOB}"]`).click();
                await alice.page.getByRole('heading', {name: 'Bob Baker'}).waitFor();
                await alice.page.getByTestId('call-start').click();
                await callState(alice, 'Ringing…');

                // Both of bob's devices ring: who calls, Answer and Decline.
                await bobsLaptop.page.getByTestId('call-incoming').waitFor();
                await bob.page.getByTestId('call-incoming').waitFor();
                await bob.page.getByTestId('call-screen').filter({hasText: 'Alice Archer'}).waitFor();
                await callState(bob, 'Incoming call');
                const ringing = await call(bob);
                check(ringing.state === 'incoming' && ringing.id === (await call(alice)).id,
                  `bob rings for alice's call: ${JSON.stringify(ringing)}`);
                await h.screenshot(bob, 'call-incoming');

                // Bob answers on his phone; his laptop stops ringing, the phone keeps the call.
                await bob.page.getByTestId('call-answer').click();
                await callState(bobsLaptop, 'Answered on another device');
                for (const p of [alice, bob]) await callState(p, /^Connected$/);
                const id = (await call(alice)).id;
                console.log(`call answered: ${id}`);
                for (const p of [alice, bob]) {
                  const now = await call(p);
                  check(now.state === 'connected' && now.id === id && now.pc, `${p.name} is in the call: ${JSON.stringify(now)}`);
                }

                const heard = await bothHear([alice, bob], 'once connected');
                for (const p of [alice, bob]) {
                  const playing = await p.page.getByTestId('call-audio').evaluate((el) => !el.paused && Boolean(el.srcObject)
                    && el.srcObject.getAudioTracks().some((t) => t.readyState === 'live'));
                  check(playing, `${p.name}'s page plays the other side's sound`);
                  await p.page.getByTestId('call-timer').filter({hasText: /^00:0[1-9]$/}).waitFor();
                }
                await h.screenshot(alice, 'call-connected');
                await h.screenshot(bob, 'phone-call-connected');

                // Mute switches alice's microphone track off, and on again.
                const micOn = () => alice.page.evaluate(() => window.switchboardCall.pc.getSenders()
                  .filter((s) => s.track && s.track.kind === 'audio').every((s) => s.track.enabled));
                await alice.page.getByTestId('call-mute').click();
                await alice.page.locator('[data-testid="call-mute"][aria-pressed="true"]').waitFor();
                check(!(await micOn()), 'muted: the microphone track is off');
                await alice.page.getByTestId('call-mute').click();
                await alice.page.locator('[data-testid="call-mute"][aria-pressed="false"]').waitFor();
                check(await micOn(), 'unmuted: the microphone track is on');

                // Alice turns her camera on in this sound-only call (a new track, a new offer): bob sees her; then off.
                await alice.page.getByTestId('call-camera').click();
                await alice.page.locator('[data-testid="call-camera"][aria-pressed="true"]').waitFor();
                await seesVideo(bob);
                await alice.page.getByTestId('call-camera').click();
                await alice.page.locator('[data-testid="call-camera"][aria-pressed="false"]').waitFor();
                await bob.page.getByTestId('call-remote-video').waitFor({state: 'hidden'});
                await callState(bob, /^Connected$/);
                await bothHear([alice, bob], 'before hang-up', heard);
                await bobsLaptop.page.getByTestId('call-screen').waitFor({state: 'hidden'});
                check((await call(bobsLaptop)).state === 'idle', "bob's laptop stayed out of the call");
                await bobsLaptop.context.close();
                h.people = h.people.filter((p) => p !== bobsLaptop);

                await alice.page.getByTestId('call-hangup').click();
                await callState(bob, 'Call ended');
                for (const p of [alice, bob]) {
                  await p.page.getByTestId('call-screen').waitFor({state: 'hidden'});
                  const after = await call(p);
                  check(after.state === 'idle' && !after.id && !after.pc, `${p.name} left the call: ${JSON.stringify(after)}`);
                  const [newest] = await history(p);
                  check(newest && newest.id === id && newest.state === 'ended' && newest.reason === 'hangup'
                    && newest.endedBy === ALICE && Boolean(newest.answeredAt),
                  `${p.name}'s history has the call ended: ${JSON.stringify(newest)}`);
                }
                await alice.page.getByRole('heading', {name: 'Bob Baker'}).waitFor();

                // The history screen lists it for alice, with its length (her camera made it a video call).
                await alice.page.getByTestId('calls-link').click();
                const row = alice.page.locator(`li.call-row[data-call="${id}"]`);
                await row.filter({hasText: 'Outgoing video call · Answered'}).waitFor();
                await row.locator('.duration').filter({hasText: /[0-9][0-9]:[0-9][0-9]/}).waitFor();
                await h.screenshot(alice, 'call-history');
              }],

              ['alice calls bob back from her call history; bob declines; alice sees "Declined"', async () => {
                const {alice, bob} = cast;
                await alice.page.locator('li.call-row').first().getByTestId('call-back').click();
                await bob.page.getByTestId('call-incoming').waitFor();
                const id = (await call(bob)).id;
                console.log(`call declined: ${id}`);
                await bob.page.getByTestId('call-decline').click();
                await callState(alice, 'Declined');
                await h.screenshot(alice, 'call-declined');
                for (const p of [alice, bob]) {
                  await p.page.getByTestId('call-screen').waitFor({state: 'hidden'});
                  const [newest] = await history(p);
                  check(newest && newest.id === id && newest.state === 'declined' && newest.endedBy === BOB && !newest.answeredAt,
                    `${p.name}'s history has the call declined: ${JSON.stringify(newest)}`);
                }
                await alice.page.locator(`li.call-row[data-call="${id}"]`).filter({hasText: 'Outgoing call · Declined'}).waitFor();
              }],

              ['bob video-calls alice from their conversation; they see each other; his camera goes off and on; he hangs up', async () => {
                const {alice, bob} = cast;
                await bob.page.getByLabel('Search people and companies').pressSequentially(ALICE);
                await bob.page.locator(`.results button[data-handle="${ALICE}"]`).click();
                await bob.page.getByRole('button', {name: 'Message'}).click();
                await bob.page.locator('section.chat-view[data-loaded="true"]').waitFor();
                await bob.page.getByRole('button', {name: 'Video call'}).click();

                await callState(alice, 'Incoming video call');
                await alice.page.getByTestId('call-answer').filter({hasText: 'Answer with video'}).click();
                for (const p of [alice, bob]) await callState(p, /^Connected$/);
                const id = (await call(bob)).id;
                console.log(`call video: ${id}`);
                await seesVideo(alice);
                await seesVideo(bob);
                await h.screenshot(alice, 'video-call');

                await bob.page.getByTestId('call-camera').click();
                await bob.page.locator('[data-testid="call-camera"][aria-pressed="false"]').waitFor();
                await alice.page.getByTestId('call-remote-video').waitFor({state: 'hidden'});
                await bob.page.getByTestId('call-camera').click();
                await bob.page.locator('[data-testid="call-camera"][aria-pressed="true"]').waitFor();
                await seesVideo(alice);

                await bob.page.getByTestId('call-hangup').click();
                await callState(alice, 'Call ended');
                for (const p of [alice, bob]) {
                  await p.page.getByTestId('call-screen').waitFor({state: 'hidden'});
                  const [newest] = await history(p);
                  check(newest && newest.id === id && newest.video && newest.state === 'ended' && newest.endedBy === BOB,
                    `${p.name}'s history has the video call ended: ${JSON.stringify(newest)}`);
                }
              }],
            ];

            await h.runScenarios(scenarios);
            """;
}
