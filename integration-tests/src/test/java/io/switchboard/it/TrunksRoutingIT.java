package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A company's trunks and routing rules over the real runtime: only the business account manages its
 * own, passwords never come back, bad input is a 400 naming the field, and nothing half-valid is kept.
 */
class TrunksRoutingIT {
    private static final String RULES = """
            { "timezone": "Europe/Berlin",
              "rules": [
                { "name": "office hours",
                  "when": { "days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "18:00" },
                  "ring": { "strategy": "ringall",
                            "members": [ {"extension": "201", "trunk": "main"}, {"extension": "202"}, {"handle": "alice_t"} ],
                            "memberTimeout": 15, "totalTimeout": 60, "skipBusy": true },
                  "onNoAnswer": "next" },
                { "name": "after hours", "ring": { "strategy": "linear", "members": [ {"extension": "200"} ] } } ] }""";

    @Test
    void aCompanyManagesItsTrunksAndRoutingAndNobodyElseCan() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("trunks-routing"))) {
            Api api = sb.api();
            String acme = api.signUp("acme_t", "business", "Acme Ltd");
            String globex = api.signUp("globex_t", "business", "Globex");
            String alice = api.signUp("alice_t", "person", "Alice");

            assertEquals("no_routing", api.get("/api/v1/routing", acme).errorCode());
            Api.Reply early = api.put("/api/v1/routing", acme, RULES);
            assertEquals(400, early.status(), early.toString());
            assertEquals("invalid_routing", early.errorCode());
            assertTrue(early.body().contains("rules[0].ring.members[0].trunk"), early.body());

            Api.Reply created = api.post("/api/v1/trunks", acme, obj("name", "main", "mode", "register", "host", "127.0.0.2",
                    "port", 5080, "transport", "udp", "username", "acme", "password", "pbx-secret-77", "realm", "pbx.local",
                    "priority", 1, "maxChannels", 8));
            assertEquals(201, created.status(), created.toString());
            assertFalse(created.body().contains("pbx-secret-77"), "the password never comes back");
            assertEquals("unregistered", created.json().path("status").asText());
            String trunkId = created.json().path("id").asText();
            assertEquals(201, api.post("/api/v1/trunks", acme, obj("name", "backup", "mode", "peer", "host", "127.0.0.3")).status());
            assertEquals(409, api.post("/api/v1/trunks", acme, obj("name", "main", "mode", "peer", "host", "127.0.0.4")).status());

            JsonNode list = api.get("/api/v1/trunks", acme).json().path("trunks");
            assertEquals(List.of("main", "backup"), List.of(list.get(0).path("name").asText(), list.get(1).path("name").asText()));
            assertFalse(api.get("/api/v1/trunks", acme).body().contains("pbx-secret-77"));
            assertEquals(0, api.get("/api/v1/trunks", globex).json().path("trunks").size(), "another company sees none");

            Api.Reply put = api.put("/api/v1/routing", acme, RULES);
            assertEquals(200, put.status(), put.toString());
            JsonNode back = api.get("/api/v1/routing", acme).json();
            assertEquals("Europe/Berlin", back.path("timezone").asText());
            assertEquals("alice_t", back.path("rules").get(0).path("ring").path("members").get(2).path("handle").asText());
            assertEquals("no_routing", api.get("/api/v1/routing", globex).errorCode(), "each company its own rules");

            // Not the owner: persons and other companies.
            assertEquals(403, api.post("/api/v1/trunks", alice, obj("name", "x", "mode", "peer", "host", "h")).status());
            assertEquals(403, api.get("/api/v1/trunks", alice).status());
            assertEquals(403, api.put("/api/v1/routing", alice, RULES).status());
            assertEquals(404, api.delete("/api/v1/trunks/" + trunkId, globex).status(), "someone else's trunk id");
            assertEquals(401, api.get("/api/v1/trunks", null).status());

            // Bad input: named faults, wrong types, operator objects, and nothing changes.
            for (Object bad : List.of(obj("name", "x"), obj("name", obj("$ne", ""), "mode", "peer", "host", "h"),
                    obj("name", "x", "mode", "peer", "host", "h", "port", "5060"), obj("name", "x", "mode", "peer", "host", "h", "extra", 1),
                    obj("name", "x", "mode", "register", "host", "h"), obj("name", "x", "mode", "peer", "host", "a b"))) {
                assertEquals(400, api.post("/api/v1/trunks", acme, bad).status(), bad.toString());
            }
            for (String bad : List.of("{\"rules\": []}", "{\"rules\": \"all\"}", "{\"timezone\": \"Mars/Base\", \"rules\": []}",
                    RULES.replace("\"mon\"", "\"monday\""), RULES.replace("09:00", "9am"), RULES.replace("ringall", "loudest"),
                    RULES.replace("\"handle\": \"alice_t\"", "\"handle\": {\"$gt\": \"\"}"), "null", "[1,2]")) {
                Api.Reply r = api.put("/api/v1/routing", acme, bad);
                assertEquals(400, r.status(), bad + " → " + r);
            }
            assertEquals(back, api.get("/api/v1/routing", acme).json(), "the stored rules are unchanged");
            assertEquals(2, api.get("/api/v1/trunks", acme).json().path("trunks").size());

            assertEquals(204, api.delete("/api/v1/trunks/" + trunkId, acme).status());
            assertEquals(1, api.get("/api/v1/trunks", acme).json().path("trunks").size());
        }
    }

    @Test
    void usersMakeSipPhonesAndSeeThePasswordOnce() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("sip-devices"),
                Switchboard.env("SWITCHBOARD_SIP_DOMAIN", "sip.switchboard.test"))) {
            Api api = sb.api();
            String kim = api.signUp("kim_d", "person", "Kim");
            String lee = api.signUp("lee_d", "person", "Lee");
            Api.Reply made = api.post("/api/v1/sip-devices", kim, obj("name", "Desk phone"));
            assertEquals(201, made.status(), made.toString());
            JsonNode phone = made.json();
            String password = phone.path("password").asText();
            assertTrue(password.length() >= 20, phone.toString());
            assertTrue(phone.path("username").asText().startsWith("kim_d."), phone.toString());
            assertTrue(phone.path("registrar").asText().startsWith("sip:sip.switchboard.test:"), phone.toString());
            Api.Reply list = api.get("/api/v1/sip-devices", kim);
            assertEquals(1, list.json().path("devices").size());
            assertFalse(list.body().contains(password), "the password is shown once");
            assertEquals(0, api.get("/api/v1/sip-devices", lee).json().path("devices").size());
            assertEquals(404, api.delete("/api/v1/sip-devices/" + phone.path("id").asText(), lee).status());
            for (Object bad : List.of(obj("name", ""), obj("name", 5), obj("name", obj("$ne", "")), obj("label", "x"), "null")) {
                assertEquals(400, api.post("/api/v1/sip-devices", kim, bad).status(), bad.toString());
            }
            assertEquals(401, api.get("/api/v1/sip-devices", null).status());
            assertEquals(1, api.get("/api/v1/sip-devices", kim).json().path("devices").size(), "nothing made by bad input");
            assertEquals(204, api.delete("/api/v1/sip-devices/" + phone.path("id").asText(), kim).status());
            assertEquals(0, api.get("/api/v1/sip-devices", kim).json().path("devices").size());
        }
    }
}
