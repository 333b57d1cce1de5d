package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A company's telephony settings in the web client over the real runtime: Debian's headless Chromium
 * driven by playwright-core through the web client's e2e harness, as WebClientIT does, with the scenarios
 * of bundles/webclient/src/test/e2e/telephony.mjs. The business account adds and deletes SIP trunks (they
 * talk to nothing here, so only "a status is shown" is asked of them) and writes its routing rules; a
 * person sees no telephony and can call the company from its profile. Then the API must hold what the
 * browser did, and no answer may hold the trunk's password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelephonyWebIT {
    private static final String PASSWORD = "pbx-secret-4711-telephony";
    private Switchboard sb;
    private String base;
    private String acme;
    private String bob;

    @BeforeAll
    void start() throws Exception {
        sb = Switchboard.start(Switchboard.workDir("telephony-web"));
        base = "http://127.0.0.1:" + sb.port();
        Api api = sb.api();
        acme = api.signUp("acme", "business", "Acme Ltd");
        bob = api.signUp("bob", "person", "Bob Baker");
    }

    @AfterAll
    void stop() throws Exception {
        if (sb != null) sb.close();
    }

    @Test
    void aCompanyManagesTrunksAndRoutingInTheBrowserAndAPersonCallsIt() throws Exception {
        BrowserScenarios.Outcome run = BrowserScenarios.runScript("telephony", List.of("telephony.mjs"), 3, base,
                "acme", "bob", PASSWORD);
        assertTrue(run.output().contains("api answers checked: "), run.output());
        run.assertScreenshots("trunks", "trunk-error", "routing-error", "routing-saved", "telephony-after-reload",
                "phone-telephony", "person-telephony", "person-views-company");

        // The trunks the browser left: main (peer) and office (register); spare was added and deleted.
        Api api = sb.api();
        Api.Reply trunks = api.get("/api/v1/trunks", acme);
        assertEquals(200, trunks.status(), trunks.toString());
        List<String> names = new ArrayList<>();
        trunks.json().path("trunks").forEach(t -> names.add(t.path("name").asText()));
        assertEquals(List.of("main", "office"), names, trunks.body());
        JsonNode main = trunks.json().path("trunks").get(0);
        assertEquals("peer", main.path("mode").asText(), main.toString());
        assertEquals("127.0.0.2", main.path("host").asText(), main.toString());
        assertEquals(5080, main.path("port").asInt(), main.toString());
        assertEquals("udp", main.path("transport").asText(), main.toString());
        assertEquals(1, main.path("priority").asInt(), main.toString());
        assertTrue(main.path("maxChannels").isNull() || main.path("maxChannels").isMissingNode(), main.toString());
        JsonNode office = trunks.json().path("trunks").get(1);
        assertEquals("register", office.path("mode").asText(), office.toString());
        assertEquals("127.0.0.3", office.path("host").asText(), office.toString());
        assertEquals(5060, office.path("port").asInt(), office.toString());
        assertEquals("tcp", office.path("transport").asText(), office.toString());
        assertEquals("acme", office.path("username").asText(), office.toString());
        assertEquals("pbx.local", office.path("realm").asText(), office.toString());
        assertEquals(5, office.path("priority").asInt(), office.toString());
        assertEquals(8, office.path("maxChannels").asInt(), office.toString());
        assertFalse(office.has("password"), office.toString());
        for (JsonNode t : trunks.json().path("trunks")) {
            assertTrue(List.of("registered", "unregistered", "failed", "reachable", "unreachable")
                    .contains(t.path("status").asText()), t.toString());
        }

        // The routing rules the browser saved: the example of docs/routing.md over the trunk main.
        Api.Reply routing = api.get("/api/v1/routing", acme);
        assertEquals(200, routing.status(), routing.toString());
        JsonNode rules = routing.json();
        assertEquals("Europe/Berlin", rules.path("timezone").asText(), rules.toString());
        assertEquals(2, rules.path("rules").size(), rules.toString());
        JsonNode officeHours = rules.path("rules").get(0);
        assertEquals("office hours", officeHours.path("name").asText(), rules.toString());
        assertEquals("18:00", officeHours.path("when").path("to").asText(), rules.toString());
        assertEquals("main", officeHours.path("ring").path("members").get(0).path("trunk").asText(), rules.toString());
        assertEquals("alice", officeHours.path("ring").path("members").get(2).path("handle").asText(), rules.toString());
        assertTrue(officeHours.path("ring").path("skipBusy").asBoolean(), rules.toString());
        assertEquals("after hours", rules.path("rules").get(1).path("name").asText(), rules.toString());
        assertEquals("linear", rules.path("rules").get(1).path("ring").path("strategy").asText(), rules.toString());

        // The password went in once and comes out nowhere.
        for (Api.Reply answer : List.of(trunks, routing, api.get("/api/v1/me", acme), api.get("/api/v1/accounts/acme", bob),
                api.get("/api/v1/directory?q=acme", bob))) {
            assertEquals(200, answer.status(), answer.toString());
            assertFalse(answer.body().contains(PASSWORD), answer.toString());
        }
        // A person has no telephony of their own.
        assertEquals("business_only", api.get("/api/v1/trunks", bob).errorCode());
    }
}
