package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A company's registration trunk against a real PBX (Kamailio with digest auth, the {@link CompanyPbx}
 * fixture): Switchboard registers, shows it in GET /api/v1/trunks, un-registers when the trunk is
 * deleted; a wrong password shows as failed with a reason and never the password.
 */
class TrunkRegistrationIT {

    @Test
    void aRegisterTrunkRegistersAtThePbxAndLeavesWhenDeleted() throws Exception {
        try (CompanyPbx pbx = CompanyPbx.start(Switchboard.workDir("trunk-registration-pbx"));
             Switchboard sb = Switchboard.start(Switchboard.workDir("trunk-registration"),
                     Switchboard.env("SWITCHBOARD_SIP_ADDRESS", "127.0.0.1"))) {
            Api api = sb.api();
            String acme = api.signUp("acme_reg", "business", "Acme");
            Api.Reply wrong = api.post("/api/v1/trunks", acme, obj("name", "wrong", "mode", "register",
                    "host", pbx.registrarHost(), "port", pbx.registrarPort(), "username", pbx.trunkUser(),
                    "password", "not-the-password"));
            assertEquals(201, wrong.status(), wrong.toString());
            Api.Reply right = api.post("/api/v1/trunks", acme, obj("name", "main", "mode", "register",
                    "host", pbx.registrarHost(), "port", pbx.registrarPort(), "username", pbx.trunkUser(),
                    "password", pbx.trunkPassword(), "realm", pbx.realm()));
            assertEquals(201, right.status(), right.toString());

            JsonNode main = awaitStatus(api, acme, "main", "registered");
            assertTrue(pbx.isRegistered(pbx.trunkUser()), "Kamailio holds the trunk's contact:\n" + pbx.logs());
            JsonNode failed = awaitStatus(api, acme, "wrong", "failed");
            assertFalse(failed.path("lastError").asText().isEmpty(), failed.toString());
            String all = api.get("/api/v1/trunks", acme).body();
            assertFalse(all.contains(pbx.trunkPassword()) || all.contains("not-the-password"), "no password in any answer");
            assertFalse(Files.readString(sb.logFile()).contains(pbx.trunkPassword()), "nor in the log");

            assertEquals(204, api.delete("/api/v1/trunks/" + main.path("id").asText(), acme).status());
            pbx.awaitUnregistered(pbx.trunkUser(), Duration.ofSeconds(10));
        }
    }

    private static JsonNode awaitStatus(Api api, String token, String name, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode t : api.get("/api/v1/trunks", token).json().path("trunks")) {
                if (name.equals(t.path("name").asText())) {
                    last = t;
                    if (status.equals(t.path("status").asText())) return t;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("trunk " + name + " never became " + status + ": " + last);
    }
}
